from django.urls import path

from confighistory import views

app_name = "confighistory"

urlpatterns = [
    path("settings-history/", views.log, name="log"),
    path("settings-history/<slug:kind>/<int:pk>/", views.object_history, name="object"),
]
