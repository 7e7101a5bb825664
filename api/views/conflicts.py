"""Conflicts through the API: the lists, a conflict with its positions, raising one, and every
button of the conflict page."""

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from api import serializers as s
from api.views.common import ByPk, paginated, small_int, step_view_class
from conflicts import selectors as conflict_selectors
from conflicts.models import Conflict
from conflicts.rules import can as conflict_can
from conflicts.rules import can_raise_on_task, can_raise_on_team
from conflicts.services import ConflictError
from conflicts.services import conflict_raise as raise_conflict
from conflicts.views import ACTIONS as CONFLICT_ACTIONS
from conflicts.views import InvalidInput, raise_form
from conflicts.views import run_action as run_conflict_action
from teams.models import Team


class PartyOut(serializers.Serializer):
    department = s.DepartmentRef()
    agreed_at = serializers.DateTimeField(allow_null=True)


class ConflictOut(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    subject = serializers.CharField()
    state = serializers.CharField()
    state_label = serializers.CharField(source="get_state_display")
    raised_by = s.PersonRef()
    raised_at = serializers.DateTimeField()
    deadline_at = serializers.DateTimeField(allow_null=True)
    mediator = s.PersonRef(allow_null=True)
    arbiter = s.PersonRef(allow_null=True)
    request = serializers.CharField(source="task.number", allow_null=True, default=None)
    team = serializers.IntegerField(source="team_id", allow_null=True)
    parties = PartyOut(many=True, source="parties.all")


class PositionOut(serializers.Serializer):
    department = s.DepartmentRef()
    author = s.PersonRef()
    text = serializers.CharField()
    created_at = serializers.DateTimeField()


class ConflictDetailOut(ConflictOut):
    proposal = serializers.CharField()
    resolution = serializers.CharField()
    decision = serializers.CharField()
    positions = PositionOut(many=True, source="positions.all")
    allowed_steps = serializers.ListField(child=serializers.CharField(), source="api_allowed")


# Every button of the conflict page (conflicts.views.ACTIONS), under the same names.
CONFLICT_STEPS = CONFLICT_ACTIONS


def _conflict_or_404(user, pk) -> Conflict:
    try:
        return conflict_selectors.conflict_for_page(user, small_int(pk))
    except Conflict.DoesNotExist:
        raise Http404 from None


def conflict_data(user, conflict: Conflict) -> dict:
    """The conflict page's content (conflicts.views.detail) as ConflictDetailOut data."""
    conflict.api_allowed = [action for action in CONFLICT_ACTIONS if conflict_can(user, action, conflict)]
    return ConflictDetailOut(conflict).data


class RaiseBody(serializers.Serializer):
    request = serializers.CharField(required=False, help_text="The request it is about (its number)…")
    team = serializers.IntegerField(required=False, help_text="…or the team (its id).")
    subject = serializers.CharField(max_length=200)
    departments = serializers.ListField(
        child=serializers.IntegerField(), help_text="The departments in disagreement (ids), yours among them."
    )
    position = serializers.CharField(help_text="Your department's position.")


class ConflictStepBody(serializers.Serializer):
    text = serializers.CharField(
        required=False, help_text="Position, proposal, reason to escalate or withdraw, decision."
    )
    department = serializers.IntegerField(
        required=False, help_text="The party you speak for (id), when you speak for more than one."
    )
    seen_state = serializers.CharField(required=False, help_text="The state you saw: 409 if it moved on since.")
    seen_proposal_at = serializers.CharField(required=False, help_text="Agree: the proposal you saw (its time).")


class ConflictStepResult(serializers.Serializer):
    message = serializers.CharField()
    conflict = ConflictDetailOut(allow_null=True)


class ConflictList(APIView):
    @extend_schema(
        operation_id="conflicts_list",
        summary="Conflicts",
        parameters=[OpenApiParameter("scope", enum=["mine", "all"], description="Default mine.")],
        responses=ConflictOut(many=True),
    )
    def get(self, request):
        scope = request.query_params.get("scope", "mine")
        if scope not in ("mine", "all"):
            raise ValidationError({"scope": [_("Choose one of: %(scopes)s.") % {"scopes": "mine, all"}]})
        conflicts = conflict_selectors.conflict_list(request.user, scope)
        return paginated(self, conflicts, ConflictOut, ByPk)

    @extend_schema(
        operation_id="conflicts_raise",
        summary="Raise a conflict",
        description="About a request (`request`, its number) or a team (`team`, its id), as the raising "
        "page does it: who may raise it and the departments named are checked the same way.",
        request={"application/json": RaiseBody},
        responses={201: ConflictDetailOut, 400: s.ErrorBody, 403: s.ErrorBody, 404: s.ErrorBody},
    )
    def post(self, request):
        from api.views.requests import form_data, form_errors, task_or_404

        user = request.user
        data = form_data(request.data)
        number, team_id = data.get("request", ""), data.get("team", "")
        if bool(number) == bool(team_id):
            raise ValidationError({"request": [_("Give either the request's number or the team's id.")]})
        if any(not (i.isdecimal() and len(i) <= 18) for i in data.getlist("departments") if i):
            raise ValidationError({"departments": [_("Give the departments' ids.")]})
        task = team = None
        if number:
            task = task_or_404(user, number)
            if not can_raise_on_task(user, task):
                raise PermissionDenied()
        else:
            team = Team.objects.visible_to(user).filter(pk=small_int(team_id)).first()
            if team is None:
                raise Http404
            if not can_raise_on_team(user, team):
                raise PermissionDenied()
        form = raise_form(user, data, task=task, team=team)
        if not form.is_valid():
            raise ValidationError(form_errors(form))
        try:
            conflict = raise_conflict(by=user, task=task, team=team, **form.cleaned_data)
        except ConflictError as exc:
            raise ValidationError({"non_field_errors": [str(exc)]}) from None
        return Response(conflict_data(user, _conflict_or_404(user, conflict.pk)), status=201)


class ConflictDetail(APIView):
    @extend_schema(operation_id="conflicts_retrieve", summary="A conflict", responses=ConflictDetailOut)
    def get(self, request, pk):
        return Response(conflict_data(request.user, _conflict_or_404(request.user, pk)))


class ConflictStep(APIView):
    """POST /api/v1/conflicts/<id>/<step>/: one step, as the conflict page's button takes it."""

    step = ""

    def post(self, request, pk):
        from api.views.requests import form_data, form_errors

        user = request.user
        conflict = _conflict_or_404(user, pk)
        data = form_data(request.data)
        try:
            done = run_conflict_action(self.step, conflict, user, data, data.get("seen_state") or None)
        except InvalidInput as exc:
            raise ValidationError(form_errors(exc.form)) from None
        try:
            conflict = _conflict_or_404(user, conflict.pk)
        except Http404:
            return Response({"message": done, "conflict": None})
        return Response({"message": done, "conflict": conflict_data(user, conflict)})


def conflict_step_view(step: str):
    errors = {code: s.ErrorBody for code in (400, 403, 404, 409)}
    return step_view_class(ConflictStep, "conflict", step, ConflictStepBody, {200: ConflictStepResult, **errors})
