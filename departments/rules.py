"""Who may do what with the organisation's records (django-rules predicates)."""

import rules


@rules.predicate
def is_admin(user) -> bool:
    return bool(user and user.is_active and user.is_superuser)


@rules.predicate
def manages_any_department(user) -> bool:
    if not user.is_authenticated:
        return False
    from departments.selectors import departments_managed_by

    return departments_managed_by(user).exists()


@rules.predicate
def administers(user, department) -> bool:
    """Whether `user` administers `department` (its catalogue, dispatch rules, members' skills,
    robots and calendar exceptions); with no department, whether they administer any."""
    if not user.is_authenticated:
        return False
    from departments.selectors import departments_administered_by

    held = departments_administered_by(user)
    return held.filter(pk=department.pk).exists() if department is not None else held.exists()


@rules.predicate
def is_self(user, person) -> bool:
    return person is not None and user.pk == person.pk


rules.add_perm("departments.view_directory", rules.is_authenticated)
rules.add_perm("departments.edit_profile", is_self | is_admin)


@rules.predicate
def is_active_person(user) -> bool:
    return bool(user.is_authenticated and user.is_active)


# Anyone may name a delegate for their own steps (approvals, work assigned to them, requests they
# verify, reviews, teams they lead, conflicts they mediate or arbitrate); managers and admins too.
rules.add_perm("departments.delegate", is_active_person | manages_any_department | is_admin)
rules.add_perm("departments.administer", administers)
