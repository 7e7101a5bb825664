"""Decision links: one signed, single-use, expiring link per person and action ("Approve",
"Reject"…) in the e-mails and IM messages that ask someone to decide.

This app knows no object that can be decided. An app above it registers, in its
AppConfig.ready(), the model whose steps can be taken from a link, the actions and their labels,
and the view that serves the decision page (`register`). `notify(..., target=obj,
decide=["approve", "reject"])` then puts one link per action in each recipient's messages.

The link's token is 32 random bytes; only its SHA-256 is stored, so the table alone decides
nothing. Opening a link never changes anything: the notifications view checks that the link is
the signed-in person's, unused and unexpired, and hands it to the registered view, which shows
the page on GET and, on POST, spends the link (`spend`) in the same transaction as the step.
"""

import hashlib
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from notifications.models import DecisionLink

MAX_TOKEN_LENGTH = 64


@dataclass(frozen=True)
class Decidable:
    model: type[models.Model]
    view: Callable  # view(request, link, target) -> HttpResponse
    actions: dict[str, object]  # action -> lazy label
    load: Callable[[int], models.Model | None]


# Filled once at start-up by AppConfig.ready(), read afterwards; keyed by "app_label.model".
_REGISTRY: dict[str, Decidable] = {}


def register(model: type[models.Model], *, view: Callable, actions: dict[str, object], load=None) -> None:
    """Let `model`'s steps be taken from a link: `actions` names them with their labels, `view`
    serves the page (GET) and the decision (POST), `load(pk)` reads the target (default: by pk)."""
    loader = load or (lambda pk: model._default_manager.filter(pk=pk).first())
    _REGISTRY[model._meta.label_lower] = Decidable(model, view, dict(actions), loader)


def registered(label: str) -> Decidable | None:
    return _REGISTRY.get(label)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(user, target: models.Model, actions: Iterable[str], *, days: int | None = None) -> list[tuple[str, str]]:
    """New links for `user` to take each of `actions` on `target`: [(label, absolute URL)], in
    the order given. Call inside the transaction that sends the message."""
    known = _REGISTRY.get(target._meta.label_lower)
    if known is None:
        raise ValueError(f"{target._meta.label_lower} is not registered for decision links")
    now = timezone.now()
    expires = now + timedelta(days=days or settings.DECISION_LINK_DAYS)
    content_type = ContentType.objects.get_for_model(target)
    rows, links = [], []
    for action in actions:
        if action not in known.actions:
            raise ValueError(f"{action!r} is not a registered action of {target._meta.label_lower}")
        token = secrets.token_urlsafe(32)
        rows.append(
            DecisionLink(
                token_hash=_hash(token),
                user=user,
                target_type=content_type,
                target_id=target.pk,
                action=action,
                created_at=now,
                expires_at=expires,
            )
        )
        path = reverse("notifications:decide", args=[token])
        links.append((str(known.actions[action]), settings.SITE_URL.rstrip("/") + path))
    DecisionLink.objects.bulk_create(rows)
    return links


def find(token: str) -> DecisionLink | None:
    """The link this token opens, or None."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    return DecisionLink.objects.filter(token_hash=_hash(token)).select_related("target_type").first()


def spend(link: DecisionLink) -> bool:
    """Mark the link used, if nobody did before (a conditional UPDATE, so of two posts of the same
    link one wins). Call in the transaction of the step, so a step that fails leaves it unused."""
    now = timezone.now()
    spent = DecisionLink.objects.filter(pk=link.pk, used_at__isnull=True, expires_at__gt=now).update(used_at=now)
    if spent:
        link.used_at = now
    return spent == 1


def refusal(request, message: str, status: int, *, path: str = "", title: str = ""):
    """The page a link that cannot decide anything shows: what is wrong, and where to look."""
    return render(
        request,
        "notifications/decision_refused.html",
        {"message": message, "path": path, "title": title},
        status=status,
    )


# Links past their expiry stay this long, so that opening one says "expired" rather than "unknown".
KEEP_EXPIRED_DAYS = 30


def purge_expired() -> int:
    """Delete the links that expired more than KEEP_EXPIRED_DAYS ago, used or not: the number deleted."""
    cutoff = timezone.now() - timedelta(days=KEEP_EXPIRED_DAYS)
    deleted, _by_model = DecisionLink.objects.filter(expires_at__lt=cutoff).delete()
    return deleted
