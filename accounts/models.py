"""Who a person is elsewhere (their OpenID Connect subject, their LDAP entry), and the log of
directory syncs."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ExternalIdentity(models.Model):
    """A person's stable identifier at a sign-in source: the OpenID provider's `sub` claim, or the
    LDAP entry's UUID (entryUUID, Active Directory's objectGUID). A person is found by it first,
    whatever their name, login or e-mail became since."""

    class Source(models.TextChoices):
        OIDC = "oidc", _("OpenID Connect")
        LDAP = "ldap", _("LDAP directory")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="external_identities",
        verbose_name=_("person"),
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    subject = models.CharField(_("identifier"), max_length=255)
    # The LDAP entry's DN as last seen (informative: the UUID is what matches).
    distinguished_name = models.CharField(_("distinguished name"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("linked at"), auto_now_add=True)
    last_seen_at = models.DateTimeField(_("last seen at"), null=True, blank=True)

    class Meta:
        verbose_name = _("external identity")
        verbose_name_plural = _("external identities")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "subject"],
                name="accounts_identity_unique_subject",
                violation_error_message=_("This identifier already belongs to a person."),
            ),
            models.UniqueConstraint(
                fields=["user", "source"],
                name="accounts_identity_one_per_source",
                violation_error_message=_("This person already has an identifier from this source."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()}: {self.subject}"


class DirectorySync(models.Model):
    """One run of `manage.py sync_directory` (or of the nightly job), with its counts and the list
    of changes it made or, in a dry run, would have made."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Finished")
        FAILED = "failed", _("Failed")

    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    dry_run = models.BooleanField(_("dry run"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RUNNING)
    people_seen = models.PositiveIntegerField(_("people in the directory"), default=0)
    people_created = models.PositiveIntegerField(_("people created"), default=0)
    people_updated = models.PositiveIntegerField(_("people updated or moved"), default=0)
    people_deactivated = models.PositiveIntegerField(_("people deactivated"), default=0)
    departments_created = models.PositiveIntegerField(_("departments created"), default=0)
    departments_renamed = models.PositiveIntegerField(_("departments renamed"), default=0)
    changes = models.TextField(_("changes"), blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("directory sync")
        verbose_name_plural = _("directory syncs")

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} · {self.get_status_display()}"


class SecurityEvent(models.Model):
    """The security audit trail: every sign-in, failed sign-in, lockout and sign-out (by whom: the
    login typed, and the person when known; how and from where), and every password change, access
    token created or revoked, role given or taken and account deactivated or reactivated (whose, by
    whom when known, and what)."""

    class Kind(models.TextChoices):
        SIGNED_IN = "signed_in", _("Signed in")
        FAILED = "failed", _("Failed sign-in")
        LOCKED_OUT = "locked_out", _("Locked out")
        SIGNED_OUT = "signed_out", _("Signed out")
        PASSWORD_CHANGED = "password_changed", _("Password set or changed")
        TOKEN_CREATED = "token_created", _("Access token created")
        TOKEN_REVOKED = "token_revoked", _("Access token revoked")
        ROLE_CHANGED = "role_changed", _("Role changed")
        DEACTIVATED = "deactivated", _("Account deactivated")
        REACTIVATED = "reactivated", _("Account reactivated")

    class Method(models.TextChoices):
        PASSWORD = "password", _("Password kept by the portal")
        LDAP = "ldap", _("LDAP directory")
        OIDC = "oidc", _("OpenID Connect")
        OTHER = "", _("Other")

    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    kind = models.CharField(_("event"), max_length=20, choices=Kind.choices)
    method = models.CharField(_("method"), max_length=10, choices=Method.choices, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sign_in_events",
        verbose_name=_("person"),
    )
    username = models.CharField(_("login typed"), max_length=150, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("security event")
        verbose_name_plural = _("security events")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} · {self.get_kind_display()} · {self.username}"
