"""The writes of the team pages through the API: a progress reading, a meeting added, a meeting's
record (agenda, attendance, minutes, decisions, held), an action item added and marked done. Each
checks the rule of teams/rules.py the page checks, validates with the page's form and calls the
page's service (teams.forms, teams.services)."""

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from api import serializers as s
from api.views.requests import form_data, form_errors
from api.views.resources import ActionItemOut, MeetingOut, TeamDetailOut, _small_int, _team_or_404
from teams import forms, selectors, services
from teams.models import ActionItem, Meeting, Team
from teams.rules import can

ERRORS = {400: s.ErrorBody, 403: s.ErrorBody, 404: s.ErrorBody, 409: s.ErrorBody}


def _require(user, action: str, team: Team) -> None:
    if not can(user, action, team):
        raise PermissionDenied()


def _valid(form):
    if not form.is_valid():
        raise ValidationError(form_errors(form))
    return form.cleaned_data


def _meeting_or_404(team: Team, pk) -> Meeting:
    try:
        return team.meetings.get(pk=_small_int(pk))
    except Meeting.DoesNotExist:
        raise Http404 from None


def _team_data(user, pk) -> dict:
    team = _team_or_404(user, pk)
    team.api_members = list(team.members.select_related("user", "department"))
    return TeamDetailOut(team).data


class ReadingBody(serializers.Serializer):
    value = serializers.DecimalField(max_digits=14, decimal_places=2)
    measured_on = serializers.DateField()
    note = serializers.CharField(required=False, max_length=200)


class ReadingAdd(APIView):
    @extend_schema(
        operation_id="teams_readings_add",
        summary="Record a reading of the team's metric",
        description="As the team page's progress form: the latest reading by date becomes the current value.",
        request={"application/json": ReadingBody},
        responses={201: TeamDetailOut, **ERRORS},
    )
    def post(self, request, pk):
        user = request.user
        team = _team_or_404(user, pk)
        _require(user, "contribute", team)
        services.reading_add(team=team, by=user, **_valid(forms.ReadingForm(form_data(request.data))))
        return Response(_team_data(user, team.pk), status=201)


class MeetingBody(serializers.Serializer):
    starts_at = serializers.CharField(help_text="Local time, YYYY-MM-DDTHH:MM.")
    minutes = serializers.IntegerField(min_value=5, max_value=600, help_text="Its length.")
    location = serializers.CharField(required=False, max_length=120)
    agenda = serializers.CharField(required=False)


class MeetingAdd(APIView):
    @extend_schema(
        operation_id="teams_meetings_add",
        summary="Add a meeting outside the cadence",
        request={"application/json": MeetingBody},
        responses={201: MeetingOut, **ERRORS},
    )
    def post(self, request, pk):
        user = request.user
        team = _team_or_404(user, pk)
        _require(user, "manage", team)
        meeting = services.meeting_add(team=team, by=user, **_valid(forms.MeetingAddForm(form_data(request.data))))
        return Response(MeetingOut(meeting).data, status=201)


class RecordBody(serializers.Serializer):
    agenda = serializers.CharField(required=False)
    minutes = serializers.CharField(required=False)
    decisions = serializers.CharField(required=False)
    held = serializers.BooleanField(required=False, help_text="The meeting was held.")
    attendance = serializers.DictField(
        child=serializers.CharField(),
        required=False,
        help_text="Attendance by person (their id): present, absent… Those left out keep theirs.",
    )


class MeetingRecord(APIView):
    @extend_schema(
        operation_id="teams_meetings_record",
        summary="Record a meeting",
        description="As the meeting page saves it: agenda, minutes and decisions (each replaced by what is "
        "sent; left out, kept), attendance, and whether it was held.",
        request={"application/json": RecordBody},
        responses={200: MeetingOut, **ERRORS},
    )
    def post(self, request, pk, meeting_pk):
        user = request.user
        team = _team_or_404(user, pk)
        meeting = _meeting_or_404(team, meeting_pk)
        _require(user, "contribute", team)
        raw = request.data if isinstance(request.data, dict) else None
        if raw is None:
            raise ValidationError({"non_field_errors": [_("Send a JSON object.")]})
        attendance = raw.get("attendance") or {}
        if not isinstance(attendance, dict):
            raise ValidationError({"attendance": [_("Give each person's attendance by their id.")]})
        rows = selectors.meeting_page(meeting)["attendance"]
        known = {str(row.user_id) for row in rows}
        if set(map(str, attendance)) - known:
            raise ValidationError({"attendance": [_("Only the people invited to the meeting have an attendance.")]})
        data = form_data({k: v for k, v in raw.items() if k != "attendance"})
        # What the page's form starts with, for what the caller leaves out.
        for name in ("agenda", "minutes", "decisions"):
            if name not in data:
                data[name] = getattr(meeting, name)
        if "held" not in data and meeting.status == Meeting.Status.HELD:
            data["held"] = "true"
        for row in rows:
            status = attendance.get(str(row.user_id), attendance.get(row.user_id, row.status))
            data[f"att_{row.user_id}"] = status if isinstance(status, str) else ""
        form = forms.MeetingRecordForm(data, attendance=rows)
        cleaned = _valid(form)
        meeting = services.meeting_record(
            meeting=meeting,
            by=user,
            agenda=cleaned["agenda"],
            minutes=cleaned["minutes"],
            decisions=cleaned["decisions"],
            attendance=form.attendance(),
            held=cleaned["held"],
        )
        return Response(MeetingOut(team.meetings.get(pk=meeting.pk)).data)


class ActionBody(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    owner = serializers.IntegerField(help_text="A member or the lead (their id).")
    department = serializers.IntegerField(help_text="The department (id).")
    due_on = serializers.DateField()


def _action_data(team: Team, pk: int) -> dict:
    return ActionItemOut(team.action_items.select_related("owner", "department", "task").get(pk=pk)).data


class ActionAdd(APIView):
    @extend_schema(
        operation_id="teams_meetings_action_items_add",
        summary="Add an action item to a meeting",
        request={"application/json": ActionBody},
        responses={201: ActionItemOut, **ERRORS},
    )
    def post(self, request, pk, meeting_pk):
        user = request.user
        team = _team_or_404(user, pk)
        meeting = _meeting_or_404(team, meeting_pk)
        _require(user, "contribute", team)
        data = form_data(request.data)
        for name in ("owner", "department"):
            if any(not (i.isdecimal() and len(i) <= 18) for i in data.getlist(name) if i):
                raise ValidationError({name: [_("Give an id.")]})
        cleaned = _valid(forms.ActionForm(data, team=team))
        item = services.action_add(meeting=meeting, by=user, **cleaned)
        return Response(_action_data(team, item.pk), status=201)


class ActionDone(APIView):
    @extend_schema(
        operation_id="teams_action_items_done",
        summary="Mark an action item done",
        description="Its owner, or anyone who contributes to the team.",
        request=None,
        responses={200: ActionItemOut, **ERRORS},
    )
    def post(self, request, pk, action_pk):
        user = request.user
        team = _team_or_404(user, pk)
        try:
            item = team.action_items.get(pk=_small_int(action_pk))
        except ActionItem.DoesNotExist:
            raise Http404 from None
        if not (can(user, "contribute", team) or item.owner_id == user.pk):
            raise PermissionDenied()
        services.action_done(item=item, by=user)
        return Response(_action_data(team, item.pk))
