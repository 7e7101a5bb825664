"""Dashboards, the organisation report and global search."""

from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("reports/", views.index, name="index"),
    path("reports/department/", views.department, name="department"),
    path("reports/department/<slug:section>.<slug:fmt>", views.department_export, name="department_export"),
    path("reports/organisation/", views.organisation, name="organisation"),
    path("reports/organisation/<slug:section>.<slug:fmt>", views.organisation_export, name="organisation_export"),
    path("search/", views.search_page, name="search"),
]
