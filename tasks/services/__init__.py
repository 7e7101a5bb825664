"""Use cases of a request's life. Each step goes through core.workflow.step: lock the
row, check that the request is still where the user saw it (else TaskConflict:
"already handled"), ask the rule of tasks/rules.py, run the transition, write the
log and the notifications in the same transaction."""

from tasks.services.approval import bulk_approve as bulk_approve
from tasks.services.approval import task_add_approver as task_add_approver
from tasks.services.approval import task_approve as task_approve
from tasks.services.approval import task_forward as task_forward
from tasks.services.approval import task_reject as task_reject
from tasks.services.approval import task_return as task_return
from tasks.services.comments import task_comment as task_comment
from tasks.services.common import TaskConflict as TaskConflict
from tasks.services.common import TaskError as TaskError
from tasks.services.common import conflict as conflict
from tasks.services.common import managers_of as managers_of
from tasks.services.common import storage_failed as storage_failed
from tasks.services.dispatch import bulk_assign as bulk_assign
from tasks.services.dispatch import task_accept as task_accept
from tasks.services.dispatch import task_decline as task_decline
from tasks.services.dispatch import task_reassign as task_reassign
from tasks.services.dispatch import task_transfer as task_transfer
from tasks.services.filing import filing_refusal as filing_refusal
from tasks.services.filing import task_create as task_create
from tasks.services.filing import task_revise as task_revise
from tasks.services.filing import task_submit as task_submit
from tasks.services.filing import task_update_draft as task_update_draft
from tasks.services.filing import task_withdraw as task_withdraw
from tasks.services.handling import task_cancel as task_cancel
from tasks.services.handling import task_confirm as task_confirm
from tasks.services.handling import task_finish as task_finish
from tasks.services.handling import task_hold as task_hold
from tasks.services.handling import task_progress as task_progress
from tasks.services.handling import task_reopen as task_reopen
from tasks.services.handling import task_resume as task_resume
from tasks.services.handling import task_urge as task_urge
from tasks.services.versions import condition_problems as condition_problems
from tasks.services.versions import draft_in_the_way as draft_in_the_way
from tasks.services.versions import draft_problems as draft_problems
from tasks.services.versions import request_type_create as request_type_create
from tasks.services.versions import request_type_discard_draft as request_type_discard_draft
from tasks.services.versions import request_type_publish as request_type_publish
from tasks.services.versions import request_type_publish_guide as request_type_publish_guide
from tasks.services.versions import request_type_publish_version as request_type_publish_version
from tasks.services.versions import request_type_reinstate as request_type_reinstate
from tasks.services.versions import request_type_restore as request_type_restore
from tasks.services.versions import request_type_retire as request_type_retire
from tasks.services.versions import request_type_save_draft as request_type_save_draft
from tasks.services.versions import request_types_publish_first as request_types_publish_first
