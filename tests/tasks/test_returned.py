"""A request an approver returned for revision is a draft again, but not one never sent: its badge
says "Returned" in the lists and on its page, and its page opens with the reason and the
approver's opinion of the latest return."""

import re

import pytest

from tasks import services
from tasks.models import Reason
from tests.conftest import login
from tests.tasks.test_list_markup import row_of

pytestmark = pytest.mark.django_db


def badges(html: str) -> list[str]:
    return [re.sub(r"\s+", " ", text).strip() for text in re.findall(r'<span class="badge [^"]*">(.*?)</span>', html)]


def page(client, address: str) -> str:
    response = client.get(address, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.content.decode()


def test_a_returned_request_says_so_in_lists_and_on_its_page(client, org, purchase, file_request):
    fresh = file_request(purchase, submit=False, title="从未提交的草稿")
    returned = file_request(purchase, title="被退回的申请")
    services.task_return(task=returned, by=org.sales_head, reason=Reason.INCOMPLETE, opinion="请补充三家报价。")
    login(client, org.requester)

    listing = page(client, "/requests/list/mine/")
    row = row_of(listing, returned.number)
    assert "Returned" in badges(row) and "Draft" not in badges(row)
    row = row_of(listing, fresh.number)
    assert "Draft" in badges(row) and "Returned" not in badges(row)

    body = page(client, f"/requests/{returned.number}/")
    assert "Returned" in badges(body) and "Draft" not in badges(body)
    top = body[body.index("<h1") : body.index('id="actions"')]
    assert "王经理 returned this request for revision" in top
    assert "Information or materials incomplete" in top
    assert "请补充三家报价。" in top

    body = page(client, f"/requests/{fresh.number}/")
    assert "Draft" in badges(body)
    assert "returned this request" not in body


def test_the_page_shows_the_latest_return_and_none_once_sent_again(client, org, purchase, file_request):
    task = file_request(purchase)
    services.task_return(task=task, by=org.sales_head, reason=Reason.INCOMPLETE, opinion="第一次意见")
    services.task_submit(task=task, by=org.requester)
    login(client, org.requester)
    body = page(client, f"/requests/{task.number}/")
    assert "returned this request" not in body and "Returned" not in badges(body)

    services.task_return(task=task, by=org.sales_head, reason=Reason.UNCLEAR, opinion="第二次意见")
    body = page(client, f"/requests/{task.number}/")
    top = body[body.index("<h1") : body.index('id="actions"')]
    assert "第二次意见" in top and "第一次意见" not in top
    assert "Requirement unclear" in top


def test_a_rejected_request_revised_is_a_plain_draft(client, org, purchase, file_request):
    task = file_request(purchase)
    services.task_reject(task=task, by=org.sales_head, reason=Reason.POLICY, opinion="不批")
    services.task_revise(task=task, by=org.requester)
    task.refresh_from_db()
    assert task.state == "draft" and not task.is_returned
    login(client, org.requester)
    assert "Draft" in badges(page(client, f"/requests/{task.number}/"))
