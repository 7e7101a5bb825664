from django.urls import path

from documents import views

app_name = "documents"

urlpatterns = [
    path("documents/", views.document_list, name="list"),
    path("documents/new/", views.document_new, name="new"),
    path("documents/<int:pk>/", views.document_detail, name="detail"),
    path("documents/<int:pk>/edit/", views.document_edit, name="edit"),
    path("documents/<int:pk>/do/<slug:action>/", views.document_act, name="act"),
    path("documents/<int:pk>/files/<int:job_id>/", views.document_file, name="file"),
]
