"""The request, conflict and team logs move into the action log: every timeline, processing sheet
and report shows the same entries after the move as the old tables gave.

The old rows (one of every action of the three old tables, with and without actor, acting-for,
department, reason, progress and comment, two at the same minute) are written through the
historical models at the migrations before the move; what the pages showed from them is read from
those rows with the old tables' own labels; then the database migrates forward and the pages'
selectors, the .docx sheets and the reports are read."""

import io
from collections import Counter
from datetime import timedelta
from decimal import Decimal

import docx
import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone, translation

from conflicts.models import Conflict
from tasks.models import RequestType, Task
from teams.models import Team

BEFORE = [
    ("tasks", "0008_requestfield_allow_negative"),
    ("conflicts", "0003_alter_conflict_decision_alter_conflict_proposal_and_more"),
    ("teams", "0004_action_item_label"),
]


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _labels(model, name: str) -> dict:
    """A historical field's choices: the English words the old page showed (the site translated them)."""
    return dict(model._meta.get_field(name).choices)


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)


def _latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.fixture
def english():
    with translation.override("en"):
        yield


@pytest.mark.django_db(transaction=True)
def test_timelines_sheets_and_reports_read_the_same_after_the_move(org, english):
    from conflicts.docx import LEVEL_ZH, decision_spec
    from conflicts.selectors import timeline as conflict_timeline
    from reports.selectors import DepartmentReport, OrganisationReport
    from tasks.docx import request_form_docx
    from tasks.selectors import timeline as task_timeline
    from tasks.templatetags.task_tags import reason_label
    from teams.selectors import team_page
    from tests.reports.test_figures import period

    kind = RequestType.objects.create(department=org.purchasing, code="buy", name="采购申请")
    task = Task.objects.create(
        number="REQ-2026-000001",
        title="买电脑",
        request_type=kind,
        requester=org.requester,
        requesting_department=org.sales,
        target_department=org.purchasing,
        state=Task.State.IN_PROGRESS,
    )
    arbitrated = Conflict.objects.create(
        subject="交货期", task=task, state="resolved", resolution="arbitrated", raised_by=org.requester
    )
    talking = Conflict.objects.create(subject="价格", task=task, state="negotiation", raised_by=org.requester)
    today = timezone.localdate()
    team = Team.objects.create(
        name="新品上市",
        goal="提高份额",
        metric="份额",
        baseline=Decimal(10),
        target_value=Decimal(20),
        starts_on=today - timedelta(days=30),
        deadline=today + timedelta(days=30),
        lead=org.sales_head,
        created_by=org.sales_head,
        state="active",
    )
    start = timezone.now().replace(second=0, microsecond=0) - timedelta(days=2)

    latest = _latest()
    _migrate(BEFORE)
    try:
        old = MigrationExecutor(connection).loader.project_state(BEFORE).apps
        TaskLog = old.get_model("tasks", "TaskLog")
        ConflictLog = old.get_model("conflicts", "ConflictLog")
        TeamLog = old.get_model("teams", "TeamLog")
        people = [None, org.requester, org.purchasing_head, org.assignee]
        reasons = ["", "quality", "incomplete", "policy"]
        departments = [None, org.hr, org.sales]

        for n, action in enumerate(_labels(TaskLog, "action")):
            TaskLog.objects.create(
                task_id=task.pk,
                actor_id=getattr(people[n % 4], "pk", None),
                acting_for_id=org.purchasing_head.pk if n % 5 == 1 else None,
                action=action,
                from_state="pending_acceptance" if n % 2 else "",
                to_state="in_progress",
                reason=reasons[n % 4],
                comment=f"意见 {n}" if n % 3 else "",
                progress=40 + n if action == "progress" else None,
                department_id=getattr(departments[n % 3], "pk", None),
                created_at=start + timedelta(minutes=n // 2 * 7),  # two rows share each minute
            )
        for n, action in enumerate(_labels(ConflictLog, "action")):
            for conflict in (arbitrated, talking):
                ConflictLog.objects.create(
                    conflict_id=conflict.pk,
                    actor_id=getattr(people[n % 4], "pk", None),
                    acting_for_id=org.sales_head.pk if n % 3 == 2 else None,
                    department_id=getattr(departments[n % 3], "pk", None),
                    action=action,
                    from_state=["", "negotiation", "mediation"][n % 3],
                    to_state=(
                        ["negotiation", "mediation", "arbitration"][n % 3] if conflict == arbitrated else "negotiation"
                    ),
                    text=f"理由 {n}" if n % 2 else "",
                    created_at=start + timedelta(minutes=n),
                )
        for n, action in enumerate(_labels(TeamLog, "action")):
            TeamLog.objects.create(
                team_id=team.pk,
                actor_id=getattr(people[n % 4], "pk", None),
                action=action,
                from_state="planning" if n % 2 else "",
                to_state="active" if n % 2 else "",
                comment=f"计划 {n}" if n % 3 else "",
                created_at=start + timedelta(minutes=n // 2),
            )

        # What the pages and sheets showed from the old rows, with the old tables' labels.
        def name(pk):
            return next((p.name for p in people + [org.sales_head] if p is not None and p.pk == pk), None)

        task_actions, task_reasons = _labels(TaskLog, "action"), _labels(TaskLog, "reason")
        department_names = {d.pk: d.display_name for d in departments if d is not None}
        task_rows = list(TaskLog.objects.filter(task_id=task.pk).order_by("created_at", "pk"))
        task_entries = [
            (
                _when(row.created_at),
                name(row.actor_id),
                name(row.acting_for_id),
                task_actions[row.action],
                department_names.get(row.department_id),
                row.progress,
                task_reasons.get(row.reason, ""),
                row.comment,
            )
            for row in task_rows
        ]
        sheet_rows = []
        for row in task_rows:
            who = name(row.actor_id) or "System"
            if row.acting_for_id:
                who = f"{who} (for {name(row.acting_for_id)})"
            what = task_actions[row.action] + (f"（{task_reasons[row.reason]}）" if row.reason else "")
            sheet_rows.append([_when(row.created_at), who, what, row.comment])
        rework = Counter(
            (task_actions[row.action], task_reasons.get(row.reason) or "(none given)")
            for row in task_rows
            if row.action in ("returned", "reopened")
        )

        conflict_actions, levels = _labels(ConflictLog, "action"), _labels(ConflictLog, "from_state")
        conflict_entries, ladders = {}, {}
        for conflict in (arbitrated, talking):
            rows = list(ConflictLog.objects.filter(conflict_id=conflict.pk).order_by("pk"))
            conflict_entries[conflict.pk] = [
                (
                    _when(row.created_at),
                    name(row.actor_id),
                    name(row.acting_for_id),
                    conflict_actions[row.action],
                    department_names.get(row.department_id),
                    (levels[row.from_state], levels[row.to_state])
                    if row.from_state and row.from_state != row.to_state
                    else None,
                    row.text,
                )
                for row in rows
            ]
            ladders[conflict.pk] = [
                f"{_when(row.created_at)} {name(row.actor_id) or '系统'}"
                + (f"（代{name(row.acting_for_id)}）" if row.acting_for_id else "")
                + f"：{conflict_actions[row.action]}"
                + (
                    f"（{LEVEL_ZH[row.from_state]} → {LEVEL_ZH[row.to_state]}）"
                    if row.from_state and row.from_state != row.to_state
                    else ""
                )
                for row in rows
                if row.action in ("raised", "escalated", "auto_escalated", "settled", "decided")
            ]

        team_actions = _labels(TeamLog, "action")
        team_entries = [
            (_when(row.created_at), name(row.actor_id), team_actions[row.action], row.comment)
            for row in TeamLog.objects.filter(team_id=team.pk).order_by("-created_at", "-pk")[:15]
        ]
    finally:
        _migrate(latest)

    task = Task.objects.get(pk=task.pk)
    assert len(task_entries) == 19
    assert [
        (
            _when(item["obj"].created_at),
            getattr(item["obj"].actor, "name", None),
            getattr(item["obj"].acting_for, "name", None),
            item["obj"].get_action_display(),
            getattr(item["department"], "display_name", None),
            item["obj"].data.get("progress"),
            reason_label(item["obj"].reason) if item["obj"].reason else "",
            item["obj"].comment,
        )
        for item in task_timeline(task)
    ] == task_entries

    sheet = docx.Document(io.BytesIO(request_form_docx(task)))
    table = next(t for t in sheet.tables if [c.text for c in t.rows[0].cells] == ["Date", "Who", "What", "Comment"])
    assert [[cell.text for cell in row.cells] for row in table.rows[1:]] == sheet_rows

    report = DepartmentReport(org.admin, org.purchasing, *period())
    assert sorted(report.rework().rows) == sorted([list(key) + [n] for key, n in rework.items()])
    assert sum(rework.values()) == 2

    for conflict in (arbitrated, talking):
        conflict = Conflict.objects.prefetch_related("logs__actor", "logs__acting_for", "parties").get(pk=conflict.pk)
        assert [
            (
                _when(entry["log"].created_at),
                getattr(entry["log"].actor, "name", None),
                getattr(entry["log"].acting_for, "name", None),
                entry["log"].get_action_display(),
                getattr(entry["department"], "display_name", None),
                (entry["from"], entry["to"])
                if entry["log"].from_state and entry["log"].from_state != entry["log"].to_state
                else None,
                entry["log"].comment,
            )
            for entry in conflict_timeline(conflict)
        ] == conflict_entries[conflict.pk]
        ladder = next(block.items for block in decision_spec(conflict).body if block.kind == "list")
        assert ladder == ladders[conflict.pk]
    # The highest level each conflict reached comes from the log's to-states.
    assert OrganisationReport(org.admin, None, *period()).conflicts().rows == [
        ["Negotiation (协商)", "Still open", 1],
        ["Arbitration (仲裁)", "Decided by arbitration", 1],
    ]

    team = Team.objects.get(pk=team.pk)
    assert [
        (_when(entry.created_at), getattr(entry.actor, "name", None), entry.get_action_display(), entry.comment)
        for entry in team_page(team, org.admin)["log"]
    ] == team_entries
    with translation.override("zh-hans"):
        from django.utils.translation import pgettext

        assert task.logs.filter(action="task.submitted").get().get_action_display() == pgettext(
            "what happened to a request", "submitted"
        )
