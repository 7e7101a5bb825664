"""Demo conflicts for seed_demo: one at each level of the ladder and two settled ones to search,
made through the services so their logs, positions and notifications are real. Idempotent."""

from django.db.models import F

from conflicts import services
from conflicts.models import Conflict, ConflictSettings
from departments.models import User
from tasks.models import Task
from tasks.services import managers_of

# departments (requesting, target), subject, requester's position, the other side's, how far it goes, outcome
STORIES = [
    (
        ("sales", "production"),
        "交货期：客户要求两周，生产排期需四周",
        "客户合同约定两周内交货，逾期要赔付。",
        "现有产能排满，最快四周。",
        "negotiation",
        "",
    ),
    (
        ("sales", "purchasing"),
        "采购预算超支由谁承担",
        "超支来自供应商涨价，应由采购部消化。",
        "超支来自销售部临时追加的需求，应由需求部门承担。",
        "mediation",
        "",
    ),
    (
        ("sales", "service"),
        "返修件的运费归属",
        "返修多因安装指导不到位，运费应由客服部承担。",
        "客户使用不当占多数，运费应由销售部在合同中约定由客户承担。",
        "agreed",
        "安装指导原因的返修运费由客服部承担，使用不当的由销售部按合同向客户收取；每月对账一次。",
    ),
    (
        ("marketing", "tech"),
        "市场活动页面的开发排期",
        "活动下周开始，页面必须本周上线。",
        "开发资源已排给新品发布，只能下周。",
        "arbitrated",
        "新品发布优先；市场活动推迟一周，技术部本周先上线预告页。",
    ),
]


def seed_conflicts() -> int:
    """Create the demo conflicts once; returns how many were made this run."""
    if Conflict.objects.exists():
        return 0
    leader = User.objects.filter(username="leader").first()
    ConflictSettings.objects.get_or_create(pk=1, defaults={"arbiter": leader})
    tasks = list(
        Task.objects.filter(parent__isnull=True)
        .exclude(requesting_department=F("target_department"))
        .select_related("requester", "requesting_department", "target_department")
        .order_by("pk")
    )
    made = 0
    for pair, subject, mine, theirs, level, outcome in STORIES:
        task = next(
            (t for t in tasks if (t.requesting_department.code, t.target_department.code) == pair),
            tasks[0] if tasks else None,
        )
        if task is None:
            break
        tasks.remove(task)
        parties = [task.requesting_department, task.target_department]
        conflict = services.conflict_raise(
            by=task.requester, task=task, departments=parties, subject=subject, position=mine
        )
        other = next(iter(managers_of(task.target_department)), None)
        if other is None:
            continue
        services.conflict_add_position(conflict=conflict, by=other, text=theirs)
        made += 1
        if level == "negotiation":
            continue
        if level == "agreed":
            services.conflict_propose(conflict=conflict, by=other, text=outcome)
            conflict = Conflict.objects.get(pk=conflict.pk)
            services.conflict_agree(conflict=conflict, by=managers_of(task.requesting_department)[0])
            continue
        services.conflict_escalate(conflict=conflict, by=other, text="协商未果，请求调解。")
        conflict = Conflict.objects.get(pk=conflict.pk)
        if level == "mediation" or conflict.mediator is None:
            continue
        services.conflict_escalate(conflict=conflict, by=conflict.mediator, text="调解不成，提交仲裁。")
        conflict = Conflict.objects.get(pk=conflict.pk)
        if conflict.arbiter is not None:
            services.conflict_decide(conflict=conflict, by=conflict.arbiter, text=outcome)
    return made
