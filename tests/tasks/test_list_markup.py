"""The markup of the busiest pages: list rows, home panels, inbox rows, the navigation, the
filter and filing forms. Every value escaped, the labels in the reader's language, the marks for
overdue work and delegated approvals, the current section, and what admins change shown at once."""

import re
from datetime import timedelta
from html import escape

import pytest
from django.test import RequestFactory
from django.utils import timezone, translation

from departments.models import Delegation
from tasks import services
from tasks.models import Task
from tests.conftest import login

pytestmark = pytest.mark.django_db

PAYLOAD = '<script>alert("x")</script>&{}'


def row_of(body: str, number: str) -> str:
    """The <tr> of request `number` in a list page."""
    found = re.search(rf"<tr><td[^>]*><a href=\"/requests/{number}/\">.*?</tr>", body, re.S) or re.search(
        rf"<tr><td><input[^>]*value=\"\d+\"[^>]*{number}\"></td>.*?</tr>", body, re.S
    )
    assert found, f"no row for {number}"
    return found.group(0)


def test_a_list_row_shows_the_request_escaped_and_in_the_readers_language(client, org, support, file_request):
    task = file_request(support, title=PAYLOAD, priority=4)
    services.task_accept(task=task, by=org.purchasing_head, assignee=org.assignee)
    Task.objects.filter(pk=task.pk).update(
        created_at=timezone.now() - timedelta(hours=5), due_at=timezone.now() - timedelta(hours=1)
    )
    login(client, org.requester)

    row = row_of(client.get("/requests/list/mine/").content.decode(), task.number)
    assert "<script>" not in row and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;{}" in row
    assert "咨询" in row and "紧急" in row and "办理中" in row
    assert "销售部" in row and "张三" in row and "采购部" in row and "钱四" in row
    # Overdue work is marked; the due time is shown in the organisation's time zone.
    due = timezone.localtime(timezone.now() - timedelta(hours=1)).strftime("%m-%d %H:%M")
    assert f'd-sm-table-cell small text-danger fw-semibold">{due}</td>' in row

    org.requester.language = "en"
    org.requester.save(update_fields=["language"])
    row = row_of(client.get("/requests/list/mine/").content.decode(), task.number)
    assert "Urgent" in row and "In progress" in row and "Sales" in row and "Purchasing" in row


def test_a_row_with_no_assignee_or_due_time_shows_dashes_and_the_approvals_list_ticks(
    client, org, purchase, file_request
):
    task = file_request(purchase, title="买打印纸")
    Task.objects.filter(pk=task.pk).update(due_at=None)
    login(client, org.sales_head)
    body = client.get("/requests/list/approvals/").content.decode()
    row = row_of(body, task.number)
    assert f'name="ids" value="{task.pk}" form="bulk-form" aria-label="选择 {task.number}"' in row
    assert row.count(">—</td>") == 2 and "text-danger" not in row
    # Nothing to show still says so.
    login(client, org.outsider)
    assert "这里还没有内容。" in client.get("/requests/list/mine/").content.decode()


def test_home_panels_escape_titles_and_say_for_whom_a_delegate_approves(client, org, purchase, file_request):
    today = timezone.localdate()
    Delegation.objects.create(delegator=org.sales_head, delegate=org.outsider, starts_on=today, ends_on=today)
    task = file_request(purchase, title=PAYLOAD * 3)
    login(client, org.outsider)
    body = client.get("/").content.decode()
    entry = re.search(rf'<li class="list-group-item small"><a href="/requests/{task.number}/">.*?</li>', body, re.S)
    assert entry, "the approval is not on the delegate's home page"
    entry = entry.group(0)
    assert "<script>" not in entry and "&lt;script&gt;" in entry and entry.count("alert") == 1  # cut at 40 characters
    assert "张三 · 销售部 · 代 王经理" in entry
    # The manager's own approval says nothing about anyone else.
    login(client, org.sales_head)
    body = client.get("/").content.decode()
    assert "张三 · 销售部</div>" in body and "代 王经理" not in body


def test_home_panels_mark_overdue_work(client, org, support, file_request):
    task = file_request(support, title="修打印机")
    services.task_accept(task=task, by=org.purchasing_head, assignee=org.assignee)
    Task.objects.filter(pk=task.pk).update(
        created_at=timezone.now() - timedelta(hours=5), due_at=timezone.now() - timedelta(hours=2)
    )
    login(client, org.assignee)
    body = client.get("/").content.decode()
    assert f'<a href="/requests/{task.number}/">{task.number}</a> 修打印机' in body
    assert '<span class="badge text-bg-primary">办理中</span> 采购部 · <span class="text-danger">' in body


def test_the_navigation_marks_the_current_section_and_follows_the_person(client, org):
    def nav(url):
        body = client.get(url).content.decode()
        return body[body.index("<nav") : body.index("</nav>")]

    login(client, org.requester)
    page = nav("/requests/list/mine/")
    assert re.search(r'nav-link dropdown-toggle active"[^>]*>事务</a>', page)
    assert 'nav-link active" href="/documents/"' not in page
    assert "报表" not in page and "管理后台" not in page  # no reports for staff, no admin site
    assert 'nav-link active" href="/documents/"' in nav("/documents/")
    assert "active" not in nav("/reports/search/?q=x").split("<form")[0].replace("nav-link dropdown-toggle", "")

    login(client, org.sales_head)
    assert 'href="/reports/department/">报表</a>' in nav("/")
    login(client, org.admin)
    assert "管理后台" in nav("/")

    org.requester.language = "en"
    org.requester.save(update_fields=["language"])
    login(client, org.requester)
    page = nav("/")
    assert ">New request</a>" in page and ">Requests</a>" in page and "发起事务" not in page
    assert '<option value="en" selected>' in page


def test_an_inbox_row_accepts_with_its_own_form_and_shows_the_request_escaped(client, org, support, file_request):
    task = file_request(support, title=PAYLOAD, priority=3)
    Task.objects.filter(pk=task.pk).update(accept_due_at=timezone.now() - timedelta(minutes=5))
    client.handler.enforce_csrf_checks = True
    login(client, org.purchasing_head)
    body = client.get("/requests/inbox/?q=").content.decode()
    row = re.search(rf'<div class="list-group-item">.*?value="{task.pk}".*?</form>', body, re.S).group(0)
    assert "<script>" not in row and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;{}" in row
    assert "咨询 · 销售部 · 张三 · " in row and "高" in row
    assert re.search(r'受理期限 <span class="text-danger fw-semibold">\d\d-\d\d \d\d:\d\d</span>', row)
    assert f'action="/requests/{task.number}/do/accept/"' in row and 'name="next" value="/requests/inbox/?q="' in row
    assert f'href="/requests/{task.number}/#actions"' in row
    # The form as the browser would send it, CSRF checks on: the request is accepted.
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', row).group(1)
    response = client.post(
        f"/requests/{task.number}/do/accept/",
        {
            "csrfmiddlewaretoken": token,
            "seen_state": "pending_acceptance",
            "assignee": org.assignee.pk,
            "next": "/requests/inbox/",
        },
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.state == "in_progress" and task.assignee == org.assignee


def test_the_unfiltered_filter_form_follows_new_choices(client, org, support):
    from django.template.loader import render_to_string

    from tasks.forms import FilterForm
    from tasks.models import RequestType

    login(client, org.requester)
    body = client.get("/requests/list/all/").content.decode()
    form = re.search(r'<form method="get".*?</form>', body, re.S).group(0)
    with translation.override("zh-hans"):
        plain = render_to_string(
            "tasks/_filters.html",
            {"filter_form": FilterForm(), "hx_rows": True, "request": RequestFactory().get("/requests/list/all/")},
        )
    assert form == plain.strip() and 'hx-get="/requests/list/all/"' in form and "咨询" in form
    # A type added, and a department renamed, show at once.
    RequestType.objects.create(department=org.purchasing, code="quote", name=f"询价{PAYLOAD}", name_en="Quote")
    org.hr.__class__.objects.filter(pk=org.hr.pk).update(name="人事行政部")
    body = client.get("/requests/list/all/").content.decode()
    assert "人事行政部" in body and f"询价{escape(PAYLOAD)}" in body and PAYLOAD not in body
    # Filtered, the form shows what was asked for.
    body = client.get("/requests/list/all/?state=in_progress&q=%3Cb%3E").content.decode()
    assert '<option value="in_progress" selected>' in body and 'value="&lt;b&gt;"' in body
    assert "<b>" not in body.split('role="search"')[1]
    # A department and a priority chosen by number stay chosen; a crafted value selects nothing and is marked.
    body = client.get(f"/requests/list/all/?department={org.hr.pk}&priority=4&request_type=x").content.decode()
    assert f'<option value="{org.hr.pk}" selected>' in body and '<option value="4" selected>' in body
    assert 'aria-invalid="true" aria-describedby="id_request_type_error" id="id_request_type"' in body
    assert " selected>" not in body.split('name="request_type"')[1].split("</select>")[0]
    # In English, the English names.
    client.post("/i18n/setlang/", {"language": "en"})
    body = client.get("/requests/list/all/").content.decode()
    assert ">Quote</option>" in body and "Any department" in body


def test_the_empty_filing_form_follows_the_admins_changes(client, org, purchase):
    from django.template.loader import render_to_string

    from tasks.forms import TaskForm
    from tasks.models import RequestField

    login(client, org.requester)
    body = client.get("/requests/new/purchase/").content.decode()
    with translation.override("zh-hans"):
        plain = render_to_string(
            "tasks/_filing_fields.html", {"form": TaskForm(request_type=purchase, user=org.requester)}
        )
    assert plain.strip() in body and "金额" in body and 'name="co_departments"' in body
    # An admin renames the field, adds one, makes a department unable to co-handle: shown at once.
    RequestField.objects.filter(request_type=purchase, key="amount").update(label="预算金额")
    RequestField.objects.create(request_type=purchase, key="vendor", label=f"供应商{PAYLOAD}", kind="text", order=9)
    org.hr.__class__.objects.filter(pk=org.hr.pk).update(accepts_requests=False)
    body = client.get("/requests/new/purchase/").content.decode()
    assert "预算金额" in body and f"供应商{escape(PAYLOAD)}" in body and PAYLOAD not in body
    assert f'value="{org.hr.pk}"' not in body.split('name="co_departments"', 1)[1].split("</fieldset>", 1)[0]
    # Sent back with errors, the form shows what was typed.
    response = client.post("/requests/new/purchase/", {"title": "", "f_amount": "12abc", "description": "<i>x</i>"})
    assert response.status_code == 200 and "&lt;i&gt;x&lt;/i&gt;" in response.content.decode()
    assert "is-invalid" in response.content.decode()
