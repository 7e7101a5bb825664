from django.urls import path

from deptadmin import views

app_name = "deptadmin"

prefix = "departments/<slug:code>/admin/"

urlpatterns = [
    path("administer/", views.index, name="index"),
    path(prefix, views.hub, name="hub"),
    path(f"{prefix}dispatch/", views.dispatch_list, name="dispatch"),
    path(f"{prefix}dispatch/<int:pk>/", views.dispatch_edit, name="dispatch_edit"),
    path(f"{prefix}skills/", views.skills_list, name="skills"),
    path(f"{prefix}skills/<str:username>/", views.skills_edit, name="skills_edit"),
    path(f"{prefix}robots/", views.robot_list, name="robots"),
    path(f"{prefix}robots/new/", views.robot_new, name="robot_new"),
    path(f"{prefix}robots/<int:pk>/", views.robot_edit, name="robot_edit"),
    path(f"{prefix}robots/<int:pk>/delete/", views.robot_delete, name="robot_delete"),
    path(f"{prefix}robots/<int:pk>/test/", views.robot_test, name="robot_test"),
    path(f"{prefix}calendar/", views.calendar, name="calendar"),
    path(f"{prefix}calendar/<int:pk>/delete/", views.calendar_delete, name="calendar_delete"),
]
