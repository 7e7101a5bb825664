"""The decision on a conflict (冲突协调决定书) as a .docx in the official layout (GB/T 9704):
the parties and their positions, the ladder it went through, and the decision or settlement."""

from django.utils import timezone

from conflicts.models import Conflict, ConflictAction
from core import rendering
from core.docx_layout import Block, OfficialDocument, render

LEVEL_ZH = {
    Conflict.State.NEGOTIATION: "协商",
    Conflict.State.MEDIATION: "调解",
    Conflict.State.ARBITRATION: "仲裁",
    Conflict.State.RESOLVED: "已解决",
    Conflict.State.WITHDRAWN: "已撤回",
}


def _name(user, acting_for=None) -> str:
    """Who did it (the system when nobody), and for whom under delegation."""
    return (user.name if user is not None else "系统") + (f"（代{acting_for.name}）" if acting_for else "")


def decision_spec(conflict: Conflict) -> OfficialDocument:
    parties = [party.department for party in conflict.parties.select_related("department")]
    positions = list(conflict.positions.select_related("department", "author", "acting_for"))
    logs = list(
        conflict.logs.select_related("actor", "acting_for").filter(
            action__in=[
                ConflictAction.RAISED,
                ConflictAction.ESCALATED,
                ConflictAction.AUTO_ESCALATED,
                ConflictAction.SETTLED,
                ConflictAction.DECIDED,
            ]
        )
    )
    closed = timezone.localtime(conflict.closed_at or timezone.now())
    arbitrated = conflict.resolution == Conflict.Resolution.ARBITRATED
    rows = [["当事部门", "立场", "陈述人", "时间"]]
    for p in positions:
        when = f"{timezone.localtime(p.created_at):%Y-%m-%d %H:%M}"
        rows.append([p.department.name, p.text, _name(p.author, p.acting_for), when])
    ladder = []
    for log in logs:
        who = _name(log.actor, log.acting_for)
        step = f"{timezone.localtime(log.created_at):%Y-%m-%d %H:%M} {who}：{log.get_action_display()}"
        if log.from_state and log.from_state != log.to_state:
            step += f"（{LEVEL_ZH.get(log.from_state, log.from_state)} → {LEVEL_ZH.get(log.to_state, log.to_state)}）"
        ladder.append(step)
    decider = ""
    if arbitrated:
        decider = f"仲裁人：{_name(conflict.decided_by, conflict.decided_for)}"
    elif conflict.mediator:
        decider = f"调解人：{conflict.mediator.name}"
    body = [
        Block("heading", "一、争议事项"),
        Block("paragraph", conflict.subject + (f"（关联事务 {conflict.task.number}）" if conflict.task_id else "")),
        Block("heading", "二、各方立场"),
        Block("table", rows=rows),
        Block("heading", "三、协调经过"),
        Block("list", items=ladder or ["—"]),
        Block("heading", "四、仲裁决定（终局）" if arbitrated else "四、和解协议（各方一致同意）"),
        Block("paragraph", conflict.decision or "—"),
    ]
    if decider:
        body.append(Block("paragraph", decider))
    agreed = [party for party in conflict.parties.select_related("department", "agreed_by") if party.agreed_at]
    if not arbitrated and agreed:
        body.append(
            Block(
                "list",
                items=[
                    f"{party.department.name}：{_name(party.agreed_by)} 于 "
                    f"{timezone.localtime(party.agreed_at):%Y-%m-%d %H:%M} 同意"
                    for party in agreed
                ],
            )
        )
    return OfficialDocument(
        organ="部门协作冲突协调",
        number=f"协调〔{closed.year}〕{conflict.pk}号",
        title=f"关于“{conflict.subject}”的{'仲裁决定书' if arbitrated else '和解协议书'}",
        recipients="、".join(department.name for department in parties),
        body=body,
        issuer="冲突协调" if not decider else decider.split("：", 1)[1],
        issued_on=closed.date(),
    )


def decision_docx(conflict: Conflict) -> bytes:
    """The decision or settlement of a resolved conflict as .docx bytes."""
    return render(decision_spec(conflict))


def _can_view(user, conflict: Conflict) -> bool:
    from conflicts.rules import can

    return can(user, "decision_file", conflict)


KIND = "conflict_decision"
# The decision is final once recorded, so one version is all there is.
VERSION = 1

rendering.builder(KIND, can_view=_can_view, filename=lambda c: f"conflict-{c.pk}-decision")(decision_docx)


def request_decision_file(conflict: Conflict):
    """The rendering job of the decision's .docx (queued once, rendered by a worker)."""
    return rendering.request_file(conflict, KIND, version=VERSION)


def decision_file(conflict: Conflict):
    """The job to show on the page: the latest one, or a new one for a conflict resolved earlier."""
    return rendering.latest(conflict, KIND) or request_decision_file(conflict)
