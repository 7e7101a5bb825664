"""The action log: `log_action(...)` writes one row for every change that matters (pretix's
`log_action`), and the labels of the actions, which each app registers for its own actions
(`register_actions(SomeAction.choices)` in its AppConfig.ready), so the kernel knows no app's
words and every timeline shows the app's own.

After writing its row, `log_action` sends the `action_logged` signal (sender: the target's model;
arguments `target` and `entry`, the ActionLog row), inside the caller's transaction. An app above
that must react to what happens anywhere (outgoing webhooks) connects to it in its
AppConfig.ready instead of every service calling it; whatever a receiver writes commits or rolls
back with the change itself. A receiver must not do slow I/O: it queues work for after commit."""

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.dispatch import Signal

from core.models import ActionLog

# Sent by log_action after the row is written: sender=type(target), target=..., entry=ActionLog.
action_logged = Signal()

_labels: dict[str, object] = {}


def register_actions(choices: Iterable[tuple[str, object]]) -> None:
    """Make the actions' (lazy, translated) labels known. An action is namespaced by its app
    ("task.approved"), so two apps never claim the same one."""
    for value, label in choices:
        if value in _labels and _labels[value] != label:
            raise ValueError(f"The action {value!r} is registered twice with different labels.")
        _labels[value] = label


def action_label(action: str) -> str:
    """The registered label of `action` in the active language (the raw value when unknown)."""
    return str(_labels.get(action, action))


def log_action(
    target: models.Model,
    *,
    actor,
    action: str,
    acting_for=None,
    from_state: str = "",
    to_state: str | None = None,
    reason: str = "",
    comment: str = "",
    data: dict | None = None,
) -> ActionLog:
    """Record that `actor` (None: the system), perhaps acting for `acting_for`, did `action` to
    `target`. `to_state` defaults to the target's state now, after the step."""
    if to_state is None:
        to_state = getattr(target, "state", "") or ""
    entry = ActionLog.objects.create(
        content_type=ContentType.objects.get_for_model(target),
        object_id=target.pk,
        actor=actor,
        acting_for=acting_for,
        action=action,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        comment=comment,
        data=data or {},
    )
    action_logged.send(sender=type(target), target=target, entry=entry)
    return entry


def log_actions(
    targets: list[models.Model],
    *,
    actor,
    action: str,
    comment: str = "",
    data: dict | None = None,
    from_state: str = "",
) -> list[ActionLog]:
    """`log_action` for many targets of one model at once, one INSERT per thousand rows (a bulk
    import's rows, a sweep's batch); `action_logged` is sent for each, as log_action sends it."""
    if not targets:
        return []
    content_type = ContentType.objects.get_for_model(targets[0])
    entries = ActionLog.objects.bulk_create(
        [
            ActionLog(
                content_type=content_type,
                object_id=target.pk,
                actor=actor,
                action=action,
                from_state=from_state,
                to_state=getattr(target, "state", "") or "",
                comment=comment,
                data=dict(data or {}),
            )
            for target in targets
        ],
        batch_size=1000,
    )
    for target, entry in zip(targets, entries, strict=True):
        action_logged.send(sender=type(target), target=target, entry=entry)
    return entries


def actions_of(target: models.Model):
    """The action log of one object, oldest first, with who acted (one query)."""
    return ActionLog.objects.filter(
        content_type=ContentType.objects.get_for_model(target), object_id=target.pk
    ).select_related("actor", "acting_for")
