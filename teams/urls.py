"""Collaboration teams: goals, plans, meetings; and each person's calendar feed."""

from django.urls import path

from teams import views

app_name = "teams"

urlpatterns = [
    path("teams/", views.team_list, name="list"),
    path("teams/new/", views.team_form, name="create"),
    path("teams/<int:pk>/", views.team_detail, name="detail"),
    path("teams/<int:pk>/edit/", views.team_form, name="edit"),
    path("teams/<int:pk>/plan/", views.plan_edit, name="plan"),
    path("teams/<int:pk>/evaluate/", views.team_evaluate, name="evaluate"),
    path("teams/<int:pk>/readings/", views.reading_add, name="reading"),
    path("teams/<int:pk>/milestones/new/", views.milestone_edit, name="milestone_new"),
    path("teams/<int:pk>/milestones/<int:milestone_pk>/", views.milestone_edit, name="milestone"),
    path("teams/<int:pk>/milestones/<int:milestone_pk>/delete/", views.milestone_delete, name="milestone_delete"),
    path("teams/<int:pk>/requests/new/", views.request_file, name="request_file"),
    path("teams/<int:pk>/requests/link/", views.request_link, name="request_link"),
    path("teams/<int:pk>/meetings/generate/", views.meetings_generate, name="meetings_generate"),
    path("teams/<int:pk>/meetings/new/", views.meeting_add, name="meeting_add"),
    path("teams/<int:pk>/meetings/<int:meeting_pk>/", views.meeting_detail, name="meeting"),
    path("teams/<int:pk>/meetings/<int:meeting_pk>/cancel/", views.meeting_cancel, name="meeting_cancel"),
    path("teams/<int:pk>/meetings/<int:meeting_pk>/actions/", views.action_add, name="action_add"),
    path("teams/<int:pk>/meetings/<int:meeting_pk>/minutes.docx/", views.minutes_document, name="minutes_docx"),
    path("teams/<int:pk>/actions/<int:action_pk>/request/", views.action_request, name="action_request"),
    path("teams/<int:pk>/actions/<int:action_pk>/done/", views.action_done, name="action_done"),
    path("teams/<int:pk>/documents/<slug:kind>/", views.team_document, name="document"),
    path("teams/<int:pk>/<slug:action>/", views.team_transition, name="transition"),
    path("calendar/", views.calendar_settings, name="calendar"),
    path("calendar/rotate/", views.calendar_rotate, name="calendar_rotate"),
    path("calendar/revoke/", views.calendar_revoke, name="calendar_revoke"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="feed"),
]
