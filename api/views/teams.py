"""The team pages through the API: teams with their members, meetings and action items; and the
writes: a progress reading, a meeting added, a meeting's
record (agenda, attendance, minutes, decisions, held), an action item added and marked done, the
team started, completed or cancelled, the plan's milestones added, changed and removed. Each
checks the rule of teams/rules.py the page checks, validates with the page's form and calls the
page's service (teams.forms, teams.services)."""

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from api import serializers as s
from api.views.common import ByPk, paginated, small_int
from api.views.requests import form_data, form_errors
from teams import forms, selectors, services
from teams.models import ActionItem, Meeting, Milestone, Team
from teams.rules import can
from teams.views import InvalidTransition, run_transition

ERRORS = {400: s.ErrorBody, 403: s.ErrorBody, 404: s.ErrorBody, 409: s.ErrorBody}


# The team pages' reads: teams, meetings, action items.


class TeamOut(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    state = serializers.CharField()
    state_label = serializers.CharField(source="get_state_display")
    lead = s.PersonRef()
    metric = serializers.CharField()
    unit = serializers.CharField()
    baseline = serializers.DecimalField(max_digits=14, decimal_places=2)
    target_value = serializers.DecimalField(max_digits=14, decimal_places=2)
    current_value = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    starts_on = serializers.DateField()
    deadline = serializers.DateField()


class TeamMemberOut(serializers.Serializer):
    person = s.PersonRef(source="user")
    department = s.DepartmentRef()
    role = serializers.CharField()


class TeamDetailOut(TeamOut):
    goal = serializers.CharField()
    members = TeamMemberOut(many=True, source="api_members")


class MeetingOut(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    location = serializers.CharField()
    status = serializers.CharField()
    agenda = serializers.CharField()
    minutes = serializers.CharField()
    decisions = serializers.CharField()


class ActionItemOut(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    title = serializers.CharField()
    owner = s.PersonRef()
    department = s.DepartmentRef()
    due_on = serializers.DateField()
    done_at = serializers.DateTimeField(allow_null=True)
    meeting = serializers.IntegerField(source="meeting_id")
    request = serializers.CharField(source="task.number", allow_null=True, default=None)


def _team_or_404(user, pk) -> Team:
    try:
        return selectors.team_for_page(user, small_int(pk))
    except Team.DoesNotExist:
        raise Http404 from None


class TeamList(APIView):
    @extend_schema(
        operation_id="teams_list",
        summary="Teams",
        parameters=[OpenApiParameter("mine", bool), OpenApiParameter("state", enum=Team.State.values)],
        responses=TeamOut(many=True),
    )
    def get(self, request):
        state = request.query_params.get("state", "")
        if state and state not in Team.State.values:
            raise ValidationError({"state": [_("Choose a team state.")]})
        mine = request.query_params.get("mine") in ("1", "true")
        teams = selectors.teams_for_list(request.user, state=state, mine=mine)
        return paginated(self, teams, TeamOut, ByPk)


class TeamDetail(APIView):
    @extend_schema(operation_id="teams_retrieve", summary="A team and its members", responses=TeamDetailOut)
    def get(self, request, pk):
        team = _team_or_404(request.user, pk)
        team.api_members = list(team.members.select_related("user", "department"))
        return Response(TeamDetailOut(team).data)


class MeetingList(APIView):
    @extend_schema(operation_id="teams_meetings_list", summary="A team's meetings", responses=MeetingOut(many=True))
    def get(self, request, pk):
        team = _team_or_404(request.user, pk)
        return Response(MeetingOut(team.meetings.order_by("starts_at", "pk"), many=True).data)


class ActionItemList(APIView):
    @extend_schema(
        operation_id="teams_action_items_list", summary="A team's action items", responses=ActionItemOut(many=True)
    )
    def get(self, request, pk):
        team = _team_or_404(request.user, pk)
        items = team.action_items.select_related("owner", "department", "task").order_by("due_on", "pk")
        return Response(ActionItemOut(items, many=True).data)


# The team pages' writes.


def _require(user, action: str, team: Team) -> None:
    if not can(user, action, team):
        raise PermissionDenied()


def _valid(form):
    if not form.is_valid():
        raise ValidationError(form_errors(form))
    return form.cleaned_data


def _meeting_or_404(team: Team, pk) -> Meeting:
    try:
        return team.meetings.get(pk=small_int(pk))
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
            item = team.action_items.get(pk=small_int(action_pk))
        except ActionItem.DoesNotExist:
            raise Http404 from None
        if not (can(user, "contribute", team) or item.owner_id == user.pk):
            raise PermissionDenied()
        services.action_done(item=item, by=user)
        return Response(_action_data(team, item.pk))


class TransitionBody(serializers.Serializer):
    comment = serializers.CharField(required=False, help_text="complete: what the team achieved (optional).")
    reason = serializers.CharField(required=False, help_text="cancel: why (required).")
    seen_state = serializers.CharField(required=False, help_text="The state you saw: 409 if it moved on since.")


TEAM_STEPS = ("start", "complete", "cancel")


def team_step_view(step: str) -> type[APIView]:
    """Start, complete or cancel a team, as the team page's buttons do (its lead or an admin)."""

    class TeamStep(APIView):
        @extend_schema(
            operation_id=f"teams_{step}",
            summary={"start": "Start the team", "complete": "Complete the team", "cancel": "Cancel the team"}[step],
            request={"application/json": TransitionBody},
            responses={200: TeamDetailOut, **ERRORS},
        )
        def post(self, request, pk):
            user = request.user
            team = _team_or_404(user, pk)
            if not can(user, "manage", team) and not can(user, step, team):
                raise PermissionDenied()
            data = form_data(request.data)
            try:
                run_transition(step, team, user, data, data.get("seen_state") or team.state)
            except InvalidTransition as exc:
                raise ValidationError(form_errors(exc.form)) from None
            return Response(_team_data(user, team.pk))

    TeamStep.__name__ = f"Team{step.title()}"
    return TeamStep


class MilestoneOut(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    title = serializers.CharField()
    starts_on = serializers.DateField()
    due_on = serializers.DateField()
    department = s.DepartmentRef()
    deliverable = serializers.CharField()
    status = serializers.ChoiceField(choices=Milestone.Status.choices)
    depends_on = serializers.SerializerMethodField(help_text="The milestones it waits on (ids).")
    done_on = serializers.DateField(allow_null=True)

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_depends_on(self, milestone) -> list[int]:
        return [m.pk for m in milestone.depends_on.all()]


class MilestoneBody(serializers.Serializer):
    title = serializers.CharField(max_length=160)
    starts_on = serializers.DateField()
    due_on = serializers.DateField()
    department = serializers.IntegerField(help_text="The responsible department (id).")
    deliverable = serializers.CharField(required=False, max_length=200)
    status = serializers.ChoiceField(choices=Milestone.Status.choices, required=False)
    depends_on = serializers.ListField(
        child=serializers.IntegerField(), required=False, help_text="Milestones of the same team (ids)."
    )


def _milestones(team: Team):
    return team.milestones.select_related("department").prefetch_related("depends_on")


def _save_milestone(request, team: Team, milestone: Milestone | None):
    """Validate with the page's form (fields left out keep the milestone's values) and save through the
    page's service, which checks the dates against the team's span and the dependencies."""
    raw = request.data if isinstance(request.data, dict) else None
    if raw is None:
        raise ValidationError({"non_field_errors": [_("Send a JSON object.")]})
    data = form_data({k: v for k, v in raw.items() if k != "depends_on"})
    if milestone is not None:
        for name in ("title", "starts_on", "due_on", "deliverable", "status"):
            if name not in data:
                data[name] = str(getattr(milestone, name))
        if "department" not in data:
            data["department"] = str(milestone.department_id)
    if "status" not in data:
        data["status"] = Milestone.Status.PLANNED
    depends = raw.get("depends_on", [m.pk for m in milestone.depends_on.all()] if milestone else [])
    if not isinstance(depends, list) or not all(isinstance(i, int) and 0 < i < 2**63 for i in depends):
        raise ValidationError({"depends_on": [_("Give a list of ids.")]})
    data.setlist("depends_on", [str(i) for i in depends])
    if not str(data.get("department", "")).isdecimal() or len(str(data["department"])) > 18:
        raise ValidationError({"department": [_("Give an id.")]})
    cleaned = _valid(forms.MilestoneForm(data, instance=milestone, team=team))
    return services.milestone_save(
        team=team, by=request.user, values=cleaned, depends_on=cleaned["depends_on"], milestone=milestone
    )


class MilestoneList(APIView):
    @extend_schema(operation_id="teams_milestones_list", summary="A team's plan", responses=MilestoneOut(many=True))
    def get(self, request, pk):
        team = _team_or_404(request.user, pk)
        return Response(MilestoneOut(_milestones(team), many=True).data)

    @extend_schema(
        operation_id="teams_milestones_add",
        summary="Add a milestone to the plan",
        description="As the plan page: inside the team's span, due after it starts and after what it depends on.",
        request={"application/json": MilestoneBody},
        responses={201: MilestoneOut, **ERRORS},
    )
    def post(self, request, pk):
        team = _team_or_404(request.user, pk)
        _require(request.user, "manage", team)
        milestone = _save_milestone(request, team, None)
        return Response(MilestoneOut(_milestones(team).get(pk=milestone.pk)).data, status=201)


class MilestoneDetail(APIView):
    def _get(self, request, pk, milestone_pk):
        team = _team_or_404(request.user, pk)
        try:
            return team, team.milestones.get(pk=small_int(milestone_pk))
        except Milestone.DoesNotExist:
            raise Http404 from None

    @extend_schema(
        operation_id="teams_milestones_update",
        summary="Change a milestone",
        description="Fields left out keep their values.",
        request={"application/json": MilestoneBody},
        responses={200: MilestoneOut, **ERRORS},
    )
    def patch(self, request, pk, milestone_pk):
        team, milestone = self._get(request, pk, milestone_pk)
        _require(request.user, "manage", team)
        _save_milestone(request, team, milestone)
        return Response(MilestoneOut(_milestones(team).get(pk=milestone.pk)).data)

    @extend_schema(
        operation_id="teams_milestones_delete", summary="Remove a milestone", responses={204: None, **ERRORS}
    )
    def delete(self, request, pk, milestone_pk):
        team, milestone = self._get(request, pk, milestone_pk)
        _require(request.user, "manage", team)
        services.milestone_delete(milestone=milestone, by=request.user)
        return Response(status=204)
