"""The sign-for (签收) reminder counts "a working day" on the calendar of each department that
owes the acknowledgement, and reaches it only in its own working hours."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from departments.models import CalendarDay
from documents import services
from documents.models import Acknowledgement, Document
from tests.documents.test_more import make

SH = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


def at(*args):
    return datetime(*args, tzinfo=SH)


def reminded(document) -> dict[str, datetime | None]:
    rows = Acknowledgement.objects.filter(document=document).select_related("department")
    return {row.department.code: row.reminded_at for row in rows}


def test_each_department_is_reminded_a_working_day_of_its_own_after_distribution(org):
    CalendarDay.objects.create(date=date(2026, 12, 2), kind="holiday", department=org.hr)  # 人力资源部 off Wednesday
    document = make(org, recipient_departments=[org.purchasing, org.hr])
    services.document_submit(document=document, by=org.requester)
    services.document_review(document=document, by=org.sales_head, agree=True)
    services.document_sign_off(document=document, by=org.leader)
    with time_machine.travel(at(2026, 12, 1, 10), tick=False):
        Document.objects.filter(pk=document.pk).update(issued_at=timezone.now())
        services.document_distribute(document=document, by=org.requester)
    with time_machine.travel(at(2026, 12, 2, 11), tick=False):
        assert services.remind_unacknowledged() == 1
    assert reminded(document) == {"purchasing": at(2026, 12, 2, 11), "hr": None}
    with time_machine.travel(at(2026, 12, 3, 10), tick=False):
        # 人力资源部's working day since Tuesday 10:00 ended at 10:00 today; 采购部's next one has not.
        assert services.remind_unacknowledged() == 1
    assert reminded(document) == {"purchasing": at(2026, 12, 2, 11), "hr": at(2026, 12, 3, 10)}
