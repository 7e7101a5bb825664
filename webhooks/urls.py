from django.urls import path

from webhooks import views

app_name = "webhooks"

urlpatterns = [
    path("webhooks/", views.endpoint_list, name="list"),
    path("webhooks/new/", views.endpoint_new, name="new"),
    path("webhooks/<int:pk>/", views.endpoint_detail, name="detail"),
    path("webhooks/<int:pk>/edit/", views.endpoint_edit, name="edit"),
    path("webhooks/<int:pk>/rotate/", views.endpoint_rotate, name="rotate"),
    path("webhooks/<int:pk>/pause/", views.endpoint_pause, name="pause"),
    path("webhooks/<int:pk>/resume/", views.endpoint_resume, name="resume"),
    path("webhooks/<int:pk>/delete/", views.endpoint_delete, name="delete"),
    path("webhooks/<int:pk>/deliveries/<int:delivery_pk>/resend/", views.delivery_resend, name="resend"),
]
