"""A large organisation for benchmarks: `seed_demo --scale N` adds N requests, and the departments
and people they need: 30 departments and 2,000 people up to 100,000 requests, growing with the
requests to 300 departments and 20,000 people at 1,000,000.

The rows are made directly (not through the services) and look like real work: every state,
due dates spread a month either side of today, approvals waiting, holds, results to verify,
returns and reopens, and their search index entries. They are made and written in chunks
(a generator of chunks, each written and forgotten), so memory stays flat however many
requests are asked for. On PostgreSQL each chunk goes in with COPY (psycopg's `cursor.copy()`),
with primary keys taken from the table's own sequence so the children can point at their
parents; elsewhere with `bulk_create`. No index or constraint is dropped: COPY into indexed
tables is fast enough, and a failed load leaves a schema exactly as it was.
"""

import random
from collections.abc import Iterator
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone

from core.models import ActionLog
from demo.organisation import DEMO_PASSWORD, person_name
from departments.models import Department, Membership, User
from reports.models import SearchEntry
from reports.search import entry_for_person, entry_for_task, store, tokenise, vector_expression
from tasks.models import Approval, HoldPeriod, RequestCounter, RequestType, Task, TaskAction

# Departments and people grow with the requests: these figures up to BASE_REQUESTS requests,
# then in proportion, up to the ceilings (reached at 1,000,000 requests).
BASE_REQUESTS = 100_000
BASE_DEPARTMENTS, MAX_DEPARTMENTS = 30, 300
BASE_PEOPLE, MAX_PEOPLE = 2_000, 20_000
BATCH = 5000
CHUNK = 10_000

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


def sizes(total_requests: int) -> tuple[int, int]:
    """(departments, people) for an organisation of `total_requests` requests."""
    factor = max(1.0, total_requests / BASE_REQUESTS)
    return (
        min(MAX_DEPARTMENTS, round(BASE_DEPARTMENTS * factor)),
        min(MAX_PEOPLE, round(BASE_PEOPLE * factor)),
    )


def _departments(hq: Department, wanted: int) -> list[Department]:
    existing = list(Department.objects.filter(is_active=True).exclude(pk=hq.pk))
    extra = []
    for n in range(len(existing) + 1, wanted):
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


def _people(departments: list[Department], wanted: int) -> dict[int, list[int]]:
    """At least `wanted` people, each a member of one department; heads for every department."""
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
        for n in range(have, wanted)
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
    # bulk_create sends no signals: index the new people here (the demo's own go through save()).
    store([entry_for_person(user) for user in User.objects.filter(pk__in=without)])
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
    rng = random.Random(seed + Task.objects.count())  # noqa: S311 - demo data, not security
    hq = Department.objects.get(code="hq")
    department_count, people_count = sizes(Task.objects.count() + requests)
    departments = _departments(hq, department_count)
    staff = _people(departments, people_count)
    types = [t for t in _types(departments) if staff.get(t.department_id)]
    heads = dict(Department.objects.values_list("pk", "head_id"))
    now = timezone.now()
    year = timezone.localtime(now).year
    RequestCounter.objects.bulk_create([RequestCounter(year=year)], ignore_conflicts=True)
    counter = RequestCounter.objects.select_for_update().get(year=year)
    start = max(counter.last, _highest_number(year))
    task_type = ContentType.objects.get_for_model(Task)
    for chunk in _chunks(rng, requests, start, year, types, departments, staff, now):
        _write(Task, chunk)
        _write(
            Approval,
            [
                Approval(
                    task_id=task.pk,
                    round=1,
                    step_order=1,
                    step_name="部门负责人审批",
                    mode="any",
                    approver_id=heads.get(task.requesting_department_id) or heads[hq.pk],
                )
                for task in chunk
                if task.state == "pending_approval"
            ],
        )
        holds, logs = _holds_and_rework(rng, chunk, departments, now, task_type)
        _write(HoldPeriod, holds)
        _write(ActionLog, logs)
        _index(chunk)
    RequestCounter.objects.filter(year=year).update(last=start + requests)
    # An organisation that has been running has had its past reminders; record them as sent.
    from tasks.reminders import mark_past_windows_done

    mark_past_windows_done(now)
    _analyze()
    return requests


def _chunks(rng, requests, start, year, types, departments, staff, now) -> Iterator[list[Task]]:
    """The new requests, CHUNK at a time, so only one chunk is ever in memory."""
    states = [state for state, _share in MIX]
    weights = [share for _state, share in MIX]
    for first in range(0, requests, CHUNK):
        chunk = []
        for n in range(first, min(requests, first + CHUNK)):
            chunk.append(_request(rng, start + n + 1, year, types, departments, staff, now, states, weights))
        yield chunk


def _request(rng, number, year, types, departments, staff, now, states, weights) -> Task:
    request_type = rng.choice(types)
    target = request_type.department_id
    origin = rng.choice(departments)
    requester = rng.choice(staff[origin.pk])
    state = rng.choices(states, weights)[0]
    created = now - timedelta(days=rng.uniform(0, 60))
    due = now + timedelta(days=rng.uniform(-30, 30))
    task = Task(
        number=f"REQ-{year}-{number:06d}",
        title=f"批量事务 {number}",
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
    return task


def _write(model: type[models.Model], objects: list[models.Model]) -> None:
    """Insert `objects` (which get their primary keys): COPY on PostgreSQL, bulk_create elsewhere."""
    if not objects:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objects, batch_size=BATCH)
        return
    meta = model._meta
    table, pk = meta.db_table, meta.pk
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, pk.column, len(objects)],
        )
        for obj, (value,) in zip(objects, cursor.fetchall(), strict=True):
            obj.pk = value
    fields = meta.concrete_fields
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    # The driver's own cursor: Django's wrapper has no copy(); same connection, same transaction.
    with connection.connection.cursor() as raw, raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:  # noqa: S608 - names from the model
        for obj in objects:
            copy.write_row([field.get_db_prep_save(field.pre_save(obj, True), connection) for field in fields])


def _index(tasks: list[Task]) -> None:
    """Search index entries for these requests (bulk inserts send no signals)."""
    entries = []
    for task in tasks:
        entry = entry_for_task(task)
        entry.title_tokens = " ".join(tokenise(entry.title))
        entry.text_tokens = " ".join(tokenise(entry.text))
        entries.append(entry)
    _write(SearchEntry, entries)
    if connection.vendor == "postgresql":
        SearchEntry.objects.filter(
            kind=SearchEntry.Kind.TASK, object_id__gte=tasks[0].pk, object_id__lte=tasks[-1].pk
        ).update(vector=vector_expression())


def _analyze() -> None:
    """Fresh planner statistics after a bulk load (PostgreSQL), so reports and lists get good plans
    from the first page instead of after autovacuum comes round."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in (Task, HoldPeriod, ActionLog, Approval, User, Membership, SearchEntry):
            cursor.execute(f"ANALYZE {model._meta.db_table}")
        cursor.execute("ANALYZE tasks_reminder")


def _holds_and_rework(rng, chunk: list[Task], departments: list[Department], now, task_type):
    """Holds charged to other departments (finished ones with working hours, and the running
    ones of requests on hold) and returns/reopens with reasons, for the reports."""
    holds, logs = [], []
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

    for task in chunk:
        pk = task.pk
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
    return holds, logs


def _highest_number(year: int) -> int:
    highest = Task.objects.filter(number__startswith=f"REQ-{year}-").aggregate(Max("number"))["number__max"]
    return int(highest.rsplit("-", 1)[1]) if highest else 0
