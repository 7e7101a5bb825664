from django.urls import path

from catalogue import views

app_name = "catalogue"

urlpatterns = [
    path("catalogue/", views.type_list, name="list"),
    path("catalogue/new/", views.type_create, name="create"),
    path("catalogue/<slug:code>/", views.type_detail, name="type"),
    path("catalogue/<slug:code>/guide/", views.guide_edit, name="guide"),
    path("catalogue/<slug:code>/fields/", views.field_list, name="fields"),
    path("catalogue/<slug:code>/fields/new/", views.field_add, name="field_add"),
    path("catalogue/<slug:code>/fields/<slug:key>/", views.field_edit, name="field_edit"),
    path("catalogue/<slug:code>/fields/<slug:key>/delete/", views.field_delete, name="field_delete"),
    path("catalogue/<slug:code>/fields/<slug:key>/move/", views.field_move, name="field_move"),
    path("catalogue/<slug:code>/route/", views.step_list, name="steps"),
    path("catalogue/<slug:code>/route/new/", views.step_add, name="step_add"),
    path("catalogue/<slug:code>/route/<int:number>/", views.step_edit, name="step_edit"),
    path("catalogue/<slug:code>/route/<int:number>/delete/", views.step_delete, name="step_delete"),
    path("catalogue/<slug:code>/route/<int:number>/move/", views.step_move, name="step_move"),
    path("catalogue/<slug:code>/preview/", views.preview, name="preview"),
    path("catalogue/<slug:code>/publish/", views.publish, name="publish"),
    path("catalogue/<slug:code>/retire/", views.retire, name="retire"),
    path("catalogue/<slug:code>/reinstate/", views.reinstate, name="reinstate"),
    path("catalogue/<slug:code>/discard/", views.discard, name="discard"),
    path("catalogue/<slug:code>/versions/<int:number>/restore/", views.restore, name="restore"),
    path("catalogue/<slug:code>/versions/<int:number>/publish/", views.republish, name="republish"),
]
