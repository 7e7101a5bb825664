"""Personal access tokens: create and revoke (the profile page and the admin call these)."""

import secrets
from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import audit
from api.models import AccessToken, hash_secret
from departments.models import User

TOKEN_PREFIX = "cp_"  # noqa: S105 - a public marker that tells a portal token apart in a secret scanner's findings
PREFIX_LENGTH = 10  # what lists show: "cp_" and the secret's first seven characters
MAX_EXPIRY_DAYS = 366


class TokenError(Exception):
    """A token that cannot be made or revoked; the message is for the user."""


def token_create(*, user: User, name: str, scope: str, expires_in_days: int | None) -> tuple[AccessToken, str]:
    """A new token for `user`, and its secret: the only time the secret exists outside the caller."""
    name = name.strip()
    if not name:
        raise TokenError(_("Give the token a name."))
    if scope not in AccessToken.Scope.values:
        raise TokenError(_("Choose the token's scope."))
    if expires_in_days is not None and not 1 <= expires_in_days <= MAX_EXPIRY_DAYS:
        raise TokenError(_("A token expires after 1 to %(days)s days.") % {"days": MAX_EXPIRY_DAYS})
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    token = AccessToken.objects.create(
        user=user,
        name=name[:80],
        scope=scope,
        prefix=secret[:PREFIX_LENGTH],
        secret_hash=hash_secret(secret),
        created_at=now,
        expires_at=now + timedelta(days=expires_in_days) if expires_in_days else None,
    )
    audit.record(audit.SecurityEvent.Kind.TOKEN_CREATED, user=user, actor=user, detail=f"{token.prefix}… {token.name}")
    return token, secret


def token_revoke(*, token: AccessToken, by: User) -> AccessToken:
    """Revoke a token: its owner may, and admins may revoke anyone's. A second revoke changes nothing."""
    if token.user_id != by.pk and not (by.is_active and by.is_superuser):
        raise TokenError(_("You may revoke only your own tokens."))
    with transaction.atomic():
        revoked = AccessToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
        if revoked:
            detail = f"{token.prefix}… {token.name}"
            audit.record(audit.SecurityEvent.Kind.TOKEN_REVOKED, user=token.user, actor=by, detail=detail)
    token.refresh_from_db(fields=["revoked_at"])
    return token


LAST_USED_EVERY = timedelta(minutes=1)


def token_used(token: AccessToken) -> None:
    """Record that the token was used, at most once a minute (an API client may call many times a
    second; one conditional UPDATE a minute keeps the column true to the minute)."""
    now = timezone.now()
    if token.last_used_at is None or token.last_used_at <= now - LAST_USED_EVERY:
        AccessToken.objects.filter(pk=token.pk).exclude(last_used_at__gt=now - LAST_USED_EVERY).update(last_used_at=now)
        token.last_used_at = now


def tokens_of(user: User):
    return AccessToken.objects.filter(user=user).order_by(F("revoked_at").desc(nulls_first=True), "-created_at")
