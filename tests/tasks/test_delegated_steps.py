"""A delegate takes the assignee's, the verifier's and a named approver's steps for them while
the delegation is in force, and only then; the log, the timeline and the holder's notice say for
whom; the lists show the holder's waiting work marked "for Y" in a fixed number of queries."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from core.models import ActionLog
from departments.models import Delegation
from notifications.models import Notification
from tasks import services
from tasks.models import ApprovalStep, RequestType, Task
from tasks.rules import can
from tasks.selectors import dashboard
from tests.conftest import login
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def delegate(holder, to, *, starts=0, ends=3, active=True):
    today = timezone.localdate()
    return Delegation.objects.create(
        delegator=holder,
        delegate=to,
        starts_on=today + timedelta(days=starts),
        ends_on=today + timedelta(days=ends),
        is_active=active,
    )


@pytest.fixture
def stand_in(org):
    return UserFactory(username="stand_in", display_name="代理人")


def last_log(task):
    return ActionLog.objects.filter(object_id=task.pk).order_by("-pk").first()


@pytest.mark.parametrize("action", ["progress", "hold", "finish"])
def test_the_assignees_delegate_works_the_request_in_the_window(org, in_state, stand_in, action):
    task = in_state("in_progress")
    assert not can(stand_in, action, task)
    delegate(org.assignee, stand_in)
    assert can(stand_in, action, task) and can(org.assignee, action, task)
    if action == "progress":
        services.task_progress(task=task, by=stand_in, percent=40)
    elif action == "hold":
        services.task_hold(task=task, by=stand_in, reason="waiting_other", waiting_on=org.hr)
        services.task_resume(task=task, by=stand_in)
    else:
        services.task_finish(task=task, by=stand_in)
    entry = last_log(task)
    assert entry.actor == stand_in and entry.acting_for == org.assignee
    # The assignee hears, once per step, that their delegate acted for them.
    notices = Notification.objects.filter(recipient=org.assignee, kind="delegation.acted")
    assert notices.count() == (2 if action == "hold" else 1)
    assert notices.first().link == f"/requests/{task.number}/"


def test_outside_the_window_or_ended_the_delegate_may_not(org, in_state, stand_in):
    task = in_state("in_progress")
    delegate(org.assignee, stand_in, starts=1, ends=3)  # starts tomorrow
    assert not can(stand_in, "progress", task)
    Delegation.objects.all().delete()
    delegate(org.assignee, stand_in, starts=-5, ends=-1)  # ended yesterday
    assert not can(stand_in, "progress", task)
    Delegation.objects.all().delete()
    delegate(org.assignee, stand_in, active=False)  # ended early
    assert not can(stand_in, "progress", task)
    with pytest.raises(PermissionDenied):
        services.task_progress(task=task, by=stand_in, percent=10)


def test_the_holder_still_acts_and_is_logged_as_themselves(org, in_state, stand_in):
    task = in_state("in_progress")
    delegate(org.assignee, stand_in)
    services.task_progress(task=task, by=org.assignee, percent=10)
    entry = last_log(task)
    assert entry.actor == org.assignee and entry.acting_for is None


def test_the_requesters_delegate_verifies(org, in_state, stand_in):
    task = in_state("pending_verification")
    assert not can(stand_in, "verify", task)
    delegate(org.requester, stand_in)
    services.task_reopen(task=task, by=stand_in, reason="quality")
    assert last_log(task).acting_for == org.requester
    task = services.task_finish(task=task, by=org.assignee)
    services.task_confirm(task=task, by=stand_in, comment="收到")
    task.refresh_from_db()
    assert task.state == "done" and last_log(task).acting_for == org.requester


def test_a_named_approvers_delegate_approves_for_them(org, file_request, stand_in):
    rt = RequestType.objects.create(department=org.purchasing, code="named", name="指定审批")
    step = ApprovalStep.objects.create(request_type=rt, order=1, approver="users", mode="all")
    step.users.set([org.outsider])  # an employee, not a manager
    task = file_request(rt)
    assert not can(stand_in, "approve", Task.objects.get(pk=task.pk))
    delegate(org.outsider, stand_in)
    assert can(stand_in, "approve", Task.objects.get(pk=task.pk))
    services.task_approve(task=task, by=stand_in, opinion="同意")
    entry = last_log(task)
    assert entry.actor == stand_in and entry.acting_for == org.outsider


def test_the_delegate_sees_the_holders_waiting_work_marked_for_them(client, org, in_state, stand_in):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    working = in_state("in_progress")
    delegate(org.assignee, stand_in)
    board = dashboard(stand_in)
    assert [t.pk for t in board["assigned"]] == [working.pk]
    assert board["assigned"][0].acting_for == org.assignee
    login(client, stand_in)
    home = client.get("/").content.decode()
    assert working.number in home and f"for {org.assignee.name}" in home
    listed = client.get("/requests/list/assigned/").content.decode()
    assert working.number in listed and f"for {org.assignee.name}" in listed
    assert client.get(f"/requests/{working.number}/").status_code == 200


def test_the_home_page_and_the_list_do_not_grow_with_delegated_rows(
    client, org, in_state, stand_in, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    delegate(org.assignee, stand_in)
    delegate(org.requester, stand_in, ends=2)
    delegate(org.sales_head, stand_in, ends=1)
    in_state("in_progress")
    in_state("pending_approval")
    login(client, stand_in)
    client.get("/")

    def count(url):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    home, listed, approvals = count("/"), count("/requests/list/assigned/"), count("/requests/list/approvals/")
    for _n in range(4):
        in_state("in_progress")
        in_state("pending_verification")
        in_state("pending_approval")
    assert count("/") == home
    assert count("/requests/list/assigned/") == listed
    page = client.get("/requests/list/approvals/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert count("/requests/list/approvals/") == approvals and page.count(f"for {org.sales_head.name}") >= 5


def test_the_timeline_and_the_api_show_for_whom(client, org, in_state, stand_in):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    task = in_state("in_progress")
    delegate(org.assignee, stand_in)
    services.task_progress(task=task, by=stand_in, percent=50)
    login(client, org.requester)
    page = client.get(f"/requests/{task.number}/").content.decode()
    assert f"for {org.assignee.name}" in page
    # The API's timeline names the holder too.
    from rest_framework.test import APIClient

    from api.services import token_create

    _token, secret = token_create(user=org.requester, name="t", scope="read", expires_in_days=1)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    timeline = api.get(f"/api/v1/requests/{task.number}/").json()["timeline"]
    progress = [e for e in timeline if e["kind"] == "log" and e["action"] == "task.progress"]
    assert progress[-1]["acting_for"]["username"] == org.assignee.username
