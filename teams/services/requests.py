"""Requests a team files or links, and action items turned into requests."""

from datetime import datetime, time

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.actions import log_action
from departments.models import Department, User
from tasks import services as task_services
from tasks.models import RequestType, Task
from teams.models import ActionItem, Milestone, Team, TeamAction, TeamRequest
from teams.rules import can
from teams.services.common import TeamError, _step


def _may_add_request(team: Team, by: User, milestone: Milestone | None) -> None:
    if milestone is not None and milestone.team_id != team.pk:
        raise TeamError(_("That milestone belongs to another team."))
    if not can(by, "contribute", team):
        raise TeamError(_("You may not do this to this team."))


def team_request_file(
    *,
    team: Team,
    by: User,
    request_type: RequestType,
    title: str,
    description: str = "",
    milestone: Milestone | None = None,
    wanted_by: datetime | None = None,
) -> TeamRequest:
    """File an ordinary request (submitted into the normal flow) under the team's plan."""
    _may_add_request(team, by, milestone)
    if not simple_request_types().filter(pk=request_type.pk).exists():
        raise TeamError(_("This request type needs more details: file it from New request, then link it to the team."))
    with transaction.atomic():
        task = task_services.task_create(
            by=by,
            request_type=request_type,
            title=title,
            description=description,
            wanted_by=wanted_by,
            confidential=team.private,
            submit=True,
        )
        link = TeamRequest.objects.create(team=team, milestone=milestone, task=task, added_by=by)
        log_action(team, actor=by, action=TeamAction.PLAN, comment=task.number)
    return link


def team_request_link(*, team: Team, by: User, task: Task, milestone: Milestone | None = None) -> TeamRequest:
    """Link an existing request the user can see to the team (and a milestone)."""
    _may_add_request(team, by, milestone)
    if not Task.objects.visible_to(by).filter(pk=task.pk).exists():
        raise TeamError(_("No request with this number that you can see."))
    if task.state == Task.State.DRAFT:
        # A draft is its requester's alone; linked, it would be a request the team cannot see.
        raise TeamError(_("A draft cannot be linked: submit it first."))
    try:
        with transaction.atomic():
            link = TeamRequest.objects.create(team=team, milestone=milestone, task=task, added_by=by)
            log_action(team, actor=by, action=TeamAction.PLAN, comment=task.number)
    except IntegrityError:
        raise TeamError(_("This request is already linked to the team.")) from None
    return link


def simple_request_types():
    """Request types that can be filed from a title and description alone (no required fields)."""
    return RequestType.objects.filter(is_active=True, department__is_active=True).exclude(fields__required=True)


def default_request_type(department: Department) -> RequestType | None:
    return simple_request_types().filter(department=department).order_by("sort_order", "pk").first()


def action_to_request(*, item: ActionItem, by: User, request_type: RequestType | None = None) -> Task:
    """Turn an action item into an ordinary request to its department with one click: the
    department's first request type unless another is given, due at the end of the item's due
    day, the owner in copy; the request is linked to the team and follows the normal flow."""
    request_type = request_type or default_request_type(item.department)
    if request_type is None:
        raise TeamError(
            _(
                "%(department)s has no request type that can be filed in one click; file the request from "
                "New request and link it to the team."
            )
            % {"department": item.department.display_name}
        )
    if request_type.department_id != item.department_id:
        raise TeamError(_("Choose a request type of the action item's department."))
    with _step(item.team, by, "contribute") as s:
        team = s.row
        item = ActionItem.objects.select_for_update().get(pk=item.pk)
        if item.task_id is not None:
            raise TeamError(_("This action item is already a request."))
        wanted = datetime.combine(item.due_on, time(18, 0), tzinfo=timezone.get_default_timezone())
        if wanted < timezone.now():
            wanted = None
        try:
            task = task_services.task_create(
                by=by,
                request_type=request_type,
                title=item.title,
                description=_("Action item of team “%(team)s”, meeting of %(when)s; owner: %(owner)s.")
                % {
                    "team": team.name,
                    "when": timezone.localtime(item.meeting.starts_at).strftime("%Y-%m-%d"),
                    "owner": item.owner.name,
                },
                watchers=[item.owner],
                wanted_by=wanted,
                confidential=team.private,
                submit=True,
            )
        except task_services.TaskError as error:
            raise TeamError(str(error)) from None
        item.task = task
        item.save(update_fields=["task"])
        TeamRequest.objects.get_or_create(team=team, task=task, defaults={"added_by": by})
        log_action(team, actor=by, acting_for=s.acting_for, action=TeamAction.ACTION, comment=task.number)
    return task
