"""Who may do what with a request. Views and templates ask these; services enforce them."""

import rules

from tasks.models import Task


def _acting_manager(user, department_id) -> bool:
    from tasks.selectors import acting_manager_department_ids

    return department_id in acting_manager_department_ids(user)


@rules.predicate
def is_admin(user) -> bool:
    return bool(user.is_active and user.is_superuser)


@rules.predicate
def can_view(user, task: Task) -> bool:
    return Task.objects.visible_to(user).filter(pk=task.pk).exists()


@rules.predicate
def is_requester(user, task: Task) -> bool:
    return task.requester_id == user.pk


@rules.predicate
def is_assignee(user, task: Task) -> bool:
    return task.assignee_id is not None and task.assignee_id == user.pk


@rules.predicate
def is_target_manager(user, task: Task) -> bool:
    """Manager of the department the request is with (or acting for one today)."""
    return _acting_manager(user, task.target_department_id)


@rules.predicate
def is_verifier(user, task: Task) -> bool:
    """The requester verifies a request; the lead request's assignee verifies a co-handling sub-task."""
    if task.parent_id:
        return user.pk in (task.parent.assignee_id, task.parent.requester_id)
    return task.requester_id == user.pk


@rules.predicate
def is_pending_approver(user, task: Task) -> bool:
    from tasks.selectors import approvals_waiting_for

    return approvals_waiting_for(user).filter(task=task).exists()


@rules.predicate
def is_lead_request(user, task: Task) -> bool:
    return task.parent_id is None


def state_is(*states):
    @rules.predicate(name=f"state_is_{'_'.join(states)}")
    def predicate(user, task: Task) -> bool:
        return task.state in states

    return predicate


S = Task.State

rules.add_perm("tasks.view_task", can_view | is_admin)
rules.add_perm("tasks.edit_task", is_requester & state_is(S.DRAFT))
rules.add_perm("tasks.submit_task", is_requester & state_is(S.DRAFT))
rules.add_perm("tasks.approve_task", is_pending_approver & ~is_requester)
rules.add_perm("tasks.accept_task", is_target_manager & state_is(S.PENDING_ACCEPTANCE))
rules.add_perm("tasks.decline_task", is_target_manager & state_is(S.PENDING_ACCEPTANCE))
rules.add_perm("tasks.transfer_task", is_target_manager & state_is(S.PENDING_ACCEPTANCE, S.IN_PROGRESS))
rules.add_perm("tasks.reassign_task", is_target_manager & state_is(S.IN_PROGRESS, S.ON_HOLD))
rules.add_perm("tasks.progress_task", is_assignee & state_is(S.IN_PROGRESS))
rules.add_perm("tasks.hold_task", (is_assignee | is_target_manager) & state_is(S.IN_PROGRESS))
rules.add_perm("tasks.resume_task", (is_assignee | is_target_manager) & state_is(S.ON_HOLD))
rules.add_perm("tasks.finish_task", is_assignee & state_is(S.IN_PROGRESS))
rules.add_perm("tasks.verify_task", is_verifier & state_is(S.PENDING_VERIFICATION))
rules.add_perm("tasks.revise_task", is_requester & is_lead_request & state_is(S.REJECTED))
rules.add_perm(
    "tasks.cancel_task",
    (is_requester | is_admin) & state_is(S.DRAFT, S.PENDING_APPROVAL, S.PENDING_ACCEPTANCE, S.IN_PROGRESS),
)
rules.add_perm(
    "tasks.urge_task",
    is_requester & state_is(S.PENDING_APPROVAL, S.PENDING_ACCEPTANCE, S.IN_PROGRESS, S.ON_HOLD),
)
rules.add_perm("tasks.comment_task", can_view | is_admin)
