from django.urls import path

from departments import views

app_name = "departments"

urlpatterns = [
    path("departments/", views.directory, name="directory"),
    path("find/departments/", views.find_departments, name="find_departments"),
    path("departments/<slug:code>/", views.department_detail, name="department"),
    path("people/", views.find_people, name="find_people"),
    path("people/<str:username>/", views.person_detail, name="person"),
    path("me/", views.my_profile, name="me"),
    path("me/edit/", views.profile_edit, name="profile_edit"),
    path("me/delegations/new/", views.delegation_new, name="delegation_new"),
    path("me/delegations/<int:pk>/end/", views.delegation_end, name="delegation_end"),
]
