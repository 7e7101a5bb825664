"""What other apps call to tell people things. `notify` is the one way to record a notice; the
rest serve apps that write their own e-mails (summaries) on the same outbox.

This app knows nothing of requests, documents, teams or conflicts: a caller says who hears of
it, what kind of event it is (see kinds.py), the text, and the portal path it leads to.
"""

from collections.abc import Callable, Iterable

from django.conf import settings
from django.utils import timezone, translation

from departments.models import Department, User
from notifications import delivery, selectors
from notifications.models import Notification

# The outbox, for apps that write their own e-mails (weekly summaries, sweeps that batch).
queue = delivery.queue
deliveries_batched = delivery.deliveries_batched
hand_to_workers = delivery.hand_to_workers
preferences_for = delivery.preferences_for
site_link = delivery.site_link
# An outbox row for an e-mail an app wrote itself.
email = delivery.email_row


# One event to tell people of, as `notify` takes it: for `notify_each`.
Notice = delivery.Notice


def notify(
    recipients: Iterable[User | None],
    *,
    kind: str,
    message: Callable[[], str] | str,
    path: str = "",
    actor: User | None = None,
    department: Department | None = None,
    email: Callable[[User], tuple[str, str, str]] | None = None,
    target=None,
    decide: Iterable[str] = (),
) -> list[Notification]:
    """Record an in-app notice for each recipient and queue, in the same transaction, the e-mails
    they asked for and the posts of `department`'s IM robots that carry this kind.

    `kind` is the event ("approved", "document.countersign"…), governed by a choice registered in
    kinds.py; `message` the text, a callable evaluated in each recipient's language; `path` the
    portal page it leads to. Nobody hears of their own action (`actor`), nobody twice. `email`
    writes a custom e-mail per person (subject, text, HTML) instead of the one repeating the notice.
    `decide` names actions on `target` (registered in decisions.py) that each recipient may take
    from the message: their e-mail carries one decision link per action.
    """
    notice = Notice(
        recipients,
        kind=kind,
        message=message,
        path=path,
        actor=actor,
        department=department,
        email=email,
        target=target,
        decide=decide,
    )
    return notify_each([notice])[0]


def notify_each(notices: Iterable[Notice]) -> list[list[Notification]]:
    """`notify` for many events at once (a sweep's reminders): the notices of all of them are
    recorded in one insert and their e-mails and robot posts queued in another, so the queries do
    not grow with the number of events. Returns each event's notices, in the order given."""
    notices = list(notices)
    groups: list[list[Notification]] = []
    for notice in notices:
        rows, seen = [], set()
        for person in notice.recipients:
            if person is None or person.pk in seen or (notice.actor is not None and person.pk == notice.actor.pk):
                continue
            seen.add(person.pk)
            with translation.override(person.language or settings.LANGUAGE_CODE):
                text = str(notice.message() if callable(notice.message) else notice.message)[:300]
            rows.append(
                Notification(recipient=person, link=notice.path, actor=notice.actor, kind=notice.kind, message=text)
            )
        groups.append(rows)
    every = [row for rows in groups for row in rows]
    if not every:
        return groups
    Notification.objects.bulk_create(every)
    selectors.unread_changed(row.recipient_id for row in every)
    for notice, rows in zip(notices, groups, strict=True):
        if any(n.pk is None for n in rows):  # backends that do not return ids
            rows[:] = Notification.objects.filter(link=notice.path, kind=notice.kind).order_by("-pk")[: len(rows)]
    delivery.queue_for_notifications(list(zip(notices, groups, strict=True)))
    return groups


def mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    """Mark the person's unread notices read: those in `ids`, or all of them."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    marked = qs.update(read_at=timezone.now())
    if marked:
        selectors.unread_changed([user.pk])
    return marked
