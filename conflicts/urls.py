"""Conflicts between departments: negotiation, mediation, arbitration."""

from django.urls import path

from conflicts import views

app_name = "conflicts"

urlpatterns = [
    path("conflicts/", views.conflict_list, name="list"),
    path("conflicts/search/", views.search, name="search"),
    path("conflicts/raise/request/<str:number>/", views.raise_conflict, name="raise"),
    path("conflicts/raise/team/<int:pk>/", views.raise_on_team, name="raise_team"),
    path("conflicts/<int:pk>/", views.detail, name="detail"),
    path("conflicts/<int:pk>/do/<slug:action>/", views.act, name="act"),
]
