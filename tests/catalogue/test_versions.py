"""Publishing request type versions: what filed requests keep, what new ones get, retiring, restoring."""

from decimal import Decimal

import pytest
from django.utils import translation

from catalogue import services as catalogue
from tasks import selectors, services
from tasks.forms import TaskForm
from tasks.models import Approval, RequestField, RequestType, RequestTypeVersion, Task
from tasks.services import TaskError


def _field(key, label, kind="text", **extra):
    return {
        "key": key,
        "label": label,
        "label_en": "",
        "kind": kind,
        "required": False,
        "allow_negative": False,
        "choices": "",
        "help_text": "",
        "min_value": None,
        "max_value": None,
        "pattern": "",
        **extra,
    }


def _step(approver="requester_manager", **extra):
    return {
        "name": "",
        "name_en": "",
        "approver": approver,
        "department": None,
        "users": [],
        "mode": "any",
        "condition_field": "",
        "condition_operator": "",
        "condition_value": None,
        "condition_choices": "",
        **extra,
    }


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def published(org, purchase):
    services.request_type_publish(request_type=purchase, by=org.purchasing_head)
    purchase.refresh_from_db()
    return purchase


def test_publishing_the_live_type_makes_version_one(org, published):
    version = published.current_version
    assert version.number == 1 and version.published_by == org.purchasing_head
    assert [f["key"] for f in version.snapshot["fields"]] == ["amount"]
    assert [s["approver"] for s in version.snapshot["steps"]] == ["requester_manager", "department_head"]
    assert published.draft is None and published.is_active


def test_nothing_to_publish_when_the_draft_is_the_published_version(org, published):
    with pytest.raises(TaskError, match="Nothing to publish"):
        services.request_type_publish(request_type=published, by=org.purchasing_head)
    assert RequestTypeVersion.objects.filter(request_type=published).count() == 1


def test_only_the_departments_administrators_publish(org, purchase):
    with pytest.raises(TaskError):
        services.request_type_publish(request_type=purchase, by=org.sales_head)
    purchase.refresh_from_db()
    assert purchase.current_version is None


def test_filed_requests_keep_their_version_and_new_ones_get_the_new(org, published, file_request, finance):
    old = file_request(published, amount=20000, submit=False)
    assert old.type_version == published.current_version
    # The head adds a required field and drops the finance step.
    catalogue.field_save(
        request_type=published, by=org.purchasing_head, field=_field("reason", "理由", "long_text", required=True)
    )
    catalogue.step_delete(request_type=published, by=org.purchasing_head, number=2)
    v2 = services.request_type_publish(request_type=published, by=org.purchasing_head)
    published.refresh_from_db()
    assert v2.number == 2 and published.current_version == v2
    assert list(published.fields.values_list("key", flat=True)) == ["amount", "reason"]
    assert published.steps.count() == 1
    # The old request's page shows its own form; its route is the one it was filed on.
    assert [f.key for f in selectors.fields_of(published, old.type_version_id)] == ["amount"]
    services.task_submit(task=Task.objects.get(pk=old.pk), by=org.requester)
    assert set(Approval.objects.filter(task=old).values_list("step_order", flat=True)) == {1, 2}
    # A new request: the new version, the new route.
    new = services.task_create(
        by=org.requester,
        request_type=published,
        title="新",
        values={"amount": "20000", "reason": "需要"},
        submit=True,
    )
    assert new.type_version == v2
    assert [f.key for f in selectors.fields_of(published, new.type_version_id)] == ["amount", "reason"]
    assert set(Approval.objects.filter(task=new).values_list("step_order", flat=True)) == {1}


def test_retire_hides_the_type_and_keeps_its_requests(org, published, file_request):
    task = file_request(published)
    services.request_type_retire(request_type=published, by=org.purchasing_head)
    assert selectors.filing_type("purchase") is None
    assert all(published not in types for _d, types in selectors.request_types_by_department())
    with pytest.raises(TaskError, match="no longer in use"):
        file_request(RequestType.objects.get(pk=published.pk))
    assert Task.objects.filter(pk=task.pk).exists()
    with pytest.raises(TaskError):
        services.request_type_retire(request_type=published, by=org.purchasing_head)
    services.request_type_reinstate(request_type=published, by=org.purchasing_head)
    assert selectors.filing_type("purchase") is not None


def test_restore_copies_an_earlier_version_into_the_draft(org, published):
    catalogue.field_save(request_type=published, by=org.purchasing_head, field=_field("note", "备注"))
    services.request_type_publish(request_type=published, by=org.purchasing_head)
    published.refresh_from_db()
    v1 = published.versions.get(number=1)
    services.request_type_restore(request_type=published, by=org.purchasing_head, version=v1)
    published.refresh_from_db()
    assert published.draft == v1.snapshot
    v3 = services.request_type_publish(request_type=published, by=org.purchasing_head)
    assert v3.number == 3
    assert list(published.fields.values_list("key", flat=True)) == ["amount"]


def test_a_new_type_cannot_be_filed_until_published(org):
    created = services.request_type_create(
        by=org.purchasing_head, department=org.purchasing, code="laptop", name="电脑"
    )
    assert created.catalogue_status == "draft" and selectors.filing_type("laptop") is None
    with pytest.raises(TaskError):
        services.request_type_create(by=org.purchasing_head, department=org.sales, code="other", name="x")
    with pytest.raises(TaskError, match="exists already"):
        services.request_type_create(by=org.purchasing_head, department=org.purchasing, code="laptop", name="x")
    services.request_type_publish(request_type=created, by=org.purchasing_head)
    assert selectors.filing_type("laptop").catalogue_status == "published"


def test_publish_refuses_an_incoherent_draft_and_changes_nothing(org, published):
    draft = selectors.draft_of(published)
    draft["steps"].append(_step("users"))
    draft["steps"].append(_step(condition_field="kind", condition_operator="in", condition_choices="电脑"))
    services.request_type_save_draft(request_type=published, by=org.purchasing_head, draft=draft)
    with pytest.raises(TaskError, match="Step 3.*Step 4"):
        services.request_type_publish(request_type=published, by=org.purchasing_head)
    published.refresh_from_db()
    assert published.steps.count() == 2 and published.current_version.number == 1


def test_a_field_in_a_condition_cannot_be_removed(org, published):
    with pytest.raises(TaskError, match="Step 2"):
        catalogue.field_delete(request_type=published, by=org.purchasing_head, key="amount")


def test_choice_conditions_and_who_may_file(org, published, finance):
    catalogue.field_save(
        request_type=published, by=org.purchasing_head, field=_field("kind", "类别", "choice", choices="电脑\n文具")
    )
    catalogue.step_save(
        request_type=published,
        by=org.purchasing_head,
        step=_step(
            "department_head",
            department=finance.pk,
            condition_field="kind",
            condition_operator="in",
            condition_choices="电脑",
        ),
    )
    catalogue.guide_update(
        request_type=published, by=org.purchasing_head, guide={"filing_departments": [org.purchasing.pk]}
    )
    services.request_type_publish(request_type=published, by=org.purchasing_head)
    published.refresh_from_db()
    route = selectors.approval_route(published, org.assignee, org.purchasing, {"amount": "1", "kind": "电脑"})
    assert [s.approvers for s in route][-1] == [org.finance_head]
    route = selectors.approval_route(published, org.assignee, org.purchasing, {"amount": "1", "kind": "文具"})
    assert org.finance_head not in [p for s in route for p in s.approvers]
    # Only 采购部 may file it now.
    assert published.filing_restricted
    with pytest.raises(TaskError, match="open only"):
        services.task_create(by=org.requester, request_type=published, title="x", values={"amount": "1"})
    assert all(published not in t for _d, t in selectors.request_types_by_department("", org.sales))
    assert any(published in t for _d, t in selectors.request_types_by_department("", org.purchasing))


def test_the_filing_form_handles_every_kind(org, published):
    specs = selectors.fields_from(
        {
            "fields": [
                _field("total", "金额", "amount", required=True, min_value="10", max_value="100"),
                _field("code", "编号", "text", pattern="[A-Z]{2}[0-9]{2}"),
                _field("who", "联系人", "person"),
                _field("dept", "部门", "department"),
                _field("more", "说明", "long_text"),
            ]
        },
        published,
    )
    data = {"title": "t", "priority": "2", "f_total": "5", "f_code": "ab12", "f_who_find": "nobody"}
    form = TaskForm(data, request_type=published, user=org.requester, specs=specs)
    assert not form.is_valid()
    assert {"f_total", "f_code", "f_who"} <= set(form.errors)
    data = {
        "title": "t",
        "priority": "2",
        "f_total": "50",
        "f_code": "AB12",
        "f_who_find": "assignee",
        "f_dept": "sales",
        "f_more": "x" * 600,
    }
    form = TaskForm(data, request_type=published, user=org.requester, specs=specs)
    assert form.is_valid(), form.errors
    assert form.values() == {"total": "50", "code": "AB12", "who": "assignee", "dept": "sales", "more": "x" * 600}


def test_the_data_migration_shape_matches_the_snapshot(org, purchase):
    """0012 copies the snapshot code for the historic models: both must give the same JSON."""
    import importlib

    migration = importlib.import_module("tasks.migrations.0013_version_one_for_every_type")
    fields = purchase.fields.order_by("order", "pk")
    steps = purchase.steps.order_by("order", "pk").prefetch_related("users")
    assert migration._snapshot(purchase, fields, steps) == selectors.snapshot_of(purchase)
    assert RequestField.Kind.AMOUNT in RequestField.NUMERIC_KINDS and Decimal("1")
