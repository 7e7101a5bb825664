"""Delegation in a real chromium: an employee who is a named approver names a delegate on their
own page; the delegate finds the request on the home page marked "for" the approver, approves it,
and the request's timeline says whom they approved for; the approver is told.
Screenshots: test-artifacts/browser/delegation/en/."""

from datetime import timedelta

import pytest
from django.utils import timezone

from departments.models import Delegation
from notifications.models import Notification
from tasks.models import ApprovalStep, RequestType, Task
from tests.browser.test_journeys import assert_clean
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_a_named_approvers_delegate_approves_for_them(browser_for, org, file_request):
    stand_in = UserFactory(username="stand_in", display_name="代理人")
    stand_in.set_password(org.password)
    stand_in.save()
    rt = RequestType.objects.create(department=org.purchasing, code="named", name="指定审批", name_en="Named approval")
    step = ApprovalStep.objects.create(request_type=rt, order=1, approver="users", mode="all", name="指定审批人")
    step.users.set([org.outsider])  # 孙五 is an employee, not a manager
    task = file_request(rt, title="代理审批的请求")
    b = browser_for("en", "delegation")

    # The approver, an ordinary employee, names their delegate for the coming days.
    b.login("outsider", org.password)
    b.goto("/me/delegations/new/")
    b.page.type("#id_delegate", "stand")
    b.page.wait_for_selector(".people-list button")
    b.page.click(".people-list button")
    today = timezone.localdate()
    b.page.fill("[name=starts_on]", today.isoformat())
    b.page.fill("[name=ends_on]", (today + timedelta(days=3)).isoformat())
    b.shot("delegate-named")
    b.submit("main form[method=post] button[type=submit]")
    assert Delegation.objects.get(delegator=org.outsider).delegate == stand_in

    # The delegate sees the approval waiting, marked for whom, and approves it.
    b.login("stand_in", org.password)
    b.goto("/")
    main = b.page.inner_text("main")
    assert task.number in main and f"for {org.outsider.name}" in main
    b.shot("home-for-the-approver")
    b.goto(f"/requests/{task.number}/")
    b.act("approve", {"opinion": "代为同意"})
    assert Task.objects.get(pk=task.pk).state == "pending_acceptance"
    main = b.page.inner_text("main")
    assert "代为同意" in main and f"for {org.outsider.name}" in main
    b.shot("approved-for")

    # The approver hears that their delegate acted for them.
    assert Notification.objects.filter(recipient=org.outsider, kind="delegation.acted").count() == 1
    assert_clean(b)
