"""Who may place and lift legal holds: holders of the permission `retention.manage_legal_hold`
(given in the admin, to a person or a group such as the records office; superusers have it), on
what they may see. Seeing a hold and its reason is everyone's who may see the item."""

from django.db import models


def may_manage_legal_holds(user) -> bool:
    """Whether `user` may place and lift holds at all (and read the list of holds): staff given the
    permission, as the admin's legal-hold form always asked. Asking staff first keeps Django's read
    of a person's permissions (two queries) off the request and document pages of everyone else."""
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_staff or user.is_superuser)
        and user.has_perm("retention.manage_legal_hold")
    )


def may_hold(user, item: models.Model) -> bool:
    """The step's rule on the locked row. The views read `item` through the user's own visible
    queryset first (someone who may not see it gets a 404), so the permission is what is left."""
    return may_manage_legal_holds(user)
