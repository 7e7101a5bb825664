"""A request between 销售部 and 采购部 to disagree about, on top of the shared personas.

The arbiter is "chair", a leader with sign-off right outside both parties; the default mediator
of sales vs purchasing is the head of hq above both (leader).
"""

from decimal import Decimal

import pytest

from conflicts import services
from conflicts.models import ConflictSettings
from tasks import services as task_services
from tasks.models import RequestType
from tests.factories import UserFactory


@pytest.fixture
def chair(org):
    chair = UserFactory(username="chair", display_name="陈董", can_sign_off=True)
    ConflictSettings.objects.update_or_create(pk=1, defaults={"arbiter": chair})
    return chair


@pytest.fixture
def task(org):
    request_type = RequestType.objects.create(
        department=org.purchasing,
        code="support",
        name="咨询",
        name_en="Question",
        accept_sla_hours=Decimal(2),
        finish_sla_hours=Decimal(8),
    )
    return task_services.task_create(
        by=org.requester, request_type=request_type, title="交期太短", values={}, submit=True
    )


@pytest.fixture
def raise_conflict(org, task, chair):
    def make(by=None, departments=None, subject="交货期争议", position="客户要求两周内交货"):
        return services.conflict_raise(
            by=by or org.requester,
            task=task,
            departments=departments or [org.sales, org.purchasing],
            subject=subject,
            position=position,
        )

    return make
