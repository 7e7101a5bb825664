"""What a person holds in the organisation's records, and handing it to someone else (the
handover app's page and the reminder sweep's orphan report read and call these).

A person holds the delegations others gave them that have not ended (they act for those people),
the document-reviewer (核稿人) seats of departments, and the head's and deputies' seats (only an
administrator hands those over: a deputy must not make themselves head). Each hand-over is logged
on the delegation or the department ("handed over: A → B").
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.actions import log_action, register_actions
from core.bulk_history import record_bulk
from departments.models import Delegation, Department, Membership, User
from departments.services import DepartmentError, department_ensure_manager_memberships

ROLES = ("delegate", "document_reviewer", "department_head", "department_deputy")

register_actions(
    [
        ("delegation.handed_over", gettext_lazy("handed over the delegation")),
        ("department.handed_over", gettext_lazy("handed over a seat in the department")),
    ]
)


def _delegations_received(user_filter) -> object:
    return Delegation.objects.filter(is_active=True, ends_on__gte=timezone.localdate(), **user_filter)


def open_items_held_by(user: User) -> list[tuple[str, object]]:
    """(role, row) for everything `user` holds in the organisation's records (four queries)."""
    delegations = _delegations_received({"delegate": user}).select_related("delegator").order_by("starts_on", "pk")
    seats = Department.objects.filter(document_reviewers=user).order_by("sort_order", "code")
    headed = Department.objects.filter(head=user, is_active=True).order_by("sort_order", "code")
    deputy = Department.objects.filter(deputies=user, is_active=True).order_by("sort_order", "code")
    return (
        [("delegate", d) for d in delegations]
        + [("document_reviewer", d) for d in seats]
        + [("department_head", d) for d in headed]
        + [("department_deputy", d) for d in deputy]
    )


def inactive_holder_ids() -> set[int]:
    """People who cannot sign in any more but still act for someone or review a department's drafts."""
    delegates = _delegations_received({"delegate__is_active": False}).values_list("delegate_id", flat=True)
    reviewers = Department.document_reviewers.through.objects.filter(user__is_active=False).values_list(
        "user_id", flat=True
    )
    heads = Department.objects.filter(is_active=True, head__is_active=False).values_list("head_id", flat=True)
    deputies = Department.deputies.through.objects.filter(
        user__is_active=False, department__is_active=True
    ).values_list("user_id", flat=True)
    return set(delegates) | set(reviewers) | set(heads) | set(deputies)


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
    elif role == "document_reviewer":
        department = Department.objects.select_for_update().get(pk=item.pk)
        department.document_reviewers.remove(from_user)
        department.document_reviewers.add(to_user)
        target, action = department, "department.handed_over"
    else:
        department = Department.objects.select_for_update().get(pk=item.pk)
        _hand_over_manager_seat(role, department, from_user=from_user, to_user=to_user, by=by)
        target, action = department, "department.handed_over"
    log_action(
        target,
        actor=by,
        action=action,
        comment=f"{from_user.name} → {to_user.name}",
        data={"role": role, "from": from_user.pk, "to": to_user.pk},
    )


def _hand_over_manager_seat(role: str, department: Department, *, from_user: User, to_user: User, by: User) -> None:
    """The head's or a deputy's seat: to `to_user`, who becomes a manager of the department; the
    one leaving it keeps only a member's place there."""
    if not by.is_superuser:
        raise DepartmentError(
            _("Only an administrator can hand over the head's or a deputy's seat of %(department)s.")
            % {"department": department.display_name}
        )
    if role == "department_head":
        if department.head_id != from_user.pk:
            return
        if department.deputies.filter(pk=to_user.pk).exists():
            department.deputies.remove(to_user)
        department.head = to_user
        department.save(update_fields=["head"])
    else:
        if department.head_id == to_user.pk:
            raise DepartmentError(
                _("%(name)s already heads %(department)s and cannot also be its deputy.")
                % {"name": to_user.name, "department": department.display_name}
            )
        department.deputies.remove(from_user)
        department.deputies.add(to_user)
    seats = Membership.objects.filter(user=from_user, department=department, role=Membership.Role.MANAGER)
    demoted = list(seats.values_list("pk", flat=True))
    Membership.objects.filter(pk__in=demoted).update(role=Membership.Role.MEMBER)
    record_bulk(Membership, changed=demoted, by=by)  # an update() sends no signal: the role's history
    department_ensure_manager_memberships(department=department)
