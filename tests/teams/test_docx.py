"""会议纪要, 协作计划 and the evaluation report: built as .docx, opened again with python-docx, and
wired to the rendering service (core.rendering)."""

import io
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone
from docx import Document

from core import rendering
from teams import docx as team_docx
from teams import services
from teams.models import Milestone
from tests.conftest import login


def _text(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def test_minutes_docx(org, active_team):
    meeting = services.meeting_add(team=active_team, by=org.sales_head, starts_at=timezone.now(), minutes=60)
    services.meeting_record(
        meeting=meeting,
        by=org.requester,
        agenda="华东区进度",
        minutes="销售部汇报了渠道进展",
        decisions="下月起试点新价格",
        attendance={org.requester.pk: "present", org.assignee.pk: "absent"},
        held=True,
    )
    services.action_add(
        meeting=meeting,
        by=org.requester,
        title="提交渠道清单",
        owner=org.requester,
        department=org.sales,
        due_on=date(2026, 12, 1),
    )
    meeting.refresh_from_db()
    before = team_docx.minutes_version(meeting)
    text = _text(team_docx.minutes_docx(meeting))
    for expected in (
        "例会纪要",
        "华东区进度",
        "销售部汇报了渠道进展",
        "下月起试点新价格",
        "提交渠道清单",
        "张三",
        "钱四（缺席）",
    ):
        assert expected in text, expected
    services.meeting_record(
        meeting=meeting, by=org.requester, agenda="华东区进度", minutes="改了", decisions="", attendance={}, held=True
    )
    meeting.refresh_from_db()
    assert team_docx.minutes_version(meeting) != before


def test_plan_and_evaluation_docx(org, active_team):
    Milestone.objects.create(
        team=active_team,
        title="渠道调研",
        starts_on=active_team.starts_on,
        due_on=active_team.starts_on + timedelta(days=20),
        department=org.sales,
    )
    services.criteria_set(team=active_team, by=org.sales_head, rows=[("目标达成", 70), ("协作", 30)])
    text = _text(team_docx.plan_docx(active_team))
    assert "协作计划" in text and "渠道调研" in text and "目标达成" in text and "市场调研" in text
    services.reading_add(team=active_team, by=org.sales_head, value=Decimal("15"), measured_on=date(2026, 11, 20))
    services.team_complete(team=active_team, by=org.sales_head)
    scores = {c.pk: Decimal(100) for c in active_team.criteria.all()}
    team = services.team_evaluate(team=active_team, by=org.sales_head, scores=scores, summary="圆满完成")
    text = _text(team_docx.evaluation_docx(team))
    assert "100.00%" in text and "圆满完成" in text and "100.00" in text


def test_rendering_service_knows_the_team_kinds(client, org, active_team, django_capture_on_commit_callbacks):
    assert rendering.builder_for("minutes").can_view(org.requester, type("M", (), {"team": active_team})())
    assert not rendering.builder_for("team_plan").can_view(org.outsider, active_team)
    login(client, org.sales_head)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/teams/{active_team.pk}/documents/plan/")
    assert response.status_code == 302
    job = rendering.latest(active_team, "team_plan")
    assert job is not None and job.status == "ready"
    assert client.get(f"/teams/{active_team.pk}/").status_code == 200
    login(client, org.outsider)
    assert client.post(f"/teams/{active_team.pk}/documents/plan/").status_code == 403
    login(client, org.sales_head)
    assert client.post(f"/teams/{active_team.pk}/documents/evaluation/").status_code == 302  # not evaluated: message
    assert rendering.latest(active_team, "team_evaluation") is None


def test_plan_version_changes_when_a_milestone_is_added(org, active_team):
    before = team_docx.team_version(active_team)
    services.milestone_save(
        team=active_team,
        by=org.sales_head,
        values={
            "title": "新里程碑",
            "starts_on": active_team.starts_on,
            "due_on": active_team.starts_on + timedelta(days=5),
            "department": org.sales,
            "status": "planned",
        },
    )
    assert team_docx.team_version(active_team) != before
