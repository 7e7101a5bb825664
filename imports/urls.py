from django.urls import path

from imports import views

app_name = "imports"

urlpatterns = [
    path("organisation/import/", views.workbook_upload, name="upload"),
    path("organisation/import/preview/", views.workbook_preview, name="preview"),
    path("organisation/import/confirm/", views.workbook_confirm, name="confirm"),
    path("organisation/export.xlsx", views.workbook_export, name="export"),
    path("organisation/holidays/", views.holidays_review, name="holidays"),
]
