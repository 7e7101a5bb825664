"""What a person holds in the organisation's records, and handing it to someone else (the
handover app's page and the reminder sweep's orphan report read and call these).

A person holds the delegations others gave them that have not ended (they act for those people)
and the document-reviewer (核稿人) seats of departments. Each hand-over is logged on the
delegation or the department ("handed over: A → B").
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.actions import log_action, register_actions
from departments.models import Delegation, Department, User
from departments.services import DepartmentError

ROLES = ("delegate", "document_reviewer")

register_actions(
    [
        ("delegation.handed_over", gettext_lazy("handed over the delegation")),
        ("department.handed_over", gettext_lazy("handed over a document-reviewer seat")),
    ]
)


def _delegations_received(user_filter) -> object:
    return Delegation.objects.filter(is_active=True, ends_on__gte=timezone.localdate(), **user_filter)


def open_items_held_by(user: User) -> list[tuple[str, object]]:
    """(role, row) for everything `user` holds in the organisation's records (two queries)."""
    delegations = _delegations_received({"delegate": user}).select_related("delegator").order_by("starts_on", "pk")
    seats = Department.objects.filter(document_reviewers=user).order_by("sort_order", "code")
    return [("delegate", d) for d in delegations] + [("document_reviewer", d) for d in seats]


def inactive_holder_ids() -> set[int]:
    """People who cannot sign in any more but still act for someone or review a department's drafts."""
    delegates = _delegations_received({"delegate__is_active": False}).values_list("delegate_id", flat=True)
    reviewers = Department.document_reviewers.through.objects.filter(user__is_active=False).values_list(
        "user_id", flat=True
    )
    return set(delegates) | set(reviewers)


def reassign(role: str, item, *, to_user: User, by: User, from_user: User) -> None:
    """Hand `item` (held by `from_user` as `role`) to `to_user`; raises DepartmentError when
    `to_user` may not hold it. Run inside the caller's transaction."""
    if role == "delegate":
        delegation = Delegation.objects.select_for_update().select_related("delegator").get(pk=item.pk)
        if delegation.delegate_id != from_user.pk or not delegation.is_active:
            return  # ended or changed meanwhile
        if to_user.pk == delegation.delegator_id:
            raise DepartmentError(
                _("%(name)s cannot act for themselves: choose someone else for their delegation.")
                % {"name": to_user.name}
            )
        delegation.delegate = to_user
        delegation.save(update_fields=["delegate"])
        target, action = delegation, "delegation.handed_over"
    else:
        department = Department.objects.select_for_update().get(pk=item.pk)
        department.document_reviewers.remove(from_user)
        department.document_reviewers.add(to_user)
        target, action = department, "department.handed_over"
    log_action(
        target,
        actor=by,
        action=action,
        comment=f"{from_user.name} → {to_user.name}",
        data={"role": role, "from": from_user.pk, "to": to_user.pk},
    )
