"""The security audit trail (accounts.audit): Django's and django-axes' sign-in signals, and the
changes of accounts and roles, recorded."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver

from accounts import twostep
from accounts.audit import record
from accounts.models import SecurityEvent
from departments.models import Department, Membership, User

METHODS = {
    "django.contrib.auth.backends.ModelBackend": SecurityEvent.Method.PASSWORD,
    "accounts.backends.DirectoryBackend": SecurityEvent.Method.LDAP,
    "accounts.backends.OpenIDBackend": SecurityEvent.Method.OIDC,
}


@receiver(user_logged_in, dispatch_uid="accounts.record_sign_in")
def record_sign_in(sender, request, user, **kwargs) -> None:
    record(SecurityEvent.Kind.SIGNED_IN, request, user=user, method=METHODS.get(getattr(user, "backend", ""), ""))
    twostep.ask_at_sign_in(request, user)


@receiver(user_login_failed, dispatch_uid="accounts.record_failed_sign_in")
def record_failed_sign_in(sender, credentials, request=None, **kwargs) -> None:
    # The callback of OpenID Connect hands a nonce, not a login; Django has already masked passwords.
    method = SecurityEvent.Method.OIDC if "nonce" in credentials else ""
    record(SecurityEvent.Kind.FAILED, request, username=str(credentials.get("username") or ""), method=method)


@receiver(user_locked_out, dispatch_uid="accounts.record_lockout")
def record_lockout(sender, request, username, ip_address, **kwargs) -> None:
    record(SecurityEvent.Kind.LOCKED_OUT, request, username=str(username or ""))


@receiver(user_logged_out, dispatch_uid="accounts.record_sign_out")
def record_sign_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        record(SecurityEvent.Kind.SIGNED_OUT, request, user=user)


# What of a person counts as their role: the flags that make an admin.
ADMIN_FLAGS = ("is_superuser", "is_staff")


@receiver(pre_save, sender=User, dispatch_uid="accounts.record_account_changes")
def record_account_changes(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    """Deactivation, reactivation and the admin flags, compared with the saved row (read only when
    a save may change them: a sign-in's last_login save does not)."""
    watched = {"is_active", *ADMIN_FLAGS}
    if raw or instance.pk is None or (update_fields is not None and not watched & set(update_fields)):
        return
    before = User.objects.filter(pk=instance.pk).values("is_active", *ADMIN_FLAGS).first()
    if before is None:
        return
    if before["is_active"] != instance.is_active:
        kind = SecurityEvent.Kind.REACTIVATED if instance.is_active else SecurityEvent.Kind.DEACTIVATED
        record(kind, user=instance)
    for flag in ADMIN_FLAGS:
        if before[flag] != getattr(instance, flag):
            change = "+" if getattr(instance, flag) else "−"
            record(SecurityEvent.Kind.ROLE_CHANGED, user=instance, detail=f"{change}{flag}")


@receiver(pre_save, sender=Membership, dispatch_uid="accounts.remember_membership_role")
def remember_membership_role(sender, instance, raw=False, **kwargs) -> None:
    instance._role_before = None
    if not raw and instance.pk is not None:
        instance._role_before = Membership.objects.filter(pk=instance.pk).values_list("role", flat=True).first()


@receiver(post_save, sender=Membership, dispatch_uid="accounts.record_membership_role")
def record_membership_role(sender, instance, created, raw=False, **kwargs) -> None:
    before = getattr(instance, "_role_before", None)
    if raw or (not created and before == instance.role):
        return
    department = Department.objects.filter(pk=instance.department_id).values_list("code", flat=True).first()
    detail = f"{department}: {before or '∅'} → {instance.role}"
    record(SecurityEvent.Kind.ROLE_CHANGED, user=User.objects.get(pk=instance.user_id), detail=detail)


@receiver(post_delete, sender=Membership, dispatch_uid="accounts.record_membership_end")
def record_membership_end(sender, instance, **kwargs) -> None:
    # By login only: the person may be being deleted in the same transaction.
    username = User.objects.filter(pk=instance.user_id).values_list("username", flat=True).first()
    if username is not None:
        department = Department.objects.filter(pk=instance.department_id).values_list("code", flat=True).first()
        record(SecurityEvent.Kind.ROLE_CHANGED, username=username, detail=f"{department}: {instance.role} → ∅")


@receiver(pre_save, sender=Department, dispatch_uid="accounts.record_head_change")
def record_head_change(sender, instance, raw=False, **kwargs) -> None:
    if raw or instance.pk is None:
        return
    before = Department.objects.filter(pk=instance.pk).values_list("head_id", flat=True).first()
    if before == instance.head_id:
        return
    for user_id, change in ((before, "head → ∅"), (instance.head_id, "∅ → head")):
        user = User.objects.filter(pk=user_id).first() if user_id else None
        if user is not None:
            record(SecurityEvent.Kind.ROLE_CHANGED, user=user, detail=f"{instance.code}: {change}")


@receiver(m2m_changed, sender=Department.deputies.through, dispatch_uid="accounts.record_deputies")
def record_deputies(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    if action not in ("post_add", "post_remove") or not pk_set or reverse:
        return
    change = "∅ → deputy" if action == "post_add" else "deputy → ∅"
    for user in User.objects.filter(pk__in=pk_set):
        record(SecurityEvent.Kind.ROLE_CHANGED, user=user, detail=f"{instance.code}: {change}")
