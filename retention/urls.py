from django.urls import path

from retention import views

app_name = "retention"

urlpatterns = [
    path("retention/holds/", views.hold_list, name="holds"),
    path("retention/holds/requests/<str:number>/<slug:step>/", views.request_hold, name="request_hold"),
    path("retention/holds/documents/<int:pk>/<slug:step>/", views.document_hold, name="document_hold"),
]
