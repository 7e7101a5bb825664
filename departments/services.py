"""Use cases that change the organisation's records."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from departments.models import Delegation, Department, Membership, User


class DepartmentError(Exception):
    """A change to the organisation that cannot be made; the message is for the user."""


def department_ensure_manager_memberships(*, department: Department) -> None:
    """The head and deputies of a department are its members with the manager role."""
    managers = [department.head] if department.head_id else []
    managers += list(department.deputies.all())
    with transaction.atomic():
        for person in managers:
            membership, created = Membership.objects.get_or_create(
                user=person,
                department=department,
                defaults={"role": Membership.Role.MANAGER, "is_primary": not person.memberships.exists()},
            )
            if not created and membership.role != Membership.Role.MANAGER:
                membership.role = Membership.Role.MANAGER
                membership.save(update_fields=["role"])


def user_update_profile(*, user: User, by: User, display_name: str, phone: str, language: str) -> User:
    if not by.has_perm("departments.edit_profile", user):
        raise PermissionDenied
    user.display_name = display_name.strip()
    user.phone = phone.strip()
    user.language = language
    user.full_clean(validate_unique=False, exclude=["password"])
    user.save(update_fields=["display_name", "phone", "language"])
    return user


def user_set_language(*, user: User, language: str) -> None:
    if user.is_authenticated and user.language != language:
        user.language = language
        user.save(update_fields=["language"])


def delegation_create(*, by: User, delegate: User, starts_on: date, ends_on: date, reason: str = "") -> Delegation:
    """`by` names `delegate` to act for them from `starts_on` to `ends_on` (inclusive)."""
    if not by.has_perm("departments.delegate"):
        raise PermissionDenied
    if ends_on < timezone.localdate():
        raise DepartmentError(_("A delegation cannot end in the past."))
    if not delegate.is_active:
        raise DepartmentError(_("The delegate's account is deactivated; choose someone who is at work."))
    delegation = Delegation(delegator=by, delegate=delegate, starts_on=starts_on, ends_on=ends_on, reason=reason)
    try:
        delegation.full_clean()
    except ValidationError as exc:
        raise DepartmentError(" ".join(exc.messages)) from None
    with transaction.atomic():
        overlapping = Delegation.objects.select_for_update().filter(
            delegator=by, is_active=True, starts_on__lte=ends_on, ends_on__gte=starts_on
        )
        if overlapping.exists():
            raise DepartmentError(_("You already have a delegation in force during these dates; end it first."))
        # Delegation goes one hop only (a delegate's own delegate does not act for the first
        # holder), so a pair acting for each other over the same days would leave both steps
        # unattended while each thinks the other has them.
        back = Delegation.objects.filter(
            delegator=delegate, delegate=by, is_active=True, starts_on__lte=ends_on, ends_on__gte=starts_on
        )
        if back.exists():
            raise DepartmentError(
                _(
                    "%(name)s has named you as their delegate for some of these days; two people cannot act for each other."
                )
                % {"name": delegate.name}
            )
        delegation.save()
    return delegation


def delegation_end(*, delegation: Delegation, by: User) -> Delegation:
    """End a delegation early. Only the delegator or an admin may."""
    if by.pk != delegation.delegator_id and not by.is_superuser:
        raise PermissionDenied
    with transaction.atomic():
        delegation = Delegation.objects.select_for_update().get(pk=delegation.pk)
        if not delegation.is_active:
            raise DepartmentError(_("This delegation has already ended."))
        delegation.is_active = False
        delegation.save(update_fields=["is_active"])
    return delegation
