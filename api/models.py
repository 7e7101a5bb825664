"""Personal access tokens for the REST API (/api/v1/)."""

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def hash_secret(secret: str) -> str:
    """What is stored of a token: its SHA-256. The secret itself is shown once, on creation."""
    return hashlib.sha256(secret.encode()).hexdigest()


class AccessTokenQuerySet(models.QuerySet):
    def in_force(self):
        """Neither revoked nor expired."""
        return self.filter(revoked_at__isnull=True).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now())
        )


class AccessToken(models.Model):
    """A personal access token: a person's credential for the API, with a scope and an expiry.

    Only the hash of the secret is kept; the prefix (the secret's first characters) lets the
    person and admins tell tokens apart in lists without revealing them."""

    class Scope(models.TextChoices):
        READ = "read", _("Read")
        ACT = "act", _("Read and act")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_tokens", verbose_name=_("person")
    )
    name = models.CharField(_("name"), max_length=80)
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices, default=Scope.READ)
    prefix = models.CharField(_("prefix"), max_length=12)
    secret_hash = models.CharField(_("secret hash"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = AccessTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("personal access token")
        verbose_name_plural = _("personal access tokens")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def in_force(self) -> bool:
        return self.revoked_at is None and not self.is_expired

    @property
    def can_act(self) -> bool:
        return self.scope == self.Scope.ACT
