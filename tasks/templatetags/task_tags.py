from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

from tasks.models import Priority, Reason, Task

register = template.Library()

STATE_CLASS = {
    "draft": "text-bg-secondary",
    "pending_approval": "text-bg-warning",
    "pending_acceptance": "text-bg-warning",
    "in_progress": "text-bg-primary",
    "on_hold": "text-bg-dark",
    "pending_verification": "text-bg-info",
    "done": "text-bg-success",
    "rejected": "text-bg-danger",
    "cancelled": "text-bg-light border",
}
# Labels by value, looked up once: Model.get_FOO_display() rebuilds the choices' dict on every call,
# and the lists draw a state and a priority on every row.
STATE_LABEL = dict(Task.State.choices)
PRIORITY_LABEL = dict(Priority.choices)
PRIORITY_CLASS = {1: "text-body-secondary", 2: "", 3: "text-warning-emphasis fw-semibold", 4: "text-danger fw-bold"}


@register.filter
def reason_label(reason: str) -> str:
    """A reason from the fixed list (a step of the action log carries its value) in words."""
    return dict(Reason.choices).get(reason, reason)


@register.filter
def state_badge(task) -> str:
    """The request's state as a coloured badge; a draft an approver returned says so."""
    if task.is_returned:
        return format_html('<span class="badge text-bg-warning">{}</span>', _("Returned"))
    return format_html(
        '<span class="badge {}">{}</span>',
        STATE_CLASS.get(task.state, "text-bg-secondary"),
        STATE_LABEL.get(task.state, task.state),
    )


@register.filter
def priority_label(priority: int) -> str:
    return str(PRIORITY_LABEL.get(priority, priority))


@register.filter
def priority_class(priority: int) -> str:
    return PRIORITY_CLASS.get(priority, "")


@register.filter
def is_past(moment) -> bool:
    return bool(moment and moment < timezone.now())
