from django.urls import path

from documents import views

app_name = "documents"

urlpatterns = [
    path("documents/", views.document_list, name="list"),
    path("documents/new/", views.document_new, name="new"),
    path("documents/<int:pk>/", views.document_detail, name="detail"),
    path("documents/<int:pk>/edit/", views.document_edit, name="edit"),
    path("documents/<int:pk>/do/<slug:action>/", views.document_act, name="act"),
    path("documents/<int:pk>/pass/", views.document_pass_to, name="pass_to"),
    path("documents/<int:pk>/compare/", views.document_compare, name="compare"),
    path("documents/<int:pk>/attachments/<int:attachment_id>/", views.document_attachment, name="attachment"),
    path(
        "documents/<int:pk>/attachments/<int:attachment_id>/preview/",
        views.document_attachment_preview,
        name="attachment_preview",
    ),
    path("documents/numbers/", views.number_registers, name="numbers"),
    path("documents/numbers/<int:pk>/void/", views.number_void, name="number_void"),
    path("documents/incoming/", views.incoming_list, name="incoming_list"),
    path("documents/incoming/new/", views.incoming_new, name="incoming_new"),
    path("documents/incoming/<int:pk>/", views.incoming_detail, name="incoming_detail"),
    path("documents/incoming/<int:pk>/file/", views.incoming_file, name="incoming_file"),
    path("documents/incoming/<int:pk>/preview/", views.incoming_preview, name="incoming_preview"),
]
