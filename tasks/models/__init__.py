"""Cross-department requests (事务): their types, approval chains, the request
itself with its state machine, approvals, the log, comments, attachments,
holds, and the reminders already sent."""

from tasks.models.activity import Approval as Approval
from tasks.models.activity import Attachment as Attachment
from tasks.models.activity import Comment as Comment
from tasks.models.activity import HoldPeriod as HoldPeriod
from tasks.models.activity import Reminder as Reminder
from tasks.models.activity import RequestTypeAction as RequestTypeAction
from tasks.models.activity import SweepMark as SweepMark
from tasks.models.activity import TaskAction as TaskAction
from tasks.models.activity import attachment_path as attachment_path
from tasks.models.request_types import DEFAULT_ESTIMATE_HOURS as DEFAULT_ESTIMATE_HOURS
from tasks.models.request_types import PRIORITY_WEIGHT as PRIORITY_WEIGHT
from tasks.models.request_types import ApprovalStep as ApprovalStep
from tasks.models.request_types import Priority as Priority
from tasks.models.request_types import Reason as Reason
from tasks.models.request_types import RequestField as RequestField
from tasks.models.request_types import RequestType as RequestType
from tasks.models.request_types import RequestTypeVersion as RequestTypeVersion
from tasks.models.task import RequestCounter as RequestCounter
from tasks.models.task import Task as Task
