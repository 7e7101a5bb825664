"""The workbook import and the catalogue's versions: a changed guide is published as a new version
of the type, by the importing admin, with the file's name; an unchanged one publishes nothing."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation

from catalogue import services as catalogue
from core.actions import actions_of
from departments.models import Department
from departments.selectors import working_calendar
from imports import export, services
from imports.spreadsheet import read_workbook
from tasks import services as task_services
from tasks.models import RequestType, RequestTypeAction, RequestTypeVersion
from tests.conftest import login
from tests.imports.conftest import workbook
from tests.imports.test_views import upload
from tests.tasks.conftest import file_request, finance, purchase  # noqa: F401

pytestmark = pytest.mark.django_db
HEADER = ["code", "department", "name", "accept_sla_hours", "finish_sla_hours", "sort_order"]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def published(org, purchase):  # noqa: F811
    """采购部's purchase type, published once in the catalogue (version 1)."""
    task_services.request_type_publish(request_type=purchase, by=org.purchasing_head)
    purchase.refresh_from_db()
    return purchase


def types_file(*rows) -> bytes:
    return workbook({"request_types": [HEADER, *rows]})


def purchase_row(finish="16", accept="4", sort_order=0, name="采购申请"):
    return ["purchase", "purchasing", name, accept, finish, sort_order]


def run(data: bytes, by=None, filename="org.xlsx"):
    return services.import_workbook(read_workbook(data), by=by, filename=filename)


def test_changing_the_time_to_finish_publishes_the_next_version_by_the_admin(org, published):
    first = published.current_version
    plan = run(types_file(purchase_row(finish="40")), by=org.admin, filename="组织.xlsx")
    assert plan.counts()["request_types"]["changed"] == 1
    published.refresh_from_db()
    version = published.current_version
    assert version.number == first.number + 1 and version.published_by == org.admin
    assert Decimal(version.snapshot["guide"]["finish_sla_hours"]) == 40 == published.finish_sla_hours
    # Only the guide changed: the form and the route are those of the version before.
    assert version.snapshot["fields"] == first.snapshot["fields"]
    assert version.snapshot["steps"] == first.snapshot["steps"]
    assert published.draft is None and published.is_active
    # The type's log says who published it, and from which file.
    entry = actions_of(published).filter(action=RequestTypeAction.PUBLISHED).last()
    assert entry.actor == org.admin and entry.data == {"version": version.number}
    assert entry.comment == "Imported from 组织.xlsx"
    # So does the configuration history, with the change itself.
    rows = list(published.history.order_by("history_id"))
    changed = [row for row in rows if row.finish_sla_hours == 40]
    assert changed and changed[0].history_user == org.admin
    assert changed[0].history_change_reason == "Imported from 组织.xlsx"
    assert rows[-1].current_version_id == version.pk


def test_an_unchanged_reimport_publishes_nothing(org, published):
    run(types_file(purchase_row(finish="40")), by=org.admin)
    versions, log = RequestTypeVersion.objects.count(), actions_of(published).count()
    history = published.history.count()
    plan = run(types_file(purchase_row(finish="40.0")), by=org.admin)
    assert plan.counts()["request_types"] == {"new": 0, "changed": 0, "unchanged": 1, "error": 0}
    assert RequestTypeVersion.objects.count() == versions
    assert actions_of(published).count() == log and published.history.count() == history


def test_a_change_outside_the_guide_publishes_nothing(org, published):
    plan = run(types_file(purchase_row(sort_order=7)), by=org.admin)
    assert plan.counts()["request_types"]["changed"] == 1
    published.refresh_from_db()
    assert published.sort_order == 7 and published.current_version.number == 1
    assert RequestTypeVersion.objects.filter(request_type=published).count() == 1


def test_requests_filed_after_the_import_get_the_new_version_and_its_hours(org, published, file_request):  # noqa: F811
    before = file_request(published)
    run(types_file(purchase_row(finish="40")), by=org.admin)
    published.refresh_from_db()
    after = file_request(published)
    assert before.type_version_id != after.type_version_id == published.current_version_id
    assert before.type_version.number == 1 and after.type_version.number == 2
    after = task_services.task_approve(task=after, by=org.sales_head)
    now = timezone.now()
    after = task_services.task_accept(task=after, by=org.purchasing_head, assignee=org.assignee)
    promised = working_calendar(org.purchasing.pk).add_working_hours(now, 40.0)
    assert abs(after.due_at - promised) < timedelta(minutes=1)


def test_new_types_get_their_first_version_in_a_few_queries(org, django_assert_max_num_queries):
    rows = [[f"t{n}", "purchasing", f"类型{n}", "2", "8", n, "yes"] for n in range(200)]
    rows.append(["shelved", "purchasing", "搁置", "2", "8", 0, "no"])
    sheets = read_workbook(workbook({"request_types": [[*HEADER, "is_active"], *rows]}))
    with django_assert_max_num_queries(40):
        plan = services.import_workbook(sheets, by=org.admin, filename="new.xlsx")
    assert plan.counts()["request_types"]["new"] == 201
    versions = RequestTypeVersion.objects.filter(request_type__code__startswith="t")
    assert versions.count() == 200 and set(versions.values_list("number", flat=True)) == {1}
    t7 = RequestType.objects.get(code="t7")
    assert t7.current_version.published_by == org.admin and t7.is_active
    assert Decimal(t7.current_version.snapshot["guide"]["finish_sla_hours"]) == 8
    assert t7.current_version.snapshot["fields"] == [] and t7.current_version.snapshot["steps"] == []
    entry = actions_of(t7).get()
    assert entry.action == RequestTypeAction.PUBLISHED and entry.comment == "Imported from new.xlsx"
    # A type the file says is not in use gets its version, and stays out of use.
    shelved = RequestType.objects.get(code="shelved")
    assert shelved.current_version.number == 1 and not shelved.is_active


def test_a_type_with_an_unpublished_draft_is_refused_and_nothing_is_saved(org, published):
    catalogue.guide_update(request_type=published, by=org.purchasing_head, guide={"purpose": "新的用途"})
    data = workbook(
        {
            "departments": [["code", "name"], ["plant", "工厂"]],
            "request_types": [HEADER, purchase_row(finish="40")],
        }
    )
    with pytest.raises(services.ImportRefused) as refused:
        run(data, by=org.admin)
    [problem] = refused.value.plan.problems
    assert problem.sheet == "request_types" and problem.column == "code"
    assert "Purchase request (purchase) has unpublished changes in the service catalogue" in problem.message
    published.refresh_from_db()
    assert published.finish_sla_hours == 16 and published.current_version.number == 1
    assert published.draft["guide"]["purpose"] == "新的用途"  # the department's draft is kept
    assert not Department.objects.filter(code="plant").exists()
    # A change outside the guide does not touch the draft: it goes through.
    run(types_file(purchase_row(sort_order=3)), by=org.admin)
    published.refresh_from_db()
    assert published.sort_order == 3 and published.draft["guide"]["purpose"] == "新的用途"


def test_a_draft_saved_between_the_check_and_the_write_refuses_the_whole_import(org, published, monkeypatch):
    catalogue.guide_update(request_type=published, by=org.purchasing_head, guide={"purpose": "新的用途"})
    monkeypatch.setattr(task_services, "draft_in_the_way", lambda request_type: "")  # the planner's check missed it
    data = workbook(
        {
            "departments": [["code", "name"], ["plant", "工厂"]],
            "request_types": [HEADER, purchase_row(finish="40")],
        }
    )
    with pytest.raises(services.ImportRefused) as refused:
        run(data, by=org.admin)
    assert "has unpublished changes" in refused.value.plan.problems[0].message
    published.refresh_from_db()
    assert published.finish_sla_hours == 16 and RequestTypeVersion.objects.filter(request_type=published).count() == 1
    assert not Department.objects.filter(code="plant").exists()


def test_the_export_holds_the_published_version_and_imports_back_as_no_change(org, published):
    run(types_file(purchase_row(finish="40", accept="2.5", name="采购")), by=org.admin)
    published.refresh_from_db()
    guide = published.current_version.snapshot["guide"]
    [row] = [r for r in export.export_tables()["request_types"] if r[0] == "purchase"]
    assert (row[2], row[8], row[9]) == (
        guide["name"],
        Decimal(guide["accept_sla_hours"]),
        Decimal(guide["finish_sla_hours"]),
    )
    versions = RequestTypeVersion.objects.count()
    plan = services.import_workbook(read_workbook(export.export_workbook()), by=org.admin)
    assert not plan.changes_anything and RequestTypeVersion.objects.count() == versions


def test_many_types_unchanged_cost_no_publish_and_one_changed_costs_one(org, django_assert_max_num_queries):
    rows = [[f"t{n}", "purchasing", f"类型{n}", "2", "8", n] for n in range(300)]
    run(workbook({"request_types": [HEADER, *rows]}), by=org.admin)
    with django_assert_max_num_queries(15):
        plan = run(workbook({"request_types": [HEADER, *rows]}), by=org.admin)
    assert not plan.changes_anything
    rows[5][4] = "9"
    with django_assert_max_num_queries(60):
        plan = run(workbook({"request_types": [HEADER, *rows]}), by=org.admin)
    assert plan.counts()["request_types"]["changed"] == 1
    assert RequestType.objects.get(code="t5").current_version.number == 2
    assert RequestTypeVersion.objects.filter(number=2).count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the page's history reads PostgreSQL's")
def test_through_the_pages_the_type_shows_the_import(client, org, published):
    login(client, org.admin)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    upload(client, types_file(purchase_row(finish="40")), name="types.xlsx")
    preview = client.get(reverse("imports:preview"))
    notice = preview.content.decode().split('id="import-new-versions">')[1].split("</p>")[0]
    assert "published as a new version in the service catalogue" in notice and notice.endswith(": purchase")
    client.post(reverse("imports:confirm"), {"token": preview.context["token"]})
    published.refresh_from_db()
    assert published.current_version.number == 2 and published.current_version.published_by == org.admin
    login(client, org.purchasing_head)
    page = client.get(reverse("catalogue:type", args=["purchase"])).content.decode()
    assert "Imported from types.xlsx" in page


def test_a_type_never_published_gets_version_one_and_keeps_whether_it_is_in_use(org, purchase):  # noqa: F811
    RequestType.objects.filter(pk=purchase.pk).update(is_active=False)
    run(types_file(purchase_row(finish="24")), by=org.admin)
    purchase.refresh_from_db()
    assert purchase.current_version.number == 1 and not purchase.is_active
    assert Decimal(purchase.current_version.snapshot["guide"]["finish_sla_hours"]) == 24
    assert [f["key"] for f in purchase.current_version.snapshot["fields"]] == ["amount"]
