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
    rows, seen = [], set()
    for person in recipients:
        if person is None or person.pk in seen or (actor is not None and person.pk == actor.pk):
            continue
        seen.add(person.pk)
        with translation.override(person.language or settings.LANGUAGE_CODE):
            text = str(message() if callable(message) else message)[:300]
        rows.append(Notification(recipient=person, link=path, actor=actor, kind=kind, message=text))
    if not rows:
        return []
    created = Notification.objects.bulk_create(rows)
    selectors.unread_changed(row.recipient_id for row in rows)
    if any(n.pk is None for n in created):  # backends that do not return ids
        created = list(Notification.objects.filter(link=path, kind=kind).order_by("-pk")[: len(rows)])
    delivery.queue_for_notifications(created, department=department, email=email, target=target, decide=decide)
    return created


def mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    """Mark the person's unread notices read: those in `ids`, or all of them."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    marked = qs.update(read_at=timezone.now())
    if marked:
        selectors.unread_changed([user.pk])
    return marked
