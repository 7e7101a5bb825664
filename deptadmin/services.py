"""What a department's administrator changes: dispatch rules, members' skills, robots and
calendar exceptions. Each write goes through the model's save() or delete() (so the configuration
history records it) and leaves one action-log row on the department."""

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import TextChoices
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.actions import log_action
from core.workflow import StepError
from departments.models import CalendarDay, Department, Skill, User
from notifications.delivery import queue
from notifications.models import Delivery, ImRobot
from tasks.models import RequestType


class DeptAdminAction(TextChoices):
    DISPATCH_CHANGED = "deptadmin.dispatch_changed", gettext_lazy("changed a request type's dispatch rule")
    SKILLS_CHANGED = "deptadmin.skills_changed", gettext_lazy("changed a member's skills")
    ROBOT_SAVED = "deptadmin.robot_saved", gettext_lazy("saved an IM robot")
    ROBOT_DELETED = "deptadmin.robot_deleted", gettext_lazy("deleted an IM robot")
    ROBOT_TESTED = "deptadmin.robot_tested", gettext_lazy("sent a test message to an IM robot")
    DAY_ADDED = "deptadmin.calendar_day_added", gettext_lazy("added a calendar exception")
    DAY_DELETED = "deptadmin.calendar_day_deleted", gettext_lazy("deleted a calendar exception")


class DeptAdminError(StepError):
    """A change the page refuses, with the reason to show."""


def _names(skills: Iterable[Skill]) -> list[str]:
    return sorted(skill.name for skill in skills)


def dispatch_rule_set(*, request_type: RequestType, by: User, auto_assign: str, skills: Iterable[Skill]) -> None:
    """Set how requests of the type are assigned when they reach the department, and the skills
    that steer the suggestion."""
    skills = list(skills)
    with transaction.atomic():
        before = (request_type.auto_assign, _names(request_type.skills.all()))
        request_type.auto_assign = auto_assign
        request_type.save(update_fields=["auto_assign"])
        request_type.skills.set(skills)
        log_action(
            request_type.department,
            actor=by,
            action=DeptAdminAction.DISPATCH_CHANGED,
            data={
                "request_type": request_type.code,
                "from": {"auto_assign": before[0], "skills": before[1]},
                "to": {"auto_assign": auto_assign, "skills": _names(skills)},
            },
        )


def member_skills_set(*, department: Department, person: User, by: User, skills: Iterable[Skill]) -> None:
    """Set a member's skills (a person's skills are their own, whichever department edits them)."""
    skills = list(skills)
    with transaction.atomic():
        before = _names(person.skills.all())
        person.skills.set(skills)
        log_action(
            department,
            actor=by,
            action=DeptAdminAction.SKILLS_CHANGED,
            data={"person": person.username, "from": before, "to": _names(skills)},
        )


def robot_save(*, robot: ImRobot, by: User) -> ImRobot:
    """Add or change one of the department's robots (its department set by the page)."""
    with transaction.atomic():
        robot.save()
        log_action(
            robot.department, actor=by, action=DeptAdminAction.ROBOT_SAVED, data={"robot": robot.pk, "name": robot.name}
        )
    return robot


def robot_delete(*, robot: ImRobot, by: User) -> None:
    with transaction.atomic():
        department, data = robot.department, {"robot": robot.pk, "name": robot.name}
        robot.delete()
        log_action(department, actor=by, action=DeptAdminAction.ROBOT_DELETED, data=data)


def robot_test(*, robot: ImRobot, by: User) -> None:
    """Queue a test message for the robot through the outbox (a worker posts it after the commit;
    the robot's delivery history in the admin shows whether it arrived)."""
    if not robot.is_active:
        raise DeptAdminError(_("The robot is turned off; turn it on to test it."))
    now = timezone.now()
    text = _("Test message from Collab Portal, sent by %(name)s for %(department)s.") % {
        "name": by.name,
        "department": robot.department.display_name,
    }
    with transaction.atomic():
        queue(
            [
                Delivery(
                    key=f"webhook:{robot.pk}:test:{now.timestamp():.6f}",
                    channel=Delivery.Channel.WEBHOOK,
                    kind="test",
                    robot=robot,
                    address=robot.url,
                    subject=text[:300],
                    body=text,
                )
            ]
        )
        log_action(robot.department, actor=by, action=DeptAdminAction.ROBOT_TESTED, data={"robot": robot.pk})


def calendar_day_add(*, day: CalendarDay, by: User) -> CalendarDay:
    """Add one of the department's own exceptions (its department set by the page)."""
    try:
        with transaction.atomic():
            day.save()
            log_action(
                day.department,
                actor=by,
                action=DeptAdminAction.DAY_ADDED,
                data={"date": day.date.isoformat(), "kind": day.kind, "name": day.name},
            )
    except IntegrityError:  # two people adding the same date at once
        raise DeptAdminError(_("The department already has an exception on this date.")) from None
    return day


def calendar_day_delete(*, day: CalendarDay, by: User) -> None:
    with transaction.atomic():
        department, data = day.department, {"date": day.date.isoformat(), "kind": day.kind, "name": day.name}
        day.delete()
        log_action(department, actor=by, action=DeptAdminAction.DAY_DELETED, data=data)
