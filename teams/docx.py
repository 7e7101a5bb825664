"""Team files rendered by the rendering service (core.rendering): 会议纪要 (minutes), 协作计划 (plan) and
the evaluation report, in the GB/T 9704 layout of core/docx_layout.py. Like the other
generated official documents they are written in Chinese whatever the reader's language."""

import hashlib

from django.utils import timezone

from core import rendering
from core.docx_layout import Block, OfficialDocument, render
from teams.models import Attendance, Meeting, Team
from teams.rules import can

ORGAN = "协作门户"
ABSENCE = {Attendance.Status.ABSENT: "缺席", Attendance.Status.EXCUSED: "请假"}


def _lines(text: str) -> list[Block]:
    return [Block("paragraph", line.strip()) for line in text.splitlines() if line.strip()] or [
        Block("paragraph", "无。")
    ]


def _render(team: Team, *, kind: str, number: str, title: str, body: list[Block], issued_on) -> bytes:
    """A team file in the official layout, addressed to the members' departments."""
    names = dict.fromkeys(member.department.name for member in team.members.select_related("department"))
    return render(
        OfficialDocument(
            organ=f"{ORGAN}{kind}",
            number=number,
            title=title,
            recipients="、".join(names) or team.name,
            body=body,
            issuer=team.name,
            issued_on=issued_on,
        )
    )


def minutes_version(meeting: Meeting) -> str:
    """Changes whenever what the minutes show changes."""
    parts = [meeting.agenda, meeting.minutes, meeting.decisions, meeting.status]
    parts += [f"{a.user_id}:{a.status}" for a in meeting.attendance.order_by("pk")]
    parts += [f"{i.pk}:{i.title}:{i.owner_id}:{i.due_on}:{i.task_id}" for i in meeting.action_items.order_by("pk")]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def team_version(team: Team) -> str:
    """Changes whenever the team, its plan or its evaluation changes: every such change writes a log row."""
    last = team.logs.order_by("-pk").values_list("pk", flat=True).first()
    return f"{last}-{team.updated_at:%Y%m%d%H%M%S%f}"


def minutes_docx(meeting: Meeting) -> bytes:
    team = meeting.team
    when = timezone.localtime(meeting.starts_at)
    rows = list(meeting.attendance.select_related("user"))
    present = "、".join(a.user.name for a in rows if a.status == Attendance.Status.PRESENT) or "—"
    absent = "、".join(
        f"{a.user.name}（{ABSENCE[a.status]}）"
        for a in rows
        if a.status in (Attendance.Status.ABSENT, Attendance.Status.EXCUSED)
    )
    body = [
        Block("paragraph", f"时间：{when:%Y年%m月%d日 %H:%M}　地点：{meeting.location or '—'}"),
        Block("paragraph", f"出席：{present}"),
    ]
    if absent:
        body.append(Block("paragraph", f"缺席：{absent}"))
    body += [Block("heading", "一、议程"), *_lines(meeting.agenda)]
    body += [Block("heading", "二、会议纪要"), *_lines(meeting.minutes)]
    body += [Block("heading", "三、决定事项"), *_lines(meeting.decisions)]
    actions = list(meeting.action_items.select_related("owner", "department", "task"))
    body.append(Block("heading", "四、行动项"))
    if actions:
        table = [["事项", "负责人", "部门", "完成期限", "事务编号"]]
        table += [
            [a.title, a.owner.name, a.department.name, a.due_on.isoformat(), a.task.number if a.task else ""]
            for a in actions
        ]
        body.append(Block("table", rows=table))
    else:
        body.append(Block("paragraph", "无。"))
    return _render(
        team,
        kind="会议纪要",
        number=f"{team.name}　第{meeting.pk}期",
        title=f"{team.name}例会纪要",
        body=body,
        issued_on=when.date(),
    )


def plan_docx(team: Team) -> bytes:
    body = [
        Block("heading", "一、目标"),
        Block("paragraph", team.goal),
        Block(
            "paragraph",
            f"衡量指标：{team.metric}，基线 {team.baseline}{team.unit}，目标 {team.target_value}{team.unit}，"
            f"期限 {team.deadline:%Y年%m月%d日}。",
        ),
    ]
    if team.strategic_goal:
        body.append(Block("paragraph", f"对应战略目标：{team.strategic_goal.title}。"))
    body.append(Block("heading", "二、团队组成"))
    members = [["姓名", "部门", "团队角色"]]
    members.append([team.lead.name, "", "负责人"])
    members += [[m.user.name, m.department.name, m.role] for m in team.members.select_related("user", "department")]
    body.append(Block("table", rows=members))
    body.append(Block("heading", "三、进度安排"))
    milestones = [["里程碑", "开始", "完成", "负责部门", "交付物", "前置"]]
    for m in team.milestones.select_related("department").prefetch_related("depends_on"):
        after = "、".join(d.title for d in m.depends_on.all())
        milestones.append(
            [m.title, m.starts_on.isoformat(), m.due_on.isoformat(), m.department.name, m.deliverable, after]
        )
    body.append(Block("table", rows=milestones))
    body.append(Block("heading", "四、沟通机制"))
    from teams.meetings import describe

    with_daily = "每日发送进度邮件。" if team.daily_email else "不发送每日进度邮件。"
    body.append(Block("paragraph", f"例会：{describe(team)}；地点：{team.meeting_location or '—'}。{with_daily}"))
    body.append(Block("heading", "五、评估标准"))
    criteria = [["评估项", "权重"]] + [[c.name, f"{c.weight}%"] for c in team.criteria.all()]
    body.append(Block("table", rows=criteria) if len(criteria) > 1 else Block("paragraph", "待定。"))
    return _render(
        team,
        kind="协作计划",
        number=team.name,
        title=f"关于{team.name}的协作计划",
        body=body,
        issued_on=timezone.localdate(),
    )


def evaluation_docx(team: Team) -> bytes:
    body = [
        Block("heading", "一、目标达成"),
        Block(
            "paragraph",
            f"指标“{team.metric}”基线 {team.baseline}{team.unit}，目标 {team.target_value}{team.unit}，"
            f"实际 {team.current_value if team.current_value is not None else '—'}{team.unit}，"
            f"达成率 {team.goal_attainment if team.goal_attainment is not None else '—'}%。",
        ),
        Block("heading", "二、评估得分"),
        Block(
            "table",
            rows=[["评估项", "权重", "得分"]]
            + [[c.name, f"{c.weight}%", f"{c.score if c.score is not None else '—'}"] for c in team.criteria.all()]
            + [["加权得分", "100%", f"{team.evaluation_score if team.evaluation_score is not None else '—'}"]],
        ),
        Block("heading", "三、总结"),
        *_lines(team.evaluation_summary),
    ]
    evaluated_on = timezone.localtime(team.evaluated_at).date() if team.evaluated_at else timezone.localdate()
    return _render(
        team, kind="评估报告", number=team.name, title=f"{team.name}评估报告", body=body, issued_on=evaluated_on
    )


def _can_view(user, team: Team) -> bool:
    return can(user, "documents", team)


rendering.builder(
    "minutes",
    can_view=lambda user, meeting: _can_view(user, meeting.team),
    filename=lambda m: f"会议纪要-{m.team_id}-{m.pk}",
)(minutes_docx)
rendering.builder("team_plan", can_view=_can_view, filename=lambda t: f"协作计划-{t.pk}")(plan_docx)
rendering.builder("team_evaluation", can_view=_can_view, filename=lambda t: f"评估报告-{t.pk}")(evaluation_docx)
