"""A large organisation for benchmarks: `seed_demo --scale N` adds N requests spread over 30
departments and 2,000 people, with bulk inserts so 100,000 requests take seconds, not hours.

The rows are made directly (not through the services) and look like real work: every state,
due dates spread a month either side of today, approvals waiting, holds, results to verify.
"""

import random
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from core.models import ActionLog
from demo.organisation import DEMO_PASSWORD, person_name
from departments.models import Department, Membership, User
from tasks.models import Approval, HoldPeriod, RequestCounter, RequestType, Task, TaskAction

SCALE_DEPARTMENTS = 30
SCALE_PEOPLE = 2000
BATCH = 5000

# state → share of requests
MIX = [
    ("done", 0.45),
    ("in_progress", 0.2),
    ("pending_acceptance", 0.08),
    ("pending_approval", 0.08),
    ("pending_verification", 0.06),
    ("on_hold", 0.04),
    ("rejected", 0.04),
    ("cancelled", 0.03),
    ("draft", 0.02),
]


def _departments(hq: Department) -> list[Department]:
    existing = list(Department.objects.filter(is_active=True).exclude(pk=hq.pk))
    extra = []
    for n in range(len(existing) + 1, SCALE_DEPARTMENTS):
        extra.append(
            Department(
                code=f"unit{n:02d}",
                name=f"第{n}事业部",
                name_en=f"Business unit {n}",
                parent=hq,
                handles="本事业部的产品与客户事务",
                handles_en="Products and customers of the unit",
                sort_order=1000 + n,
            )
        )
    Department.objects.bulk_create(extra, ignore_conflicts=True)
    return list(Department.objects.filter(is_active=True).exclude(pk=hq.pk).order_by("pk"))


def _people(departments: list[Department]) -> dict[int, list[int]]:
    """At least SCALE_PEOPLE people, each a member of one department; heads for every department."""
    password = make_password(DEMO_PASSWORD)
    have = User.objects.count()
    new_users = [
        User(
            username=f"scale_{n:05d}",
            display_name=person_name(n + 100),
            email=f"scale_{n:05d}@example.com",
            password=password,
            job_title="员工",
        )
        for n in range(have, SCALE_PEOPLE)
    ]
    User.objects.bulk_create(new_users, batch_size=BATCH, ignore_conflicts=True)
    without = list(
        User.objects.filter(memberships__isnull=True, username__startswith="scale_").values_list("pk", flat=True)
    )
    memberships = [
        Membership(user_id=user_id, department=departments[i % len(departments)], is_primary=True)
        for i, user_id in enumerate(without)
    ]
    Membership.objects.bulk_create(memberships, batch_size=BATCH, ignore_conflicts=True)
    for department in departments:
        if department.head_id is None:
            head = Membership.objects.filter(department=department).order_by("pk").first()
            if head:
                Department.objects.filter(pk=department.pk).update(head_id=head.user_id)
                Membership.objects.filter(pk=head.pk).update(role=Membership.Role.MANAGER)
    staff: dict[int, list[int]] = {}
    for user_id, department_id in Membership.objects.values_list("user_id", "department_id"):
        staff.setdefault(department_id, []).append(user_id)
    return staff


def _types(departments: list[Department]) -> list[RequestType]:
    for department in departments:
        RequestType.objects.get_or_create(
            code=f"general-{department.code}",
            defaults={
                "department": department,
                "name": f"{department.name}事务",
                "name_en": f"{department.name_en} request",
                "purpose": "一般事务",
                "accept_sla_hours": 4,
                "finish_sla_hours": 24,
            },
        )
    return list(RequestType.objects.filter(is_active=True).select_related("department"))


@transaction.atomic
def seed_scale(requests: int, *, seed: int = 2026) -> int:
    """Add `requests` requests (and the departments and people they need). Returns how many."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    hq = Department.objects.get(code="hq")
    departments = _departments(hq)
    staff = _people(departments)
    types = [t for t in _types(departments) if staff.get(t.department_id)]
    now = timezone.now()
    year = timezone.localtime(now).year
    RequestCounter.objects.bulk_create([RequestCounter(year=year)], ignore_conflicts=True)
    counter = RequestCounter.objects.select_for_update().get(year=year)
    start = max(counter.last, _highest_number(year))
    states = [state for state, _share in MIX]
    weights = [share for _state, share in MIX]
    rows = []
    for n in range(requests):
        request_type = rng.choice(types)
        target = request_type.department_id
        origin = rng.choice(departments)
        requester = rng.choice(staff[origin.pk])
        state = rng.choices(states, weights)[0]
        created = now - timedelta(days=rng.uniform(0, 60))
        due = now + timedelta(days=rng.uniform(-30, 30))
        task = Task(
            number=f"REQ-{year}-{start + n + 1:06d}",
            title=f"批量事务 {start + n + 1}",
            description="基准测试数据",
            request_type=request_type,
            requester_id=requester,
            requesting_department=origin,
            target_department_id=target,
            priority=rng.choice([1, 2, 2, 2, 3, 4]),
            created_at=created,
            field_values={},
            state=state,  # bulk seeding bypasses the transitions on purpose; see the module docstring
        )
        if state not in ("draft", "pending_approval", "pending_acceptance"):
            task.assignee_id = rng.choice(staff[target])
            task.accept_due_at = created + timedelta(hours=4)
            task.accepted_at = created + timedelta(hours=rng.uniform(0.5, 8))
            task.due_at = max(due, created)
            task.estimate_hours = rng.choice([2, 4, 8, 16])
            task.progress = rng.randint(0, 90)
        if state == "pending_acceptance":
            task.accept_due_at = due
        if state == "pending_approval":
            task.approval_step, task.approval_round, task.approval_due_at = 1, 1, due
        if state in ("done", "pending_verification"):
            task.done_at = min(now, task.due_at + timedelta(hours=rng.uniform(-48, 24)))
            task.progress = 100
        if state in ("done", "rejected", "cancelled"):
            task.closed_at = now - timedelta(days=rng.uniform(0, 30))
        if state == "on_hold":
            task.held_since = now - timedelta(days=rng.uniform(0, 5))
            task.waiting_on = rng.choice(departments)
        task.submitted_at = None if state == "draft" else created
        rows.append(task)
    Task.objects.bulk_create(rows, batch_size=BATCH)
    RequestCounter.objects.filter(year=year).update(last=start + requests)
    waiting = Task.objects.filter(
        state="pending_approval", number__in=[t.number for t in rows if t.state == "pending_approval"]
    )
    heads = dict(Department.objects.values_list("pk", "head_id"))
    Approval.objects.bulk_create(
        [
            Approval(
                task_id=pk,
                round=1,
                step_order=1,
                step_name="部门负责人审批",
                mode="any",
                approver_id=heads.get(origin) or heads[hq.pk],
            )
            for pk, origin in waiting.values_list("pk", "requesting_department_id")
        ],
        batch_size=BATCH,
    )
    _holds_and_rework(rng, rows, departments, now)
    # An organisation that has been running has had its past reminders; record them as sent.
    from tasks.reminders import mark_past_windows_done

    mark_past_windows_done(now)
    _analyze()
    return requests


def _analyze() -> None:
    """Fresh planner statistics after a bulk load (PostgreSQL), so reports and lists get good plans
    from the first page instead of after autovacuum comes round."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table in ("tasks_task", "tasks_holdperiod", "core_actionlog", "tasks_approval", "departments_user"):
            cursor.execute(f"ANALYZE {table}")


def _holds_and_rework(rng, rows: list[Task], departments: list[Department], now) -> None:
    """Holds charged to other departments (finished ones with working hours, and the running
    ones of requests on hold) and returns/reopens with reasons, for the reports."""
    by_number = dict(Task.objects.filter(number__in=[t.number for t in rows]).values_list("number", "pk"))
    holds, logs = [], []
    task_type = ContentType.objects.get_for_model(Task)
    reasons = ["incomplete", "unclear", "quality", "not_resolved", "other"]

    def rework(pk: int, action: str, from_state: str, to_state: str, at) -> ActionLog:
        return ActionLog(
            content_type=task_type,
            object_id=pk,
            action=action,
            from_state=from_state,
            to_state=to_state,
            reason=rng.choice(reasons),
            created_at=at,
        )

    for task in rows:
        pk = by_number[task.number]
        if task.state == "on_hold":
            holds.append(
                HoldPeriod(task_id=pk, waiting_on=task.waiting_on, reason="waiting_other", started_at=task.held_since)
            )
        elif task.state in ("done", "in_progress", "pending_verification") and rng.random() < 0.15:
            started = task.accepted_at + timedelta(hours=rng.uniform(1, 48))
            if started < now:
                ended = min(now, started + timedelta(hours=rng.uniform(2, 96)))
                holds.append(
                    HoldPeriod(
                        task_id=pk,
                        waiting_on=rng.choice(departments),
                        reason="waiting_other",
                        started_at=started,
                        ended_at=ended,
                        working_hours=round((ended - started).total_seconds() / 3600 / 3, 2),
                    )
                )
        if task.state in ("done", "in_progress") and rng.random() < 0.05:
            at = task.created_at + timedelta(days=1)
            logs.append(rework(pk, TaskAction.REOPENED, "pending_verification", "in_progress", at))
        elif task.state in ("pending_approval", "pending_acceptance") and rng.random() < 0.05:
            logs.append(rework(pk, TaskAction.RETURNED, "pending_approval", "draft", task.created_at))
    HoldPeriod.objects.bulk_create(holds, batch_size=BATCH)
    ActionLog.objects.bulk_create(logs, batch_size=BATCH)


def _highest_number(year: int) -> int:
    highest = Task.objects.filter(number__startswith=f"REQ-{year}-").aggregate(Max("number"))["number__max"]
    return int(highest.rsplit("-", 1)[1]) if highest else 0
