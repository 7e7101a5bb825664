"""Who sees which report (django-rules predicates)."""

import rules

from departments.rules import is_admin


@rules.predicate
def is_leader(user) -> bool:
    """Leaders with sign-off right see every department's dashboard and the organisation report."""
    return bool(user.is_active and user.can_sign_off)


@rules.predicate
def manages_a_department(user) -> bool:
    from tasks.selectors import acting_manager_department_ids

    return bool(user.is_active and acting_manager_department_ids(user))


rules.add_perm("reports.view_dashboard", is_admin | is_leader | manages_a_department)
rules.add_perm("reports.view_organisation", is_admin | is_leader)


def dashboard_departments(user):
    """The departments whose dashboard `user` may open."""
    from departments.models import Department
    from tasks.selectors import acting_manager_department_ids

    departments = Department.objects.filter(is_active=True).order_by("sort_order", "code")
    if user.is_superuser or user.can_sign_off:
        return departments
    return departments.filter(pk__in=acting_manager_department_ids(user))
