"""Who may do what with a request. Views and templates ask these; services enforce them."""

import rules

from departments.rules import is_admin
from departments.selectors import acting_for
from tasks.models import Task


@rules.predicate
def can_view(user, task: Task) -> bool:
    if getattr(task, "_visible_to", None) == user.pk:  # loaded for this user by selectors.task_for_page
        return True
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
    from tasks.selectors import acting_manager_department_ids

    return task.target_department_id in acting_manager_department_ids(user)


@rules.predicate
def is_verifier(user, task: Task) -> bool:
    """The requester verifies a request; the lead request's assignee verifies a co-handling sub-task."""
    if task.parent_id:
        return user.pk in (task.parent.assignee_id, task.parent.requester_id)
    return task.requester_id == user.pk


# Delegation: a delegate takes the steps of the person they act for today (departments.selectors.
# acting_for, the one role fact). Named approvers' delegates decide through approvals_waiting_for.


def _verifiers(task: Task) -> tuple:
    return (task.parent.assignee_id, task.parent.requester_id) if task.parent_id else (task.requester_id,)


@rules.predicate
def acts_for_assignee(user, task: Task) -> bool:
    return task.assignee_id is not None and acting_for(user, task.assignee_id)


@rules.predicate
def acts_for_verifier(user, task: Task) -> bool:
    return any(holder and acting_for(user, holder) for holder in _verifiers(task))


def acting_holder(user, action: str, task: Task):
    """Whom `user` acts for when taking the assignee's or the verifier's step `action` on `task`
    (None when the step is their own): the log, the timeline and the holder's notice name them."""
    if action in ("progress", "hold", "resume", "finish"):
        if not is_assignee(user, task) and acts_for_assignee(user, task):
            return task.assignee
    elif action == "verify" and not is_verifier(user, task):
        holders = (
            {task.parent.assignee_id: task.parent.assignee, task.parent.requester_id: task.parent.requester}
            if (task.parent_id)
            else {task.requester_id: task.requester}
        )
        for holder_id, holder in holders.items():
            if holder_id and acting_for(user, holder_id):
                return holder
    return None


def pending_approvals(user, task: Task) -> list:
    """The approvals of the request's current step that `user` may decide now (their own or those
    of the people they act for), with their approvers. Kept on the task object they were read for,
    with the step they belong to: the approve step asks the rule on its locked row and then
    decides these rows, so the question is put to the database once."""
    from tasks.selectors import approvals_waiting_for

    key = (user.pk, task.state, task.approval_round, task.approval_step)
    kept = getattr(task, "pending_approvals_read", None)
    if kept is None or kept[0] != key:
        rows = list(approvals_waiting_for(user).filter(task=task).select_related(None).select_related("approver"))
        kept = task.pending_approvals_read = (key, rows)
    return kept[1]


@rules.predicate
def is_pending_approver(user, task: Task) -> bool:
    return bool(pending_approvals(user, task))


@rules.predicate
def is_lead_request(user, task: Task) -> bool:
    return task.parent_id is None


def state_is(*states):
    @rules.predicate(name=f"state_is_{'_'.join(states)}")
    def predicate(user, task: Task) -> bool:
        return task.state in states

    return predicate


S = Task.State

# Request actions are checked against this rule set, not Django's permissions, so
# that a superuser's blanket permissions do not make every button appear for admins.
task_rules = rules.RuleSet()


def can(user, action: str, task: Task) -> bool:
    """Whether `user` may do `action` (e.g. "approve") to `task` now."""
    return task_rules.test_rule(action, user, task)


# Admins see every request through the visibility rule (can_view), drafts apart.
task_rules.add_rule("view", can_view)
task_rules.add_rule("edit", is_requester & state_is(S.DRAFT))
task_rules.add_rule("submit", is_requester & state_is(S.DRAFT))
# The state and the requester first: is_pending_approver asks the database, only a request pending
# approval has approvers, and its requester is never one of them.
task_rules.add_rule("approve", state_is(S.PENDING_APPROVAL) & ~is_requester & is_pending_approver)
# 加签 and 转签: whoever may decide the step now may bring someone else in instead.
task_rules.add_rule("add_approver", task_rules["approve"])
task_rules.add_rule("forward", task_rules["approve"])
task_rules.add_rule("accept", is_target_manager & state_is(S.PENDING_ACCEPTANCE))
task_rules.add_rule("decline", is_target_manager & state_is(S.PENDING_ACCEPTANCE))
task_rules.add_rule("transfer", is_target_manager & state_is(S.PENDING_ACCEPTANCE, S.IN_PROGRESS))
task_rules.add_rule("reassign", is_target_manager & state_is(S.IN_PROGRESS, S.ON_HOLD))
handles = is_assignee | acts_for_assignee
task_rules.add_rule("progress", handles & state_is(S.IN_PROGRESS))
task_rules.add_rule("hold", (handles | is_target_manager) & state_is(S.IN_PROGRESS))
task_rules.add_rule("resume", (handles | is_target_manager) & state_is(S.ON_HOLD))
task_rules.add_rule("finish", handles & state_is(S.IN_PROGRESS))
task_rules.add_rule("verify", (is_verifier | acts_for_verifier) & state_is(S.PENDING_VERIFICATION))
task_rules.add_rule("revise", is_requester & is_lead_request & state_is(S.REJECTED))
# 撤回: until the first decision, which the service checks (the page offers it in these states).
task_rules.add_rule("withdraw", is_requester & is_lead_request & state_is(S.PENDING_APPROVAL, S.PENDING_ACCEPTANCE))
task_rules.add_rule(
    "cancel",
    (is_requester | is_admin) & state_is(S.DRAFT, S.PENDING_APPROVAL, S.PENDING_ACCEPTANCE, S.IN_PROGRESS),
)
task_rules.add_rule(
    "urge",
    is_requester & state_is(S.PENDING_APPROVAL, S.PENDING_ACCEPTANCE, S.IN_PROGRESS, S.ON_HOLD),
)
task_rules.add_rule("comment", can_view)
