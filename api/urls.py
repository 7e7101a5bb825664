from django.contrib.auth.decorators import login_required
from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from api import errors, pages
from api.views import catalogue, conflicts, documents, notifications, requests, teams

app_name = "api"

urlpatterns = [
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The docs page for people signed in to the portal (its own init script: the CSP allows no inline one).
    path("api/docs/", login_required(SpectacularSwaggerSplitView.as_view(url_name="api:schema")), name="docs"),
    path("api/v1/requests/", requests.RequestList.as_view(), name="requests"),
    path("api/v1/requests/<str:number>/", requests.RequestDetail.as_view(), name="request"),
    *(
        # A step's address spells it with hyphens (add-approver), its name with underscores.
        path(
            f"api/v1/requests/<str:number>/{step.replace('_', '-')}/",
            requests.step_view(step).as_view(),
            name=f"request_{step}",
        )
        for step in requests.STEPS
    ),
    path("api/v1/request-types/", catalogue.RequestTypeList.as_view(), name="request_types"),
    path("api/v1/request-types/<slug:code>/", catalogue.RequestTypeDetail.as_view(), name="request_type"),
    path("api/v1/documents/", documents.DocumentList.as_view(), name="documents"),
    path("api/v1/documents/<str:pk>/", documents.DocumentDetail.as_view(), name="document"),
    path("api/v1/documents/<str:pk>/docx/", documents.DocumentDocx.as_view(), name="document_docx"),
    *(
        path(
            f"api/v1/documents/<str:pk>/{step}/", documents.document_step_view(step).as_view(), name=f"document_{step}"
        )
        for step in documents.DOCUMENT_STEPS
    ),
    path("api/v1/departments/", catalogue.DepartmentList.as_view(), name="departments"),
    path("api/v1/departments/<slug:code>/", catalogue.DepartmentDetail.as_view(), name="department"),
    path("api/v1/people/", catalogue.PersonList.as_view(), name="people"),
    path("api/v1/people/<str:username>/", catalogue.PersonDetail.as_view(), name="person"),
    path("api/v1/teams/", teams.TeamList.as_view(), name="teams"),
    path("api/v1/teams/<str:pk>/", teams.TeamDetail.as_view(), name="team"),
    path("api/v1/teams/<str:pk>/meetings/", teams.MeetingList.as_view(), name="team_meetings"),
    path("api/v1/teams/<str:pk>/action-items/", teams.ActionItemList.as_view(), name="team_action_items"),
    path("api/v1/teams/<str:pk>/readings/", teams.ReadingAdd.as_view(), name="team_readings"),
    path("api/v1/teams/<str:pk>/meetings/new/", teams.MeetingAdd.as_view(), name="team_meeting_add"),
    path(
        "api/v1/teams/<str:pk>/meetings/<str:meeting_pk>/record/",
        teams.MeetingRecord.as_view(),
        name="team_meeting_record",
    ),
    path(
        "api/v1/teams/<str:pk>/meetings/<str:meeting_pk>/action-items/",
        teams.ActionAdd.as_view(),
        name="team_meeting_action_add",
    ),
    path(
        "api/v1/teams/<str:pk>/action-items/<str:action_pk>/done/",
        teams.ActionDone.as_view(),
        name="team_action_done",
    ),
    *(
        path(f"api/v1/teams/<str:pk>/{step}/", teams.team_step_view(step).as_view(), name=f"team_{step}")
        for step in teams.TEAM_STEPS
    ),
    path("api/v1/teams/<str:pk>/milestones/", teams.MilestoneList.as_view(), name="team_milestones"),
    path(
        "api/v1/teams/<str:pk>/milestones/<str:milestone_pk>/",
        teams.MilestoneDetail.as_view(),
        name="team_milestone",
    ),
    path("api/v1/conflicts/", conflicts.ConflictList.as_view(), name="conflicts"),
    path("api/v1/conflicts/<str:pk>/", conflicts.ConflictDetail.as_view(), name="conflict"),
    *(
        path(
            f"api/v1/conflicts/<str:pk>/{step}/", conflicts.conflict_step_view(step).as_view(), name=f"conflict_{step}"
        )
        for step in conflicts.CONFLICT_STEPS
    ),
    path("api/v1/notifications/", notifications.NotificationList.as_view(), name="notifications"),
    path("api/v1/notifications/read/", notifications.NotificationsRead.as_view(), name="notifications_read"),
    # The person's tokens, on their profile page.
    path("me/tokens/new/", pages.token_new, name="token_new"),
    path("me/tokens/<int:pk>/revoke/", pages.token_revoke, name="token_revoke"),
    re_path(r"^api/", errors.not_found, name="not_found"),
]
