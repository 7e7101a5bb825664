"""Which events the workflows make, and which endpoints get them: the action log's signal for
steps, the overdue sweep's signal, and an endpoint of one department hearing only of its own."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from conflicts import services as conflict_services
from conflicts.models import ConflictSettings
from documents import services as document_services
from tasks import reminders
from tasks.models import Task
from teams import services as team_services
from tests.factories import UserFactory
from tests.teams.conftest import team_values
from tests.webhooks.conftest import body_of
from webhooks.models import Delivery, Event

pytestmark = pytest.mark.django_db


def events(endpoint=None) -> list[str]:
    rows = Delivery.objects.order_by("pk")
    if endpoint is not None:
        rows = rows.filter(endpoint=endpoint)
    return list(rows.values_list("event", flat=True))


def test_a_department_endpoint_hears_only_of_its_department(org, in_state, receiver, register):
    everything = register(receiver, name="everything")
    purchasing = register(receiver, department=org.purchasing, by=org.purchasing_head, name="purchasing")
    sales = register(receiver, department=org.sales, by=org.sales_head, name="sales")
    hr = register(receiver, department=org.hr, by=org.admin, name="hr")
    in_state("pending_acceptance")  # requested by sales, handled by purchasing
    expected = ["request.filed", "request.state_changed", "request.approved", "request.state_changed"]
    assert events(everything) == expected
    assert events(purchasing) == expected
    assert events(sales) == expected
    assert events(hr) == []


def test_an_endpoint_gets_only_the_events_it_chose(org, in_state, receiver, register):
    endpoint = register(receiver, events=[Event.REQUEST_ASSIGNED])
    in_state("done")
    assert events(endpoint) == ["request.assigned"]


def test_no_endpoint_no_query(org, in_state, django_assert_max_num_queries):
    task = in_state("pending_approval")
    from tasks import services as task_services

    with django_assert_max_num_queries(60) as captured:
        task_services.task_approve(task=task, by=org.sales_head)
    assert not [q for q in captured.captured_queries if "webhooks_" in q["sql"]]


def test_document_issued(org, receiver, register, settings):
    settings.MEDIA_ROOT = str(settings.VAR_DIR / "media-tests")
    endpoint = register(receiver, events=[Event.DOCUMENT_ISSUED])
    other = register(receiver, events=[Event.DOCUMENT_ISSUED], department=org.hr, name="hr")
    document = document_services.document_create(
        by=org.requester,
        kind="notice",
        title="关于新产品上市协作安排的通知",
        recipients="采购部",
        body="请各部门按计划推进。",
        cc="",
        countersign_departments=[],
        recipient_departments=[org.purchasing],
    )
    document_services.document_submit(document=document, by=org.requester)
    document_services.document_review(document=document, by=org.sales_head, agree=True, text="同意")
    assert events(endpoint) == []
    document_services.document_sign_off(document=document, by=org.leader, text="同意印发")
    document.refresh_from_db()
    assert events(endpoint) == ["document.issued"] and events(other) == []
    data = body_of(Delivery.objects.get(endpoint=endpoint))["data"]
    assert data["number"] == document.number.text and data["state"] == "issued"
    assert data["department"]["code"] == "sales" and data["actor"]["username"] == "leader"


def test_conflict_escalated_and_decided(org, in_state, receiver, register):
    chair = UserFactory(username="chair", display_name="陈董", can_sign_off=True)
    ConflictSettings.objects.update_or_create(pk=1, defaults={"arbiter": chair})
    task = in_state("pending_approval")
    endpoint = register(
        receiver, events=[Event.CONFLICT_ESCALATED, Event.CONFLICT_DECIDED], department=org.purchasing, name="p"
    )
    conflict = conflict_services.conflict_raise(
        by=org.requester, task=task, departments=[org.sales, org.purchasing], subject="交货期争议", position="两周"
    )
    conflict_services.conflict_escalate(conflict=conflict, by=org.sales_head, text="协商失败")
    conflict.refresh_from_db()
    conflict_services.conflict_escalate(conflict=conflict, by=org.leader, text="调解不成")
    conflict.refresh_from_db()
    conflict_services.conflict_decide(conflict=conflict, by=chair, text="按四周交货")
    assert events(endpoint) == ["conflict.escalated", "conflict.escalated", "conflict.decided"]
    data = body_of(Delivery.objects.filter(endpoint=endpoint).order_by("pk").last())["data"]
    assert data["object"] == "conflict" and data["number"] == task.number and data["state"] == "resolved"


def test_team_goal_reached_once(org, receiver, register):
    endpoint = register(receiver, events=[Event.TEAM_GOAL_REACHED], department=org.purchasing, name="p")
    team = team_services.team_create(
        by=org.sales_head,
        values=team_values(),
        members=[(org.requester, org.sales, "市场调研"), (org.assignee, org.purchasing, "成本核算")],
    )
    team = team_services.team_start(team=team, by=org.sales_head)
    today = timezone.localdate()
    team_services.reading_add(team=team, by=org.sales_head, value=Decimal("14"), measured_on=today)
    assert events(endpoint) == []
    team_services.reading_add(team=team, by=org.sales_head, value=Decimal("15.5"), measured_on=today)
    team_services.reading_add(team=team, by=org.sales_head, value=Decimal("16"), measured_on=today)
    assert events(endpoint) == ["team.goal_reached"]
    data = body_of(Delivery.objects.get(endpoint=endpoint))["data"]
    assert data["object"] == "team" and data["target_value"] == "15.00"


def test_overdue_comes_from_the_reminder_sweep_once(org, in_state, receiver, register):
    endpoint = register(receiver, events=[Event.REQUEST_OVERDUE])
    task = in_state("in_progress")
    monday_morning = timezone.make_aware(datetime(2026, 12, 7, 10, 0))
    Task.objects.filter(pk=task.pk).update(due_at=monday_morning - timedelta(hours=2))
    with time_machine.travel(monday_morning, tick=False):
        reminders.sweep()
        reminders.sweep()
    assert events(endpoint) == ["request.overdue"]
    data = body_of(Delivery.objects.get(endpoint=endpoint))["data"]
    assert data["number"] == task.number and data["actor"] is None


def test_a_draft_says_nothing_until_it_is_submitted(org, purchase, file_request, receiver, register):
    from tasks import services as task_services

    endpoint = register(receiver)
    draft = file_request(purchase, submit=False)
    task_services.task_cancel(task=draft, by=org.requester, comment="不要了")
    assert events(endpoint) == []
    other = file_request(purchase, submit=False, title="另一个草稿")
    task_services.task_submit(task=other, by=org.requester)
    assert events(endpoint) == ["request.filed", "request.state_changed"]


def test_confidential_words_stay_in_the_portal(org, in_state, receiver, register):
    """A confidential request's and a private team's title never leave the portal; the rest does."""
    endpoint = register(receiver)
    open_task = in_state("pending_acceptance", title="采购打印纸")
    secret_task = in_state("pending_acceptance", title="收购某公司的评估", confidential=True)
    rows = [body_of(d)["data"] for d in Delivery.objects.filter(endpoint=endpoint).order_by("pk")]
    seen = {(row["number"], row["title"], row["confidential"]) for row in rows}
    assert seen == {(open_task.number, "采购打印纸", False), (secret_task.number, None, True)}
    assert all(row["url"].endswith(f"/{row['number']}/") for row in rows)
    team = team_services.team_create(
        by=org.sales_head,
        values=team_values(private=True, name="秘密的并购小组"),
        members=[(org.requester, org.sales, "市场调研"), (org.assignee, org.purchasing, "成本核算")],
    )
    team_services.team_start(team=team, by=org.sales_head)
    for value in ("15.5", "16"):
        team_services.reading_add(team=team, by=org.sales_head, value=Decimal(value), measured_on=timezone.localdate())
    goal = body_of(Delivery.objects.get(endpoint=endpoint, event=Event.TEAM_GOAL_REACHED))["data"]
    assert goal["title"] is None and goal["metric"] is None and goal["confidential"] is True
    assert "秘密的并购小组" not in str([body_of(d) for d in Delivery.objects.all()])
