"""The request pages: filing (with the guide, the fields and the route preview), double submission,
attachments, comments with @mentions, inert text, lists and their query counts."""

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from departments.selectors import working_calendar
from notifications.models import Notification
from tasks import services
from tasks.models import Attachment, Comment, Task
from tests.conftest import login

pytestmark = pytest.mark.django_db


def form_data(**extra):
    data = {
        "title": "买十台电脑",
        "description": "办公用",
        "f_amount": "5000",
        "f_items": "电脑",
        "priority": 2,
        "action": "submit",
        "token": str(uuid.uuid4()),
    }
    data.update(extra)
    return data


def test_type_picker_groups_by_department_and_searches(client, org, purchase, support):
    login(client, org.requester)
    body = client.get("/requests/new/").content.decode()
    assert "采购部" in body and "采购申请" in body and "咨询" in body
    found = client.get("/requests/new/?q=咨询").context["groups"]
    assert [[t.code for t in types] for _, types in found] == [["support"]]
    assert client.get("/requests/new/?q=nothing-like-this").context["groups"] == []


def test_filing_form_shows_guide_fields_and_route(client, org, purchase):
    login(client, org.requester)
    response = client.get("/requests/new/purchase/")
    body = response.content.decode()
    assert "购买物料" in body and "报价单" in body and "金额" in body
    assert [s.approvers for s in response.context["preview"]["route"]] == [[org.sales_head]]
    preview = client.post("/requests/new/purchase/preview/", {"f_amount": "20000"})
    assert preview.status_code == 200 and "周会计" in preview.content.decode()


def test_filing_submits_and_lands_on_the_request(client, org, purchase):
    login(client, org.requester)
    response = client.post("/requests/new/purchase/", form_data())
    task = Task.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/requests/{task.number}/"
    assert task.state == "pending_approval" and task.field_values == {"amount": "5000"}


def test_a_double_submitted_form_files_one_request(client, org, purchase):
    login(client, org.requester)
    data = form_data()
    first = client.post("/requests/new/purchase/", data)
    second = client.post("/requests/new/purchase/", data)
    assert Task.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_save_as_draft(client, org, purchase):
    login(client, org.requester)
    client.post("/requests/new/purchase/", form_data(action="draft"))
    task = Task.objects.get()
    assert task.state == "draft"
    edit = client.post(f"/requests/{task.number}/edit/", form_data(title="改了标题", action="submit"))
    assert edit.status_code == 302
    task.refresh_from_db()
    assert task.title == "改了标题" and task.state == "pending_approval"


@pytest.mark.parametrize(
    "data, field",
    [
        ({"f_amount": ""}, "f_amount"),
        ({"f_amount": "lots"}, "f_amount"),
        ({"title": ""}, "title"),
        ({"priority": 9}, "priority"),
        ({"wanted_by": "2000-01-01"}, "wanted_by"),
        ({"co_departments": [999999]}, "co_departments"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_saved(client, org, purchase, data, field):
    login(client, org.requester)
    response = client.post("/requests/new/purchase/", form_data(**data))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Task.objects.exists()


def test_attachments_limits(client, org, purchase, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024
    login(client, org.requester)
    too_big = SimpleUploadedFile("big.pdf", b"x" * 2048, content_type="application/pdf")
    response = client.post("/requests/new/purchase/", form_data(attachments=[too_big]))
    assert response.status_code == 200 and "MB" in str(response.context["form"].errors["attachments"])
    page = SimpleUploadedFile("evil.html", b"<script>alert(1)</script>", content_type="text/html")
    response = client.post("/requests/new/purchase/", form_data(attachments=[page]))
    assert "html" in str(response.context["form"].errors["attachments"])
    assert not Task.objects.exists() and not Attachment.objects.exists()


def test_attachment_stored_under_an_unguessable_name_and_served_only_to_those_who_see(client, org, purchase):
    login(client, org.requester)
    upload = SimpleUploadedFile("报价单.pdf", b"%PDF-1.4 quote", content_type="application/pdf")
    client.post("/requests/new/purchase/", form_data(attachments=[upload]))
    task = Task.objects.get()
    attachment = task.attachments.get()
    assert "报价单" not in attachment.file.name and attachment.file.name.endswith(".pdf")
    url = f"/requests/{task.number}/files/{attachment.pk}/"
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Type"] == "application/octet-stream"
    assert b"".join(response.streaming_content) == b"%PDF-1.4 quote"
    login(client, org.outsider)
    assert client.get(url).status_code == 404


def test_comment_with_mentions(client, org, purchase, file_request):
    task = file_request(purchase)
    login(client, org.requester)
    client.post(f"/requests/{task.number}/do/comment/", {"body": "请 @sales_head 看一下"})
    comment = Comment.objects.get()
    assert list(comment.mentions.all()) == [org.sales_head]
    assert Notification.objects.filter(recipient=org.sales_head, kind="mention").exists()


def test_mention_of_someone_who_may_not_see_is_refused(client, org, purchase, file_request):
    task = file_request(purchase, confidential=True)
    login(client, org.requester)
    response = client.post(f"/requests/{task.number}/do/comment/", {"body": "@outsider 你好"}, follow=True)
    assert not Comment.objects.exists()
    assert any("孙五" in str(m) for m in response.context["messages"])
    unknown = client.post(f"/requests/{task.number}/do/comment/", {"body": "@nobody"}, follow=True)
    assert any("@nobody" in str(m) for m in unknown.context["messages"])


def test_mention_autocomplete_offers_only_people_who_see(client, org, purchase, file_request):
    task = file_request(purchase, confidential=True)
    login(client, org.requester)
    names = [p["username"] for p in client.get(f"/requests/{task.number}/mentions/?q=s").json()["people"]]
    assert "sales_head" in names and "outsider" not in names


def test_text_is_rendered_inert(client, org, purchase):
    login(client, org.requester)
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    client.post("/requests/new/purchase/", form_data(title=payload, description=payload))
    task = Task.objects.get()
    client.post(f"/requests/{task.number}/do/comment/", {"body": payload})
    body = client.get(f"/requests/{task.number}/").content.decode()
    assert "<script>alert" not in body and "<img src=x" not in body
    assert "&lt;script&gt;" in body


def test_detail_shows_only_the_allowed_actions(client, org, in_state):
    task = in_state("pending_approval")
    login(client, org.sales_head)
    body = client.get(f"/requests/{task.number}/").content.decode()
    assert f"/requests/{task.number}/do/approve/" in body and "/do/accept/" not in body
    login(client, org.requester)
    body = client.get(f"/requests/{task.number}/").content.decode()
    assert "/do/approve/" not in body and "/do/urge/" in body and "/do/cancel/" in body


def test_bulk_approve(client, org, purchase, file_request):
    tasks = [file_request(purchase) for _ in range(3)]
    other = file_request(purchase, by=org.sales_head)  # goes to the leader, not to sales_head
    login(client, org.sales_head)
    client.post("/requests/bulk/approve/", {"ids": [t.pk for t in tasks] + [other.pk], "opinion": "同意"})
    assert Task.objects.filter(pk__in=[t.pk for t in tasks], state="pending_acceptance").count() == 3
    assert Task.objects.get(pk=other.pk).state == "pending_approval"


def test_bulk_assign_from_the_inbox(client, org, support, file_request):
    tasks = [file_request(support) for _ in range(2)]
    login(client, org.purchasing_head)
    inbox = client.get("/requests/inbox/")
    assert inbox.status_code == 200 and all(t.number in inbox.content.decode() for t in tasks)
    client.post("/requests/bulk/assign/", {"ids": [t.pk for t in tasks], "assignee": org.assignee.pk})
    assert set(Task.objects.values_list("assignee", flat=True)) == {org.assignee.pk}


def test_inbox_rows_carry_their_suggestion_and_the_board_the_whole_list(client, org, support, file_request):
    """Each row's assignee list is sent with the suggested person only (portal.js copies the
    department's list, sent once, into it), so the page does not grow with rows × members."""
    import re

    tasks = [file_request(support) for _ in range(3)]
    login(client, org.purchasing_head)
    html = client.get("/requests/inbox/").content.decode()
    for task in tasks:
        row = re.search(rf'<select[^>]*id="assignee-{task.pk}"[^>]*>(.*?)</select>', html, re.S)
        assert 'data-options-from="bulk-assignee-' in row.group(0)
        assert re.findall(r'<option value="(\d+)" selected>', row.group(1)) == [str(org.assignee.pk)]
        assert row.group(1).count("<option") == 1
    board = re.search(r'<select[^>]*id="bulk-assignee-\d+"[^>]*>(.*?)</select>', html, re.S).group(1)
    assert {int(pk) for pk in re.findall(r'<option value="(\d+)"', board)} == {org.purchasing_head.pk, org.assignee.pk}


def test_inbox_is_for_managers(client, org):
    login(client, org.requester)
    assert client.get("/requests/inbox/").status_code == 403


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        assert response.status_code == 200
    return len(ctx.captured_queries)


def test_lists_dashboard_and_inbox_use_a_fixed_number_of_queries(client, org, support, purchase, file_request):
    def grow(n):
        for _ in range(n):
            task = file_request(support)
            services.task_accept(task=task, by=org.purchasing_head, assignee=org.assignee)
            file_request(support)
            file_request(purchase)

    urls = [
        "/",
        "/requests/list/mine/",
        "/requests/list/all/",
        "/requests/list/approvals/",
        "/requests/list/assigned/",
        "/requests/inbox/",
    ]
    grow(2)  # about 5 rows per list
    small = {}
    for url, user in [(u, org.requester) for u in urls[:3]] + [
        (urls[3], org.sales_head),
        (urls[4], org.assignee),
        (urls[5], org.purchasing_head),
    ]:
        login(client, user)
        small[url] = (user, count_queries(client, url))
    # The home page of the people whose panels fill: approvals (销售部's head), acceptance (采购部's
    # head), assigned work (the assignee).
    homes = {}
    for user in (org.sales_head, org.purchasing_head, org.assignee):
        login(client, user)
        homes[user] = count_queries(client, "/")
    grow(66)  # about 200 rows
    assert Task.objects.count() >= 200
    for url, (user, queries) in small.items():
        login(client, user)
        assert count_queries(client, url) == queries, url
    for user, queries in homes.items():
        login(client, user)
        assert count_queries(client, "/") == queries, user.username
        board = client.get("/").context["board"]
        assert any(len(items) == 10 for items in board.values()), user.username  # full panels, same queries


def test_detail_query_count_does_not_grow_with_history(client, org, in_state):
    task = in_state("in_progress")
    login(client, org.assignee)
    # A list the request does not have costs no query (task_for_page asks which it has) ...
    silent = count_queries(client, f"/requests/{task.number}/")
    services.task_comment(task=task, by=org.requester, body="第一条评论")
    before = count_queries(client, f"/requests/{task.number}/")
    assert before == silent + 1
    # ... and one that it has costs one query, however long it grows.
    for n in range(15):
        services.task_progress(task=task, by=org.assignee, percent=n, note=f"第{n}次")
        services.task_comment(task=task, by=org.requester, body=f"评论{n}")
    assert count_queries(client, f"/requests/{task.number}/") == before


def test_request_lists_export_to_csv_and_xlsx_with_the_same_filters(client, org, purchase, support, file_request):
    import io

    from openpyxl import load_workbook

    file_request(purchase, title="=HYPERLINK(1)")
    file_request(support, title="打印机坏了")
    login(client, org.requester)
    response = client.get("/requests/list/mine/?export=csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    assert "打印机坏了" in text and "'=HYPERLINK" in text  # a formula stays text
    response = client.get("/requests/list/mine/?q=打印机&export=xlsx")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][1] == "打印机坏了"
    login(client, org.outsider)
    assert "打印机坏了" not in client.get("/requests/list/all/?export=csv").content.decode("utf-8-sig")


def test_the_request_page_reads_the_viewers_roles_once(client, org, purchase, file_request):
    """Sixteen permission checks ask who manages what and for whom one acts; a web request answers
    each question once (core.request_cache), so the page stays at a few dozen queries."""
    task = file_request(purchase)
    comment = "请尽快"
    services.task_comment(task=task, by=org.requester, body=comment)
    login(client, org.sales_head)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(f"/requests/{task.number}/").status_code == 200
    delegation_reads = [q for q in ctx.captured_queries if 'FROM "departments_delegation"' in q["sql"]]
    assert len(ctx.captured_queries) <= 35 and len(delegation_reads) <= 2, len(ctx.captured_queries)


def test_list_filters_by_department_type_state_and_priority(client, org, purchase, support, file_request):
    bought = file_request(purchase, title="采购打印纸")
    asked = file_request(support, title="咨询报销流程", priority=3)
    login(client, org.requester)

    def numbers(query):
        response = client.get("/requests/list/mine/" + query)
        assert response.status_code == 200
        return {t.number for t in response.context["page"].object_list}

    assert numbers("") == {bought.number, asked.number}
    assert numbers(f"?request_type={support.pk}") == {asked.number}
    assert numbers(f"?department={org.purchasing.pk}&request_type={purchase.pk}") == {bought.number}
    assert numbers(f"?department={org.hr.pk}") == set()
    assert numbers("?priority=3") == {asked.number}
    assert numbers(f"?state={bought.state}&q=打印纸") == {bought.number}
    # The choices offered: active departments and types by name, in the page's language.
    page = client.get("/requests/list/mine/").content.decode()
    assert f'<option value="{support.pk}">咨询</option>' in page and f'<option value="{org.hr.pk}">' in page
    # A value that is not a choice leaves the list unfiltered and says nothing went wrong.
    for query in ("?department=abc", "?request_type=999999", "?department=-1&priority=x"):
        assert numbers(query) == {bought.number, asked.number}, query


def test_the_inbox_loads_a_departments_workload_when_it_is_opened(client, org, support, file_request):
    task = file_request(support)
    services.task_accept(task=task, by=org.purchasing_head, assignee=org.assignee)
    file_request(support)
    login(client, org.purchasing_head)
    inbox = client.get("/requests/inbox/").content.decode()
    # (the address names the person the inbox suggests, for the table to mark)
    assert f'hx-get="/requests/inbox/workload/purchasing/?suggested={org.assignee.pk}"' in inbox
    assert 'hx-trigger="toggle once"' in inbox
    assert "<table" not in inbox  # the table is not sent with every inbox view
    # htmx asks for the table alone; without JavaScript the link opens it as a page.
    fragment = client.get("/requests/inbox/workload/purchasing/", headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.content.decode()
    rows = {c.user: c for c in fragment.context["candidates"]}
    assert rows[org.assignee].open_count == 1 and set(rows) == set(
        m.user for m in org.purchasing.memberships.select_related("user")
    )
    page = client.get("/requests/inbox/workload/purchasing/").content.decode()
    assert "<html" in page and org.assignee.name in page
    assert client.get("/requests/inbox/workload/sales/").status_code == 404  # not theirs
    assert client.get("/requests/inbox/workload/no-such/").status_code == 404


def test_a_filtered_list_counts_and_pages_in_one_query_as_the_two_step_read_does(client, org, support, file_request):
    from tasks import selectors

    for n in range(30):
        file_request(support, title=f"咨询{n}", priority=3 if n % 3 else 2)
    matching = selectors.tasks_for_list(org.requester).filter(priority=3)
    for number in (1, 2, "2", 99, "x", None, 0, -3):
        one = selectors.newest_page_of(matching, number, 7)
        two = selectors.page_of(matching, number, 7)
        assert (one.number, one.paginator.count, one.paginator.num_pages) == (two.number, 20, 3), number
        assert [t.pk for t in one.object_list] == [t.pk for t in two.object_list], number
    nothing = selectors.tasks_for_list(org.requester).filter(priority=4)
    assert selectors.newest_page_of(nothing, 1, 7).paginator.count == 0

    login(client, org.requester)
    page = client.get("/requests/list/mine/?priority=3&page=2").context["page"]
    assert page.number == 1 and page.paginator.count == 20  # past the last page: the last one, as elsewhere
    with CaptureQueriesContext(connection) as narrowed:
        body = client.get("/requests/list/mine/?priority=3").content.decode()
    with CaptureQueriesContext(connection) as whole:
        client.get("/requests/list/mine/")
    assert len(narrowed) == len(whole) - 1  # the count and the page in one query
    assert body.count('<tr><td class="font-monospace small">') == 20


def test_expected_finish_counts_each_approval_step(client, org, purchase):
    """Two approval steps of 4 working hours each, then 4 to accept and 16 to finish: 28 hours."""
    login(client, org.requester)
    calendar = working_calendar()
    before = timezone.now()
    preview = client.post("/requests/new/purchase/preview/", {"f_amount": "20000"}).context["preview"]
    after = timezone.now()
    assert len(preview["route"]) == 2
    earliest, latest = calendar.add_working_hours(before, 28.0), calendar.add_working_hours(after, 28.0)
    assert earliest <= preview["expected_finish"] <= latest


def test_approval_step_names_have_an_english_version(client, org, purchase, file_request):
    """Step names are entered by admins in both languages; pages pick the reader's."""
    purchase.steps.filter(order=1).update(name_en="Department head")
    task = file_request(purchase)
    login(client, org.sales_head)
    english = client.get(f"/requests/{task.number}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    chinese = client.get(f"/requests/{task.number}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "1. Department head" in english and "1. 部门负责人" not in english
    assert "1. 部门负责人" in chinese
    login(client, org.requester)
    preview = client.post(
        "/requests/new/purchase/preview/", {"f_amount": "500"}, HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Department head" in preview and "部门负责人" not in preview
