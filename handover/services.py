"""Handing a person's work to others, all or nothing, and deactivating them when nothing is left."""

from django.db import transaction
from django.utils.translation import gettext as _

from core.actions import log_action
from core.workflow import StepError
from departments import handover as departments_handover
from departments.models import User
from departments.services import DepartmentError
from handover.models import HandoverAction
from handover.rules import may_deactivate, may_hand_over
from handover.sources import Held, held_by
from notifications.services import notify


class HandoverError(Exception):
    """The hand-over cannot be done; nothing was changed. `errors` maps an item's key (or None for
    the whole page) to the messages for the user."""

    def __init__(self, errors: dict[str | None, list[str]]):
        super().__init__(" ".join(message for messages in errors.values() for message in messages))
        self.errors = errors


def _check_person(to_user: User, person: User) -> str | None:
    if to_user.pk == person.pk:
        return _("Choose someone other than %(name)s.") % {"name": person.name}
    if not to_user.is_active:
        return _("%(name)s's account is deactivated: choose someone who can act.") % {"name": to_user.name}
    return None


def hand_over(
    *,
    person: User,
    by: User,
    default: User | None,
    chosen: dict[str, User],
    deactivate: bool = False,
    seen: list[Held] | None = None,
) -> int:
    """Give each thing `person` holds to the person chosen for it (its key in `chosen`) or to
    `default`; things with neither stay. With `deactivate`, the account is deactivated at the end,
    which is refused when anything would still be held. Raises HandoverError (nothing changed).
    Returns how many things were handed over."""
    if not may_hand_over(by, person) or (deactivate and not may_deactivate(by, person)):
        raise HandoverError({None: [_("You may not hand over this person's work.")]})
    errors: dict[str | None, list[str]] = {}
    moved = 0
    with transaction.atomic():
        person = User.objects.select_for_update().get(pk=person.pk)
        items = held_by(person)
        for item in items:
            to_user = chosen.get(item.key) or default
            if to_user is None or not item.may_move(by):  # the latter stay for an administrator
                continue
            problem = _check_person(to_user, person)
            if problem:
                errors.setdefault(item.key, []).append(problem)
                continue
            try:
                with transaction.atomic():
                    item.module.reassign(item.role, item.row, from_user=person, to_user=to_user, by=by)
            except (StepError, DepartmentError) as exc:
                errors.setdefault(item.key, []).append(str(exc))
                continue
            moved += 1
            if item.module is departments_handover:
                _tell_about_seat(item, from_user=person, to_user=to_user, by=by)
        if not errors and deactivate:
            left = held_by(person)
            if left:
                names = "; ".join(f"{item.role_label}: {item.label}" for item in left)
                errors[None] = [
                    _("%(name)s still holds these, so the account stays active: %(items)s")
                    % {"name": person.name, "items": names}
                ]
        if errors:
            raise HandoverError(errors)
        if moved:
            log_action(person, actor=by, action=HandoverAction.HANDED_OVER, data={"items": moved})
        if deactivate and person.is_active:
            person.is_active = False
            person.save(update_fields=["is_active"])
            log_action(person, actor=by, action=HandoverAction.DEACTIVATED)
    return moved


def _tell_about_seat(item: Held, *, from_user: User, to_user: User, by: User) -> None:
    """The organisation's records tell nobody (departments sits below notifications): the
    hand-over tells the new delegate or seat holder itself, in their language."""

    def message() -> str:
        if item.role == "delegate":
            return _("You now act for %(delegator)s until %(end)s, in place of %(name)s.") % {
                "delegator": item.row.delegator.name,
                "end": item.row.ends_on.isoformat(),
                "name": from_user.name,
            }
        return _("%(role)s %(department)s: handed over to you from %(name)s.") % {
            "role": item.role_label,
            "department": item.row.display_name,
            "name": from_user.name,
        }

    path = "" if item.role == "delegate" else item.link
    notify([to_user], kind="handover.received", message=message, path=path, actor=by)
