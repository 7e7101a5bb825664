"""Report pages and exports: who gets what, bad filters, export files opened and checked,
and a fixed number of queries whatever the number of rows."""

import csv
import io

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from conflicts.models import Conflict
from tests.conftest import login
from tests.reports.conftest import make_task

DEPT = "/reports/department/"
ORG = "/reports/organisation/"


@pytest.mark.parametrize("url", [DEPT, ORG, "/reports/", f"{DEPT}overdue.csv", f"{ORG}matrix.xlsx", "/search/?q=a"])
def test_anonymous_goes_to_login(client, org, url):
    response = client.get(url)
    assert response.status_code == 302 and "/login" in response["Location"]


@pytest.mark.parametrize("url", [DEPT, ORG, "/reports/", f"{DEPT}overdue.csv", f"{ORG}matrix.xlsx"])
def test_an_employee_is_forbidden(client, org, url):
    login(client, org.requester)
    assert client.get(url).status_code == 403


def test_who_sees_which_report(client, org, figures):
    login(client, org.purchasing_head)
    page = client.get(DEPT)
    assert page.status_code == 200 and page.context["report"].department == org.purchasing
    assert client.get(ORG).status_code == 403
    assert "/reports/department/" in page.content.decode()  # the navigation item
    # A manager cannot open another department's dashboard: a clear form error, no figures.
    page = client.get(DEPT, {"department": org.sales.pk})
    assert page.status_code == 200 and "report" not in page.context and page.context["form"].errors
    login(client, org.leader)
    assert client.get(DEPT, {"department": org.sales.pk}).status_code == 200
    assert client.get(ORG).status_code == 200
    login(client, org.admin)
    page = client.get(ORG)
    assert "heatmap" in page.content.decode()
    assert client.post(ORG).status_code == 405


@pytest.mark.parametrize(
    "params",
    [
        {"start": "2026-13-45"},
        {"start": "not a date", "end": "also not"},
        {"start": "2026-05-01", "end": "2026-04-01"},
        {"start": "2010-01-01", "end": "2026-01-01"},
        {"department": "abc"},
        {"department": "999999"},
    ],
)
def test_bad_filters_give_a_message_never_a_500(client, org, params):
    login(client, org.admin)
    for url in (DEPT, ORG):
        page = client.get(url, params)
        assert page.status_code == 200 and page.context["form"].errors and not page.context["tables"]
        assert "The filter could not be used" in page.content.decode()
    assert client.get(f"{DEPT}overdue.csv", params).status_code == 400


def test_unknown_export_section_or_format_is_404(client, org):
    login(client, org.admin)
    assert client.get(f"{DEPT}nothing.csv").status_code == 404
    assert client.get(f"{DEPT}overdue.pdf").status_code == 404


def test_csv_and_xlsx_exports_carry_the_same_filtered_rows(client, org, figures):
    login(client, org.admin)
    params = {"department": org.purchasing.pk}
    reply = client.get(f"{DEPT}overdue.csv", params)
    assert reply["Content-Type"].startswith("text/csv") and "attachment" in reply["Content-Disposition"]
    table = list(csv.reader(io.StringIO(reply.content.decode("utf-8-sig"))))
    assert len(table) == 2 and table[1][0] == "T5"
    reply = client.get(f"{DEPT}queue.xlsx", params)
    sheet = load_workbook(io.BytesIO(reply.content)).active
    counts = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert sheet.max_row == 9 and sorted(counts) == [0, 0, 0, 0, 0, 2, 2, 4]
    reply = client.get(f"{ORG}matrix.xlsx")
    cells = list(load_workbook(io.BytesIO(reply.content)).active.iter_rows(min_row=2, values_only=True))
    assert {(row[2], row[3]) for row in cells} == {(7, 4), (1, 0)}
    # The same filter narrows the export: from 5 days ago only T6, T7, T8 remain.
    from django.utils import timezone

    start = (timezone.localdate() - __import__("datetime").timedelta(days=5)).isoformat()
    reply = client.get(f"{ORG}matrix.csv", {"start": start})
    table = list(csv.reader(io.StringIO(reply.content.decode("utf-8-sig"))))
    assert sorted(int(row[2]) for row in table[1:]) == [1, 2]


def count_queries(client, url, params=None):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params or {}).status_code == 200
    return len(ctx.captured_queries)


def test_report_pages_use_a_fixed_number_of_queries(client, org, figures, support):
    # The conflicts section's content type as a running process has it cached after its first
    # report (Django keeps it per process): else only the first count of the process reads it.
    ContentType.objects.get_for_model(Conflict)
    # The organisation report computed each time (fresh=1), not read from the admins' snapshot or
    # the leader's own.
    urls = [
        (org.admin, DEPT, {"department": org.purchasing.pk}),
        (org.admin, ORG, {"fresh": "1"}),
        (org.leader, ORG, {"fresh": "1"}),
    ]
    urls += [(org.purchasing_head, DEPT, {}), (org.sales_head, ORG.replace("organisation", "department"), {})]
    before = {}
    for user, url, params in urls:
        login(client, user)
        before[(user.pk, url)] = count_queries(client, url, params)
    from django.utils import timezone

    for n in range(40):
        make_task(
            org,
            support,
            f"X{n}",
            state="in_progress",
            created=timezone.now(),
            assignee=org.assignee if n % 2 else org.purchasing_head,
            due_at=timezone.now() if n % 3 else None,
        )
    for user, url, params in urls:
        login(client, user)
        assert count_queries(client, url, params) == before[(user.pk, url)], url


def test_exports_never_turn_titles_into_formulas(client, org, support):
    from django.utils import timezone

    make_task(
        org,
        support,
        "F1",
        state="in_progress",
        created=timezone.now(),
        due_at=timezone.now(),
        title='=HYPERLINK("http://evil.example","点我")',
    )
    login(client, org.admin)
    params = {"department": org.purchasing.pk}
    table = list(csv.reader(io.StringIO(client.get(f"{DEPT}overdue.csv", params).content.decode("utf-8-sig"))))
    assert table[1][1] == '\'=HYPERLINK("http://evil.example","点我")'
    sheet = load_workbook(io.BytesIO(client.get(f"{DEPT}overdue.xlsx", params).content)).active
    assert sheet["B2"].data_type == "s" and sheet["B2"].value.startswith("=HYPERLINK")


def test_long_tables_show_their_first_rows_and_say_the_export_has_all(client, org, figures, monkeypatch):
    monkeypatch.setattr("reports.sections.PAGE_ROWS", 1)
    login(client, org.admin)
    page = client.get(ORG)
    matrix = next(table for table, _figures in page.context["tables"] if table.key == "matrix")
    assert len(matrix.rows) == 1 and matrix.total == 2
    assert "the export has them all" in page.content.decode()
    table = list(csv.reader(io.StringIO(client.get(f"{ORG}matrix.csv").content.decode("utf-8-sig"))))
    assert len(table) == 3


def test_htmx_filter_change_gets_only_the_report_body(client, org, figures):
    login(client, org.admin)
    reply = client.get(DEPT, {"department": org.purchasing.pk}, HTTP_HX_REQUEST="true")
    body = reply.content.decode()
    assert reply.status_code == 200 and body.startswith('<div id="report-body">') and "<html" not in body
    assert ("Purchasing · " in body or "采购部 · " in body) and "T5" in body
    reply = client.get(ORG, {"start": "bad"}, HTTP_HX_REQUEST="true")
    assert "The filter could not be used" in reply.content.decode()
