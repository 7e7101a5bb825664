from django.urls import path

from tasks import views

app_name = "tasks"

urlpatterns = [
    path("requests/new/", views.new_request, name="new"),
    path("requests/new/<slug:code>/", views.file_request, name="file"),
    path("requests/new/<slug:code>/preview/", views.preview, name="preview"),
    path("requests/inbox/", views.department_inbox, name="inbox"),
    path("requests/inbox/workload/<slug:code>/", views.department_workload, name="workload"),
    path("requests/bulk/<slug:action>/", views.bulk, name="bulk"),
    path("requests/list/<slug:scope>/", views.task_list, name="list"),
    path("requests/<str:number>/", views.detail, name="detail"),
    path("requests/<str:number>/edit/", views.edit_request, name="edit"),
    path("requests/<str:number>/form/", views.request_form, name="request_form"),
    path("requests/<str:number>/follow/", views.follow, name="follow"),
    path("requests/<str:number>/do/<slug:action>/", views.act, name="act"),
    path("requests/<str:number>/files/<int:pk>/", views.download, name="download"),
    path("requests/<str:number>/files/<int:pk>/preview/", views.attachment_preview, name="attachment_preview"),
    path("requests/<str:number>/mentions/", views.mention_search, name="mentions"),
]
