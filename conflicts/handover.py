"""What a person holds in conflicts, and handing it to someone else (the handover app's page and
the reminder sweep's orphan report read and call these).

A person holds a conflict they mediate while it is in mediation and one they arbitrate while it
is in arbitration. The new mediator or arbiter must be neutral like the first (nobody belonging
to a party). Each hand-over is logged on the conflict ("handed over: A → B") and told to the new
holder.
"""

from django.db.models import Q
from django.utils.translation import gettext as _

from conflicts.models import Conflict, ConflictAction
from conflicts.selectors import party_people_ids
from conflicts.services import ConflictError, link
from core.actions import log_action
from departments.models import User
from notifications.services import notify

ROLES = ("mediator", "arbiter")
S = Conflict.State


def _held(**people) -> Q:
    mediating = Q(state=S.MEDIATION, **{f"mediator{k}": v for k, v in people.items()})
    arbitrating = Q(state=S.ARBITRATION, **{f"arbiter{k}": v for k, v in people.items()})
    return mediating | arbitrating


def open_items_held_by(user: User) -> list[tuple[str, object]]:
    """(role, conflict) for every conflict `user` holds at its level now (one query)."""
    held = Conflict.objects.filter(_held(_id=user.pk)).order_by("pk")
    return [("mediator" if conflict.state == S.MEDIATION else "arbiter", conflict) for conflict in held]


def inactive_holder_ids() -> set[int]:
    """People who cannot sign in any more but hold a conflict at its level."""
    ids = set()
    for conflict in Conflict.objects.filter(_held(__is_active=False)).only("state", "mediator", "arbiter"):
        ids.add(conflict.mediator_id if conflict.state == S.MEDIATION else conflict.arbiter_id)
    return ids


def reassign(role: str, item, *, from_user: User, to_user: User, by: User) -> None:
    """Hand the conflict (held by `from_user` as mediator or arbiter) to `to_user`; raises
    ConflictError when `to_user` belongs to a party. Run inside the caller's transaction."""
    conflict = Conflict.objects.select_for_update().get(pk=item.pk)
    field = "mediator_id" if role == "mediator" else "arbiter_id"
    state = S.MEDIATION if role == "mediator" else S.ARBITRATION
    if conflict.state != state or getattr(conflict, field) != from_user.pk:
        return  # moved on or handed on meanwhile
    parties = conflict.parties.values_list("department_id", flat=True)
    if to_user.pk in party_people_ids(parties):
        raise ConflictError(
            _("%(name)s belongs to a party of %(number)s and cannot hold it.")
            % {"name": to_user.name, "number": conflict.number}
        )
    setattr(conflict, field, to_user.pk)
    conflict.save(update_fields=[field.removesuffix("_id")])
    log_action(
        conflict,
        actor=by,
        action=ConflictAction.HANDED_OVER,
        from_state=conflict.state,
        comment=f"{from_user.name} → {to_user.name}",
        data={"role": role, "from": from_user.pk, "to": to_user.pk},
    )
    if role == "mediator":
        message = _("Conflict %(number)s “%(subject)s” was handed over to you to mediate.")
    else:
        message = _("Conflict %(number)s “%(subject)s” was handed over to you to decide.")
    notify(
        [to_user],
        kind="handover.received",
        message=lambda: message % {"number": conflict.number, "subject": conflict.subject},
        path=link(conflict),
        actor=by,
        target=conflict,
    )
