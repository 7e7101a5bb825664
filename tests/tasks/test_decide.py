"""Deciding an approval from the e-mail's link: one link per action, for one person, once,
before it expires; a GET changes nothing; the POST goes through the approval step."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.utils import timezone

from core.models import ActionLog
from notifications import decisions
from notifications.models import DecisionLink, ImRobot
from tasks import services
from tasks.models import Approval
from tests.conftest import login

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client):
    """The messages below are checked in English; the portal's default language is Chinese."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


LINK = re.compile(r"https?://[^\s\"<]+/decide/([\w-]+)/")


def links_in(message) -> list[str]:
    """The decision paths in an e-mail's text, in order."""
    return [f"/decide/{token}/" for token in LINK.findall(message.body)]


@pytest.fixture
def pending(org, purchase, file_request, django_capture_on_commit_callbacks):
    """A request waiting for the sales head's approval, and the links of the e-mail that says so."""
    with django_capture_on_commit_callbacks(execute=True):
        task = file_request(purchase)
    message = next(m for m in mail.outbox if m.to == [org.sales_head.email])
    approve, reject = links_in(message)
    return task, approve, reject, message


def log_count(task) -> int:
    return ActionLog.objects.filter(object_id=task.pk).count()


def test_the_approver_e_mail_carries_one_link_per_action(org, pending):
    task, approve, reject, message = pending
    assert approve != reject
    assert "Approve" in message.body or "同意" in message.body or "批准" in message.body
    html = message.alternatives[0][0]
    assert approve in html and reject in html and 'class="decision-link"' in html
    links = DecisionLink.objects.filter(user=org.sales_head).order_by("pk")
    assert [link.action for link in links] == ["approve", "reject"]
    assert all(link.target_id == task.pk and link.used_at is None for link in links)
    # Only the hash is stored: the token appears nowhere in the table.
    token = approve.split("/")[2]
    assert not DecisionLink.objects.filter(token_hash__contains=token).exists()
    # The requester's e-mails (none asking a decision) carry no link.
    assert not any(links_in(m) for m in mail.outbox if m.to == [org.requester.email])


def test_robot_posts_never_carry_a_personal_link(org, purchase, file_request, django_capture_on_commit_callbacks):
    ImRobot.objects.create(name="群", department=org.purchasing, kind="wecom", url="http://127.0.0.1:9/hook")
    with django_capture_on_commit_callbacks(execute=True):
        task = file_request(purchase)
        services.task_approve(task=task, by=org.sales_head)
    from notifications.models import Delivery

    assert Delivery.objects.filter(channel="webhook").exists()
    assert not Delivery.objects.filter(channel="webhook", body__contains="/decide/").exists()


def test_opening_the_link_logged_out_asks_to_log_in_and_comes_back(client, pending):
    _task, approve, _reject, _m = pending
    response = client.get(approve)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/") and approve in response["Location"]


def test_get_shows_the_essentials_with_the_decision_chosen_and_changes_nothing(
    client, org, pending, django_assert_max_num_queries
):
    task, approve, reject, _m = pending
    login(client, org.sales_head)
    before = log_count(task)
    with django_assert_max_num_queries(13):
        page = client.get(approve)
    assert page.status_code == 200
    html = page.content.decode()
    assert task.number in html and task.title in html and org.requester.name in html
    assert 'value="approve" checked' in html.replace("\n", " ") or re.search(r'value="approve"[^>]*checked', html)
    other = client.get(reject).content.decode()
    assert re.search(r'value="reject"[^>]*checked', other)
    # Nothing changed: the step still waits, the links are unused, nothing was logged.
    task.refresh_from_db()
    assert task.state == "pending_approval" and log_count(task) == before
    assert not DecisionLink.objects.filter(used_at__isnull=False).exists()
    assert task.approvals.get(approver=org.sales_head).decision == Approval.Decision.PENDING


def test_post_approves_through_the_step_and_spends_the_link(client, org, pending):
    task, approve, reject, _m = pending
    login(client, org.sales_head)
    response = client.post(approve, {"decision": "approve", "opinion": "同意，尽快采购"})
    assert response.status_code == 302 and response["Location"] == f"/requests/{task.number}/"
    task.refresh_from_db()
    approval = task.approvals.get(approver=org.sales_head)
    assert approval.decision == "approved" and approval.opinion == "同意，尽快采购"
    assert task.state == "pending_acceptance"  # one step under the finance limit
    log = ActionLog.objects.filter(object_id=task.pk, action="task.approved").get()
    assert log.actor == org.sales_head and log.comment == "同意，尽快采购"
    assert DecisionLink.objects.get(user=org.sales_head, action="approve").used_at is not None
    # The sibling link now finds the step decided, and says so without changing anything.
    again = client.get(reject)
    assert again.status_code == 409 and "already decided" in again.content.decode()
    assert client.post(reject, {"decision": "reject", "reason": "policy"}).status_code == 409
    task.refresh_from_db()
    assert task.approvals.get(approver=org.sales_head).decision == "approved"


def test_a_used_link_says_so_and_changes_nothing(client, org, pending):
    task, approve, _reject, _m = pending
    login(client, org.sales_head)
    client.post(approve, {"decision": "approve"})
    before = log_count(task)
    for response in (client.get(approve), client.post(approve, {"decision": "approve"})):
        assert response.status_code == 410
        assert "already used" in response.content.decode()
    assert log_count(task) == before


def test_an_expired_link_says_so_and_changes_nothing(client, org, pending):
    task, approve, _reject, _m = pending
    now = timezone.now()
    DecisionLink.objects.filter(user=org.sales_head).update(
        created_at=now - timedelta(days=8), expires_at=now - timedelta(seconds=1)
    )
    login(client, org.sales_head)
    for response in (client.get(approve), client.post(approve, {"decision": "approve"})):
        assert response.status_code == 410 and "expired" in response.content.decode()
    task.refresh_from_db()
    assert task.approvals.get(approver=org.sales_head).decision == "pending"
    assert DecisionLink.objects.get(user=org.sales_head, action="approve").used_at is None


def test_a_forwarded_link_works_for_nobody_else(client, org, pending, finance):
    task, approve, _reject, _m = pending
    # Not an outsider only: the sales deputy manages the same department and could approve on the page.
    for person in (org.outsider, org.sales_deputy, org.admin):
        login(client, person)
        for response in (client.get(approve), client.post(approve, {"decision": "approve"})):
            assert response.status_code == 403
            assert "sent to someone else" in response.content.decode()
            assert task.number not in response.content.decode()
    task.refresh_from_db()
    assert task.approvals.get(approver=org.sales_head).decision == "pending"
    assert DecisionLink.objects.get(user=org.sales_head, action="approve").used_at is None


def test_a_step_decided_on_the_page_makes_the_link_say_so(client, org, pending):
    task, approve, _reject, _m = pending
    services.task_approve(task=task, by=org.sales_head, opinion="在页面上同意")
    login(client, org.sales_head)
    page = client.get(approve)
    assert page.status_code == 409 and "already decided" in page.content.decode()
    assert f"/requests/{task.number}/" in page.content.decode()


def test_the_post_meets_the_step_lock_and_state(client, org, pending):
    """Between opening the page and sending, someone else decided: the step's conflict answers,
    nothing changes and the link stays unused (it did nothing)."""
    task, _approve, reject, _m = pending
    login(client, org.sales_head)
    assert client.get(reject).status_code == 200
    services.task_cancel(task=task, by=org.requester, comment="不需要了")
    task.refresh_from_db()
    assert task.state == "cancelled"
    response = client.post(reject, {"decision": "reject", "reason": "policy"})
    assert response.status_code == 409 and "already decided" in response.content.decode()
    assert DecisionLink.objects.get(user=org.sales_head, action="reject").used_at is None
    assert task.approvals.get(approver=org.sales_head).decision != "rejected"


def test_the_post_asks_the_approve_rule(client, org, pending):
    """A link issued to someone the rule does not let approve (the requester, here) decides nothing."""
    task, *_ = pending
    (_label, url), *_ = decisions.issue(org.requester, task, ["approve"])
    path = urlsplit(url).path
    login(client, org.requester)
    assert client.get(path).status_code == 409
    assert client.post(path, {"decision": "approve"}).status_code == 409
    task.refresh_from_db()
    assert task.state == "pending_approval" and not task.approvals.exclude(decision="pending").exists()


def test_reject_needs_a_reason_and_a_refused_form_keeps_the_link(client, org, pending):
    task, _approve, reject, _m = pending
    login(client, org.sales_head)
    response = client.post(reject, {"decision": "reject", "reason": "", "opinion": "不行"})
    assert response.status_code == 400
    assert DecisionLink.objects.get(user=org.sales_head, action="reject").used_at is None
    response = client.post(reject, {"decision": "reject", "reason": "policy", "opinion": "超预算"})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.state == "rejected"


@pytest.mark.parametrize("token", ["nope", "x" * 65, "a" * 43])
def test_an_unknown_link_is_a_clear_404(client, org, token):
    login(client, org.sales_head)
    response = client.get(f"/decide/{token}/")
    assert response.status_code == 404 and "not valid" in response.content.decode()


def test_crafted_posts_never_500(client, org, pending):
    task, approve, *_ = pending
    login(client, org.sales_head)
    for data in ({}, {"decision": "drop table"}, {"decision": "approve", "opinion": "x" * 5000}):
        assert client.post(approve, data).status_code == 400
    assert client.put(approve).status_code == 405
    task.refresh_from_db()
    assert task.state == "pending_approval"


def test_spend_lets_one_of_two_posts_win(org, pending):
    _task, *_ = pending
    link = DecisionLink.objects.get(user=org.sales_head, action="approve")
    assert decisions.spend(link) is True
    assert decisions.spend(DecisionLink.objects.get(pk=link.pk)) is False


def test_expiry_follows_the_setting(org, pending, settings):
    task, *_ = pending
    settings.DECISION_LINK_DAYS = 2
    decisions.issue(org.sales_head, task, ["approve"])
    newest = DecisionLink.objects.order_by("-pk").first()
    assert timedelta(days=2) - timedelta(minutes=1) < newest.expires_at - newest.created_at <= timedelta(days=2)


def test_the_page_in_english(client, org, pending):
    _task, approve, *_ = pending
    org.sales_head.language = "en"
    org.sales_head.save()
    login(client, org.sales_head)
    html = client.get(approve, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Your decision" in html and "Send my decision" in html


@pytest.fixture
def waiting_acceptance(org, support, file_request, django_capture_on_commit_callbacks):
    """A question (no approval) waiting for 采购部 to accept it, and its head's links."""
    with django_capture_on_commit_callbacks(execute=True):
        task = file_request(support, title="咨询报销流程")
    assert task.state == "pending_acceptance"
    message = [m for m in mail.outbox if m.to == [org.purchasing_head.email]][-1]
    return task, links_in(message)


def test_a_department_head_accepts_from_the_link(client, org, waiting_acceptance, django_assert_max_num_queries):
    task, (accept, decline) = waiting_acceptance
    login(client, org.purchasing_head)
    with django_assert_max_num_queries(15):
        page = client.get(accept)
    assert page.status_code == 200
    html = page.content.decode()
    assert re.search(r'value="accept"[^>]*checked', html) and f'value="{org.assignee.pk}"' in html
    assert task.title in html
    refused = client.post(accept, {"decision": "accept", "assignee": ""})
    assert refused.status_code == 400
    response = client.post(accept, {"decision": "accept", "assignee": org.assignee.pk, "note": "尽快回复"})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.state == "in_progress" and task.assignee == org.assignee
    assert client.get(decline).status_code == 409  # the sibling link: already decided


def test_a_department_head_declines_from_the_link(client, org, waiting_acceptance):
    task, (accept, decline) = waiting_acceptance
    login(client, org.purchasing_head)
    assert client.post(decline, {"decision": "decline", "reason": ""}).status_code == 400
    # An assignee from another department is refused by the form, not a 500.
    assert client.post(accept, {"decision": "accept", "assignee": org.outsider.pk}).status_code == 400
    response = client.post(decline, {"decision": "decline", "reason": "wrong_department", "note": "请找财务"})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.state == "rejected" and task.assignee is None
    assert client.post(decline, {"decision": "decline", "reason": "other"}).status_code == 410


def test_links_expired_a_month_ago_are_purged_and_no_others(org, purchase, file_request):
    from notifications.tasks import purge_decision_links

    task = file_request(purchase)
    now = timezone.now()
    ages = {"fresh": 0, "expired": decisions.KEEP_EXPIRED_DAYS - 1, "old": decisions.KEEP_EXPIRED_DAYS + 1}
    for name, days_ago in ages.items():
        decisions.issue(org.sales_head, task, ["approve"])
        link = DecisionLink.objects.latest("pk")
        link.created_at = now - timedelta(days=days_ago + 8)
        link.expires_at = now - timedelta(days=days_ago) + (timedelta(days=7) if name == "fresh" else timedelta())
        link.save()
        ages[name] = link.pk
    assert purge_decision_links.delay().get(timeout=10) == 1
    assert set(DecisionLink.objects.values_list("pk", flat=True)) >= {ages["fresh"], ages["expired"]}
    assert not DecisionLink.objects.filter(pk=ages["old"]).exists()


def test_the_countersigner_decides_from_their_link_and_sees_why_they_were_asked(
    client, org, pending, django_capture_on_commit_callbacks
):
    """加签 alongside: the person added gets their own links; the page says who added them and why."""
    task, _approve, _reject, _m = pending
    with django_capture_on_commit_callbacks(execute=True):
        services.task_add_approver(
            task=task, by=org.sales_head, person=org.leader, position="alongside", comment="新供应商，请郑总把关"
        )
    message = next(m for m in mail.outbox if m.to == [org.leader.email])
    approve, _reject_link = links_in(message)
    login(client, org.leader)
    page = client.get(approve).content.decode()
    assert "Added by 王经理 (加签): 新供应商，请郑总把关" in page
    assert client.post(approve, {"decision": "approve", "opinion": "同意"}).status_code == 302
    task.refresh_from_db()
    assert task.state == "pending_approval"  # the sales head has not decided yet
    assert task.approvals.get(approver=org.leader).decision == "approved"
