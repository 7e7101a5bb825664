"""The workflow step helper (core.workflow.step): lock, source state, rule, save and log, all in
one transaction. Tried on a request, the kernel's users being the apps."""

from decimal import Decimal

import pytest
import rules
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import ActionLog
from core.workflow import StepConflict, StepError, StepForbidden, step
from tasks import services
from tasks.models import RequestType, Task, TaskAction

pytestmark = pytest.mark.django_db


class Stale(StepConflict):
    pass


class Refused(StepError):
    pass


def stale(row):
    return Stale(f"moved on: {row.state}")


@pytest.fixture
def draft(org):
    request_type = RequestType.objects.create(
        department=org.purchasing, code="q", name="咨询", accept_sla_hours=Decimal(2), finish_sla_hours=Decimal(8)
    )
    return services.task_create(by=org.requester, request_type=request_type, title="问个问题")


def logged(task):
    return list(task.logs.values_list("action", "from_state", "to_state"))


def test_the_step_saves_the_row_and_logs_from_the_state_it_was_locked_in(org, draft):
    with step(Task, draft.pk, by=org.requester, expect=[Task.State.DRAFT], stale=stale) as s:
        assert s.row is not draft and s.row.pk == draft.pk
        s.row.title = "改过的标题"
        s.row.cancel()
        entry = s.save(
            TaskAction.CANCELLED, update_fields=["title", "state", "closed_at", "approval_step"], comment="不要了"
        )
    draft.refresh_from_db()
    assert (draft.title, draft.state) == ("改过的标题", "cancelled")
    assert (entry.actor, entry.comment) == (org.requester, "不要了")
    assert logged(draft)[-1] == ("task.cancelled", "draft", "cancelled")


@pytest.mark.parametrize(
    ("expect", "seen_state"),
    [([Task.State.PENDING_APPROVAL], None), ([Task.State.DRAFT], "pending_approval"), (None, "in_progress")],
)
def test_a_row_that_moved_on_raises_the_apps_conflict_and_runs_nothing(org, draft, expect, seen_state):
    ran = []
    with pytest.raises(Stale, match="moved on: draft"):
        with step(Task, draft.pk, by=org.requester, expect=expect, seen_state=seen_state, stale=stale):
            ran.append(True)
    assert ran == []


def test_the_rule_is_asked_and_a_no_is_forbidden(org, draft):
    is_requester = rules.predicate(lambda user, task: task.requester_id == user.pk)
    is_draft = rules.predicate(lambda user, task: task.state == "draft")
    with step(Task, draft.pk, by=org.requester, stale=stale, rule=is_requester & is_draft):
        pass
    with pytest.raises(StepForbidden) as refused:
        with step(Task, draft.pk, by=org.outsider, stale=stale, rule=is_requester & is_draft):
            pass
    assert isinstance(refused.value, PermissionDenied)  # a 403 where no view catches it
    with pytest.raises(StepForbidden):
        with step(Task, draft.pk, by=org.outsider, stale=stale, rule=lambda user, task: False):
            pass


def test_a_refusal_can_say_why_in_the_apps_words(org, draft):
    def why(task):
        return Refused("Not yours.") if task.requester_id != org.outsider.pk else None

    with pytest.raises(Refused, match="Not yours."):
        with step(Task, draft.pk, by=org.outsider, stale=stale, rule=lambda u, t: False, refused=why):
            pass


def test_an_error_inside_the_step_leaves_nothing_saved(org, draft):
    before = ActionLog.objects.count()
    with pytest.raises(Refused):
        with step(Task, draft.pk, by=org.requester, expect=[Task.State.DRAFT], stale=stale) as s:
            s.row.title = "不该留下"
            s.save(TaskAction.EDITED)
            raise Refused("changed my mind")
    draft.refresh_from_db()
    assert draft.title == "问个问题"
    assert ActionLog.objects.count() == before


def test_work_queued_on_commit_runs_only_once_committed(org, draft, django_capture_on_commit_callbacks):
    ran = []
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with step(Task, draft.pk, by=org.requester, stale=stale) as s:
            s.on_commit(lambda: ran.append("after"))
            assert ran == []
    assert ran == ["after"] and len(callbacks) == 1


def test_a_queryset_reads_related_rows_with_the_locked_one(org, draft):
    rows = Task.objects.select_related("request_type")
    with CaptureQueriesContext(connection) as queries:
        with step(rows, draft.pk, by=org.requester, stale=stale, of=("self",)) as s:
            assert s.row.request_type.code == "q"
    selects = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")]
    assert len(selects) == 1


def test_every_apps_errors_build_on_the_kernels():
    """Views may handle any app's refusals and late clicks the same way."""
    from conflicts.services import ConflictError, ConflictStale
    from documents.services import DocumentConflict, DocumentError
    from tasks.services import TaskConflict, TaskError
    from teams.services import TeamConflict, TeamError

    for error in (TaskError, ConflictError, DocumentError, TeamError):
        assert issubclass(error, StepError)
    for conflict, error in (
        (TaskConflict, TaskError),
        (ConflictStale, ConflictError),
        (DocumentConflict, DocumentError),
        (TeamConflict, TeamError),
    ):
        assert issubclass(conflict, StepConflict) and issubclass(conflict, error)
