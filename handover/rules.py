"""Who may hand over a person's work: the managers of one of the person's departments (head,
deputies, members with the manager role) and admins; never the person themselves."""

from departments.models import Membership, User
from departments.selectors import departments_managed_by


def may_hand_over(user: User, person: User) -> bool:
    if not user.is_authenticated or not user.is_active or user.pk == person.pk:
        return False
    if user.is_superuser:
        return True
    theirs = Membership.objects.filter(user=person).values("department_id")
    return departments_managed_by(user).filter(pk__in=theirs).exists()


def may_deactivate(user: User, person: User) -> bool:
    """Admins, and the person's managers for anyone who is not an admin or staff themselves."""
    if not may_hand_over(user, person):
        return False
    return user.is_superuser or not (person.is_superuser or person.is_staff)
