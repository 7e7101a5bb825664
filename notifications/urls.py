from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("notifications/", views.notifications, name="list"),
    path("notifications/read/", views.notifications_read, name="read"),
    path("notifications/settings/", views.notification_settings, name="settings"),
    path("decide/<str:token>/", views.decide, name="decide"),
]
