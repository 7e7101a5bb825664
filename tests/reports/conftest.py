"""A small, hand-computed set of requests to 采购部 (purchasing) for the report tests.

All filed by sales (张三) with the 咨询 type unless said otherwise; times relative to now:

| task | state              | created | accepted vs accept-by | finished vs due   | cycle |
|------|--------------------|---------|-----------------------|-------------------|-------|
| T1   | done               | -10 d   | +1 h vs +2 h (kept)   | +20 h vs +24 h ok | 20 h  |
| T2   | done               | -10 d   | +3 h vs +2 h (missed) | +30 h vs +24 h    | 30 h  |
| T3   | done               | -9 d    | +1 h (kept)           | +10 h ok          | 10 h  |
| T4   | done               | -9 d    | +1 h (kept)           | +40 h late        | 40 h  |
| T5   | in_progress        | -8 d    | +1 h (kept)           | due -1 d: late    |       |
| T6   | pending_acceptance | -2 d    | due -1 h: missed      |                   |       |
| T7   | pending_acceptance | -12 h   | due +1 h: not counted |                   |       |
| T8   | in_progress, confidential, filed by hr (outsider) |             |       |

Accepting SLA: 4 kept of 6 measured (66.7 %); finishing: 2 of 5 (40 %).
Cycle: median 25 h, 90th percentile 37 h, average 25 h.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from core.actions import log_action
from tasks.models import RequestType, Task, TaskAction


@pytest.fixture(autouse=True)
def english(settings):
    """These tests read the pages' and services' messages in English (the site's default is Chinese)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def support(org):
    return RequestType.objects.create(
        department=org.purchasing, code="support", name="咨询", name_en="Question", accept_sla_hours=2
    )


def make_task(org, request_type, number, *, state, created, **fields):
    fields.setdefault("requester", org.requester)
    fields.setdefault("requesting_department", org.sales)
    return Task.objects.create(
        number=number,
        title=fields.pop("title", f"事务 {number}"),
        request_type=request_type,
        target_department=request_type.department,
        state=state,
        created_at=created,
        submitted_at=created,
        **fields,
    )


@pytest.fixture
def figures(org, support):
    now = timezone.now()
    h = timedelta(hours=1)
    tasks = {}

    def done(number, days, accepted_h, done_h):
        created = now - timedelta(days=days)
        tasks[number] = make_task(
            org,
            support,
            number,
            state="done",
            created=created,
            accept_due_at=created + 2 * h,
            accepted_at=created + accepted_h * h,
            due_at=created + 24 * h,
            done_at=created + done_h * h,
            closed_at=created + (done_h + 1) * h,
            assignee=org.assignee,
        )

    done("T1", 10, 1, 20)
    done("T2", 10, 3, 30)
    done("T3", 9, 1, 10)
    done("T4", 9, 1, 40)
    created = now - timedelta(days=8)
    tasks["T5"] = make_task(
        org,
        support,
        "T5",
        state="in_progress",
        created=created,
        accept_due_at=created + 2 * h,
        accepted_at=created + h,
        due_at=now - timedelta(days=1),
        assignee=org.assignee,
        estimate_hours=Decimal(8),
    )
    tasks["T6"] = make_task(
        org, support, "T6", state="pending_acceptance", created=now - timedelta(days=2), accept_due_at=now - h
    )
    tasks["T7"] = make_task(org, support, "T7", state="pending_acceptance", created=now - 12 * h, accept_due_at=now + h)
    tasks["T8"] = make_task(
        org,
        support,
        "T8",
        state="in_progress",
        created=now - timedelta(days=3),
        requester=org.outsider,
        requesting_department=org.hr,
        confidential=True,
        title="保密的采购",
    )
    for task, action, reason in [
        (tasks["T2"], TaskAction.REOPENED, "quality"),
        (tasks["T4"], TaskAction.REOPENED, "quality"),
        (tasks["T5"], TaskAction.RETURNED, "incomplete"),
        (tasks["T5"], TaskAction.PROGRESS, ""),
    ]:
        log_action(task, actor=None, action=action, reason=reason)
    return tasks
