from django.urls import path

from handover import views

app_name = "handover"

urlpatterns = [
    path("people/<str:username>/handover/", views.page, name="page"),
]
