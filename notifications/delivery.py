"""Delivering notifications by e-mail and IM robots through an outbox.

Deliveries are written in the same transaction as the change that caused them,
handed to Celery after commit, and re-sent by a beat sweep while still pending,
so a broker outage delays them and loses none. A worker claims a delivery with
a conditional UPDATE before sending, so each is sent at most once.
"""

import base64
import hashlib
import hmac
import json
import logging
import time
import urllib.parse
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation

from core import broker
from notifications import decisions
from notifications.models import Delivery, ImAccount, ImApp, ImRobot, Notification, NotificationPreference

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
STALE_CLAIM = timedelta(minutes=10)


def preferences_for(people) -> dict[int, NotificationPreference]:
    """Each person's preference (the defaults when they never saved one), in one query."""
    ids = {person.pk for person in people}
    found = {p.user_id: p for p in NotificationPreference.objects.filter(user_id__in=sorted(ids))} if ids else {}
    return {pk: found.get(pk) or NotificationPreference(user_id=pk) for pk in ids}


def site_link(path: str) -> str:
    """The absolute address of a portal path, for e-mails and IM messages."""
    return settings.SITE_URL.rstrip("/") + path


def _email_parts(user, text: str, path: str, actions) -> tuple[str, str, str]:
    """The standard e-mail repeating a notice, in the active language: its subject (put on one line
    by email_row), text and HTML."""
    context = {"user": user, "subject": text, "text": text, "link": site_link(path) if path else "", "actions": actions}
    return (
        render_to_string("notifications/emails/notification-subject.txt", context),
        render_to_string("notifications/emails/notification-body.txt", context),
        render_to_string("notifications/emails/notification-body.html", context),
    )


@dataclass
class Notice:
    """One event to tell people of (services.notify's arguments): who hears of it, its kind, its
    text (a callable is evaluated in each recipient's language), the portal path it leads to, who
    acted, whose IM robots post it, a custom e-mail, and the decision links it carries."""

    recipients: Iterable
    kind: str
    message: Callable[[], str] | str
    path: str = ""
    actor: object = None
    department: object = None
    email: Callable[[object], tuple[str, str, str]] | None = None
    target: object = None
    decide: Iterable[str] = ()


def queue_for_notifications(groups: list[tuple[Notice, list[Notification]]]) -> list[int]:
    """Outbox rows for notifications just recorded, each group with the notice it was recorded
    for: e-mail for those who want its kind, and a post by each robot of its `department` that
    carries its kind. Call inside the transaction. The people's settings, IM accounts and the
    robots are read once for all the groups.

    `email(person)`, when given, writes the e-mail's subject, text and HTML (in the person's
    language) instead of the standard one that repeats the notice. With `decide`, the standard
    e-mail carries the person's own decision links for those actions on `target` (decisions.py);
    robots post to a group, so they never carry one."""
    rows: list[Delivery] = []
    every = [note for _notice, notifications in groups for note in notifications]
    preferences = preferences_for(note.recipient for note in every)
    accounts = _im_accounts(every)
    departments = {notice.department.pk for notice, notes in groups if notice.department is not None and notes}
    robots: dict[int, list[ImRobot]] = {}
    if departments:
        for robot in ImRobot.objects.filter(department_id__in=sorted(departments), is_active=True):
            robots.setdefault(robot.department_id, []).append(robot)
    for notice, notifications in groups:
        rows += _deliveries(notice, notifications, preferences, accounts, robots)
    return queue(rows)


def _deliveries(notice: Notice, notifications, preferences, accounts, robots) -> list[Delivery]:
    """The outbox rows of one notice's notifications (queue_for_notifications)."""
    email, target = notice.email, notice.target
    decide = list(notice.decide) if target is not None else []
    rows: list[Delivery] = []
    issued: dict[int, list[tuple[str, str]]] = {}

    def links(person) -> list[tuple[str, str]]:
        # Issued once per person: the e-mail and the IM notice carry the same links, so a decision
        # taken from one spends the other.
        if person.pk not in issued:
            with translation.override(person.language or settings.LANGUAGE_CODE):
                issued[person.pk] = decisions.issue(person, target, decide) if decide else []
        return issued[person.pk]

    for note in notifications:
        person = note.recipient
        if not person.is_active or not preferences[person.pk].wants_email(note.kind):
            continue
        path = note.path
        if person.email:
            with translation.override(person.language or settings.LANGUAGE_CODE):
                if email is None:
                    subject, body, html = _email_parts(person, note.message, path, links(person))
                else:
                    subject, body, html = email(person)
            key = f"email:{person.pk}:notification:{note.pk}"
            rows.append(email_row(person, key=key, kind=note.kind, subject=subject, body=body, html=html))
        for app_id, account in accounts.get(person.pk, []):
            with translation.override(person.language or settings.LANGUAGE_CODE):
                text = render_to_string(
                    "notifications/im_notice.txt",
                    {"text": note.message, "link": site_link(path) if path else "", "actions": links(person)},
                ).strip()
            rows.append(
                Delivery(
                    key=f"im:{account.kind}:{person.pk}:notification:{note.pk}",
                    channel=Delivery.Channel.IM,
                    kind=note.kind,
                    recipient=person,
                    im_app_id=app_id,
                    address=account.im_user_id,
                    subject=note.message[:300],
                    body=text,
                )
            )
    if notice.department is not None and notifications:
        first = notifications[0]
        for robot in robots.get(notice.department.pk, []):
            if not robot.posts(first.kind):
                continue
            with translation.override(settings.LANGUAGE_CODE):
                path = first.path
                text = first.message + (f"\n{site_link(path)}" if path else "")
            rows.append(
                Delivery(
                    key=f"webhook:{robot.pk}:notification:{first.pk}",
                    channel=Delivery.Channel.WEBHOOK,
                    kind=first.kind,
                    robot=robot,
                    address=robot.url,
                    subject=first.message[:300],
                    body=text,
                )
            )
    return rows


def email_row(recipient, *, key: str, kind: str, subject: str, body: str, html: str = "") -> Delivery:
    """An outbox row (unsaved: pass it to `queue`) for an e-mail; the subject is put on one line.
    `key` makes it once only: a second row with the same key is skipped."""
    return Delivery(
        key=key,
        channel=Delivery.Channel.EMAIL,
        kind=kind,
        recipient=recipient,
        address=recipient.email,
        subject=" ".join(subject.split())[:300],
        body=body,
        html=html,
    )


ACTIVE_APPS_KEY = "notifications:im-apps:v1"


def active_im_apps() -> dict[str, int]:
    """{platform: app id} of the active IM apps, cached: every notice asks, and they rarely change
    (ImApp.save and delete clear the entry)."""
    found = cache.get(ACTIVE_APPS_KEY)
    if found is None:
        found = dict(ImApp.objects.filter(is_active=True).values_list("kind", "pk"))
        cache.set(ACTIVE_APPS_KEY, found, 3600)
    return found


def _im_accounts(notifications: list[Notification]) -> dict[int, list[tuple[int, ImAccount]]]:
    """Each recipient's accounts on the platforms of an active app: {person: [(app id, account)]}."""
    apps = active_im_apps()
    if not apps or not notifications:
        return {}
    found: dict[int, list[tuple[int, ImAccount]]] = {}
    people = sorted({note.recipient_id for note in notifications})
    for account in ImAccount.objects.filter(user_id__in=people, kind__in=sorted(apps)).order_by("kind"):
        found.setdefault(account.user_id, []).append((apps[account.kind], account))
    return found


def queue(rows: list[Delivery]) -> list[int]:
    """Save outbox rows (a repeated key is skipped) and hand them to the workers after commit."""
    if not rows:
        return []
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)
    ids = list(
        Delivery.objects.filter(key__in=[r.key for r in rows], status=Delivery.Status.PENDING).values_list(
            "pk", flat=True
        )
    )
    _after_commit(ids)
    return ids


# Set by deliveries_batched(): ids gathered for one hand-off instead of one per transaction.
_collecting: ContextVar[list[int] | None] = ContextVar("collab_outbox_collecting", default=None)


@contextmanager
def deliveries_batched():
    """Gather the deliveries queued inside this block; the caller hands them to the workers in one
    go after its transaction commits (the reminder sweep queues hundreds at a time)."""
    ids: list[int] = []
    token = _collecting.set(ids)
    try:
        yield ids
    finally:
        _collecting.reset(token)


def _after_commit(ids: list[int]) -> None:
    collecting = _collecting.get()
    if collecting is not None:
        collecting.extend(ids)
        return
    transaction.on_commit(lambda: hand_to_workers(ids))


def hand_to_workers(ids: list[int]) -> None:
    """Publish delivery jobs; if the broker is down or frozen, give up quickly: the sweep resends."""
    from notifications.tasks import deliver, deliver_many

    broker.publish_batches(deliver, deliver_many, ids, "delivery", "deliveries")


def deliver_one(delivery_id: int) -> str:
    """Claim and send one delivery. Returns what happened (for logs and tests)."""
    now = timezone.now()
    claimed = Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.PENDING, next_attempt_at__lte=now).update(
        status=Delivery.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    if claimed != 1:
        return "not claimed"
    delivery = Delivery.objects.select_related("robot", "im_app").get(pk=delivery_id)
    try:
        if delivery.channel == Delivery.Channel.EMAIL:
            send_email(delivery)
        elif delivery.channel == Delivery.Channel.IM:
            send_work_notice(delivery)
        else:
            post_webhook(delivery)
    except Exception as exc:  # noqa: BLE001 - any failure is recorded on the delivery
        failed = delivery.attempts >= MAX_ATTEMPTS
        Delivery.objects.filter(pk=delivery.pk).update(
            status=Delivery.Status.FAILED if failed else Delivery.Status.PENDING,
            last_error=f"{exc.__class__.__name__}: {exc}"[:2000],
            next_attempt_at=timezone.now() + timedelta(minutes=2**delivery.attempts),
        )
        logger.warning("delivery %s failed (attempt %s): %s", delivery.pk, delivery.attempts, exc)
        return "failed" if failed else "retry"
    Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.SENT, sent_at=timezone.now(), last_error="")
    return "sent"


def send_email(delivery: Delivery) -> None:
    message = EmailMultiAlternatives(
        subject=delivery.subject,
        body=delivery.body,
        to=[delivery.address],
        headers={"X-Collab-Portal-Delivery": delivery.key},
    )
    if delivery.html:
        message.attach_alternative(delivery.html, "text/html")
    message.send()


def send_work_notice(delivery: Delivery) -> None:
    from notifications import workim

    if delivery.im_app is None or not delivery.im_app.is_active:
        raise RuntimeError("the IM app was removed or switched off")
    workim.send(delivery.im_app, delivery.address, delivery.subject, delivery.body)


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk robot signature (加签): base64 of HMAC-SHA256 over "timestamp\\nsecret"."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def feishu_sign(secret: str, timestamp_s: int) -> str:
    """Feishu robot signature: base64 of HMAC-SHA256 keyed by "timestamp\\nsecret" over nothing."""
    digest = hmac.new(f"{timestamp_s}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def webhook_request(robot: ImRobot, title: str, text: str) -> tuple[str, dict]:
    """The URL to post to and the JSON payload, in the robot's own format."""
    url = robot.url
    if robot.kind == ImRobot.Kind.DINGTALK:
        payload = {"msgtype": "markdown", "markdown": {"title": title[:60], "text": f"#### {title}\n\n{text}"}}
        if robot.secret:
            timestamp = int(time.time() * 1000)
            sign = urllib.parse.quote_plus(dingtalk_sign(robot.secret, timestamp))
            url += ("&" if "?" in url else "?") + f"timestamp={timestamp}&sign={sign}"
    elif robot.kind == ImRobot.Kind.WECOM:
        payload = {"msgtype": "markdown", "markdown": {"content": f"**{title}**\n{text}"}}
    elif robot.kind == ImRobot.Kind.FEISHU:
        payload = {"msg_type": "text", "content": {"text": f"{title}\n{text}"}}
        if robot.secret:
            timestamp = int(time.time())
            payload.update({"timestamp": str(timestamp), "sign": feishu_sign(robot.secret, timestamp)})
    else:
        payload = {"text": f"*{title}*\n{text}"}
    return url, payload


def post_webhook(delivery: Delivery) -> None:
    from notifications import workim

    answer = workim.fetch(*webhook_request(delivery.robot, delivery.subject, delivery.body), limit=4096)
    # DingTalk, WeCom and Feishu answer 200 with an error code in the body when they refuse.
    try:
        data = json.loads(answer or b"{}")
    except ValueError:
        return
    code = data.get("errcode", data.get("code", 0)) if isinstance(data, dict) else 0
    if code not in (0, None):
        raise RuntimeError(f"robot refused the message: {data}")


def sweep_outbox() -> int:
    """Re-send deliveries still pending (the broker may have been down) and give up on claims a
    lost worker never finished (marked failed: they may or may not have gone out)."""
    broker.Breaker.reset()  # the sweep itself came through the broker, so it is back
    now = timezone.now()
    Delivery.objects.filter(status=Delivery.Status.SENDING, claimed_at__lt=now - STALE_CLAIM).update(
        status=Delivery.Status.FAILED,
        last_error="The worker stopped while sending; it may or may not have gone out. Retry to send again.",
    )
    ids = list(
        Delivery.objects.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:1000]
    )
    hand_to_workers(ids)
    return len(ids)


def retry(deliveries) -> int:
    """Admins send failed deliveries again."""
    ids = list(deliveries.filter(status=Delivery.Status.FAILED).values_list("pk", flat=True))
    Delivery.objects.filter(pk__in=ids).update(
        status=Delivery.Status.PENDING, next_attempt_at=timezone.now(), attempts=0
    )
    transaction.on_commit(lambda: hand_to_workers(ids))
    return len(ids)
