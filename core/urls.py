from django.urls import path

from core import views

app_name = "core"

urlpatterns = [
    path("files/<int:pk>/", views.generated_file, name="generated_file"),
    path("files/<int:pk>/pdf/", views.generated_file_pdf, name="generated_file_pdf"),
    path("files/<int:pk>/preview/", views.generated_file_preview, name="generated_file_preview"),
    path("files/<int:pk>/status/", views.generated_file_status, name="generated_file_status"),
    path("files/<int:pk>/retry/", views.generated_file_retry, name="generated_file_retry"),
]
