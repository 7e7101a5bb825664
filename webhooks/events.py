"""Which events happen, and to whom they go: the receivers of `core.actions.action_logged` and
`tasks.signals.request_overdue` (connected in apps.py) turn a logged action into events, build
each event's payload and write a delivery for every endpoint that wants it, in the transaction of
the change itself (the outbox). Nothing here does I/O: the workers send after commit."""

import json
import uuid
from collections.abc import Iterable

from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from conflicts.models import Conflict, ConflictAction
from documents.models import Document, DocumentAction
from notifications.services import site_link
from tasks.models import Task, TaskAction
from teams.models import Team, TeamAction
from webhooks.models import Delivery, Endpoint, Event

# (target model, logged action) → the event it is. Approvals, state changes and goals need a
# look at the log row as well (events_for).
ACTION_EVENTS = {
    (Task, TaskAction.SUBMITTED): Event.REQUEST_FILED,
    (Task, TaskAction.REJECTED): Event.REQUEST_REJECTED,
    (Task, TaskAction.DECLINED): Event.REQUEST_REJECTED,
    (Task, TaskAction.ACCEPTED): Event.REQUEST_ASSIGNED,
    (Task, TaskAction.ASSIGNED): Event.REQUEST_ASSIGNED,
    (Document, DocumentAction.ISSUED): Event.DOCUMENT_ISSUED,
    (Conflict, ConflictAction.ESCALATED): Event.CONFLICT_ESCALATED,
    (Conflict, ConflictAction.AUTO_ESCALATED): Event.CONFLICT_ESCALATED,
    (Conflict, ConflictAction.DECIDED): Event.CONFLICT_DECIDED,
}

SUBSCRIPTIONS_KEY = "webhooks:subscriptions"


def subscriptions() -> list[tuple[int, int | None, frozenset[str]]]:
    """Every active endpoint as (id, department id, events), cached until an endpoint changes, so
    a step that logs an action asks the database nothing when no endpoint wants its event."""
    found = cache.get(SUBSCRIPTIONS_KEY)
    if found is None:
        found = [
            (pk, department_id, frozenset(events or []))
            for pk, department_id, events in Endpoint.objects.filter(status=Endpoint.Status.ACTIVE).values_list(
                "pk", "department_id", "events"
            )
        ]
        # Saving an endpoint deletes the entry at once in a shared cache (Redis); where each process
        # has its own (the embedded default), the others see the change within a minute.
        cache.set(SUBSCRIPTIONS_KEY, found, 60)
    return found


def subscriptions_changed() -> None:
    cache.delete(SUBSCRIPTIONS_KEY)
    transaction.on_commit(lambda: cache.delete(SUBSCRIPTIONS_KEY))


def goal_reached(team: Team) -> bool:
    """Whether the team's current value has reached its target, in the target's direction."""
    if team.current_value is None:
        return False
    if team.target_value >= team.baseline:
        return team.current_value >= team.target_value
    return team.current_value <= team.target_value


def events_for(target, entry) -> list[tuple[str, str]]:
    """The events one action log row makes, each with its key (one message per event and endpoint)."""
    model = type(target)
    if model is Task and entry.from_state == Task.State.DRAFT and entry.action != TaskAction.SUBMITTED:
        return []  # a draft is its requester's alone until submitted (a cancelled draft says nothing)
    found = []
    event = ACTION_EVENTS.get((model, entry.action))
    if event:
        found.append((event, f"log:{entry.pk}"))
    if model is Task:
        if entry.action == TaskAction.APPROVED and entry.to_state != Task.State.PENDING_APPROVAL:
            found.append((Event.REQUEST_APPROVED, f"log:{entry.pk}"))  # the last approval of the chain
        if entry.from_state and entry.to_state and entry.from_state != entry.to_state:
            found.append((Event.REQUEST_STATE_CHANGED, f"log:{entry.pk}"))
    elif model is Team and entry.action == TeamAction.READING and goal_reached(target):
        found.append((Event.TEAM_GOAL_REACHED, f"team:{target.pk}:goal"))  # once per team
    return found


def departments_of(target) -> set[int]:
    """The departments an object is about, for endpoints of one department."""
    if isinstance(target, Task):
        found = {target.requesting_department_id, target.target_department_id}
        found.update(target.co_departments.values_list("pk", flat=True))
    elif isinstance(target, Document):
        found = {target.department_id}
    elif isinstance(target, Conflict):
        found = set(target.parties.values_list("department_id", flat=True))
        if target.task_id:
            found |= departments_of(target.task)
        if target.team_id:
            found |= departments_of(target.team)
    elif isinstance(target, Team):
        found = set(target.members.values_list("department_id", flat=True))
    else:
        found = set()
    return {pk for pk in found if pk is not None}


def _department(department) -> dict | None:
    if department is None:
        return None
    return {"code": department.code, "name": department.name, "name_en": department.name_en}


def _title(title: str, confidential: bool) -> dict:
    return {"title": None if confidential else title, "confidential": confidential}


def _private(team) -> bool:
    return team is not None and team.private


def essentials(target) -> dict:
    """What a receiver needs to know of the object without asking the portal. The words of a
    confidential request, a 秘密 document, a conflict about a confidential request and a private
    team stay in the portal: `confidential` is true and `title` is null (the receiver follows `url`,
    where the portal's own rule decides who may read them)."""
    if isinstance(target, Task):
        return {
            "object": "request",
            "id": target.pk,
            "number": target.number,
            **_title(target.title, target.confidential),
            "state": target.state,
            "department": _department(target.target_department),
            "requesting_department": _department(target.requesting_department),
            "url": site_link(reverse("tasks:detail", args=[target.number])),
        }
    if isinstance(target, Document):
        return {
            "object": "document",
            "id": target.pk,
            "number": target.number.text if target.number_id else None,
            **_title(target.title, target.named_only),
            "state": target.state,
            "department": _department(target.department),
            "url": site_link(reverse("documents:detail", args=[target.pk])),
        }
    if isinstance(target, Conflict):
        return {
            "object": "conflict",
            "id": target.pk,
            "number": target.task.number if target.task_id else None,
            **_title(target.subject, bool(target.task_id and target.task.confidential) or _private(target.team)),
            "state": target.state,
            "department": _department(target.task.target_department) if target.task_id else None,
            "url": site_link(reverse("conflicts:detail", args=[target.pk])),
        }
    return {
        "object": "team",
        "id": target.pk,
        "number": None,
        **_title(target.name, target.private),
        "state": target.state,
        "department": None,
        "metric": None if target.private else target.metric,
        "target_value": str(target.target_value),
        "current_value": None if target.current_value is None else str(target.current_value),
        "url": site_link(reverse("teams:detail", args=[target.pk])),
    }


def _actor(person) -> dict | None:
    return None if person is None else {"username": person.get_username(), "name": str(person)}


def payload(event: str, target, *, actor=None, at=None, entry=None) -> str:
    """The JSON body of one event: {"type", "timestamp", "data"} (Standard Webhooks' shape)."""
    at = at or timezone.now()
    data = {**essentials(target), "actor": _actor(actor)}
    if entry is not None:
        data.update({"action": entry.action, "from_state": entry.from_state, "to_state": entry.to_state})
    return json.dumps(
        {"type": event, "timestamp": at.isoformat(), "data": data},
        ensure_ascii=False,
        separators=(",", ":"),
        sort_keys=True,
    )


def endpoints_wanting(events: Iterable[str]) -> list[tuple[int, int | None, list[str]]]:
    """The active endpoints that chose any of `events`, as (id, department id, events). The cache
    only says whether anyone may want them; the endpoints are read from the database, in the
    caller's transaction, so a stale cache entry never names a missing one."""
    events = set(events)
    candidates = {pk for pk, _department, wanted in subscriptions() if events & wanted}
    if not candidates:
        return []
    return list(
        Endpoint.objects.filter(pk__in=sorted(candidates), status=Endpoint.Status.ACTIVE).values_list(
            "pk", "department_id", "events"
        )
    )


def _rows(target, events, endpoints, *, actor=None, at=None, entry=None) -> list[Delivery]:
    wanted = [(event, key, [e for e in endpoints if event in e[2]]) for event, key in events]
    wanted = [(event, key, subs) for event, key, subs in wanted if subs]
    departments = None
    if any(department_id is not None for _e, _k, subs in wanted for _p, department_id, _ev in subs):
        departments = departments_of(target)
    rows = []
    for event, key, subs in wanted:
        body = None
        for endpoint_id, department_id, _events in subs:
            if department_id is not None and department_id not in departments:
                continue
            body = body or payload(event, target, actor=actor, at=at, entry=entry)
            rows.append(
                Delivery(
                    endpoint_id=endpoint_id,
                    key=f"{event}:{key}",
                    message_id=f"msg_{uuid.uuid4().hex}",
                    event=event,
                    body=body,
                )
            )
    return rows


def _save(rows: list[Delivery]) -> list[int]:
    """Write the deliveries (one per event and endpoint: a repeated key is skipped) in the
    caller's transaction; the workers get them after commit."""
    if not rows:
        return []
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)
    ids = list(
        Delivery.objects.filter(message_id__in=[row.message_id for row in rows])
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    from webhooks.delivery import hand_to_workers

    transaction.on_commit(lambda: hand_to_workers(ids))
    return ids


def queue(target, events: Iterable[tuple[str, str]], *, actor=None, at=None, entry=None) -> list[int]:
    """Queue these events (each with its key) about `target` for every endpoint that wants them."""
    events = list(events)
    endpoints = endpoints_wanting(event for event, _key in events)
    if not endpoints:
        return []
    return _save(_rows(target, events, endpoints, actor=actor, at=at, entry=entry))


def on_action_logged(sender, target, entry, **kwargs) -> None:
    events = events_for(target, entry)
    if events:
        queue(target, events, actor=entry.actor, at=entry.created_at, entry=entry)


def on_request_overdue(sender, tasks, **kwargs) -> None:
    endpoints = endpoints_wanting([Event.REQUEST_OVERDUE])
    if not endpoints:
        return
    rows = []
    for task in tasks:
        key = f"overdue:{task.pk}:{task.due_at.isoformat()}"
        rows.extend(_rows(task, [(Event.REQUEST_OVERDUE, key)], endpoints))
    _save(rows)
