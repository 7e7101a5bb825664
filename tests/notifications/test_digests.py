"""The daily digest: at each person's time on working days, once a day, with what the apps list
for them (here, the requests waiting on them), and nothing for someone nothing waits on."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from notifications import digests
from notifications.models import Delivery, NotificationPreference

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def at(*args):
    return datetime(*args, tzinfo=SH)


def test_daily_digest_contents_and_once_a_day(org, purchase, file_request, django_capture_on_commit_callbacks):
    with time_machine.travel(at(2026, 11, 30, 8), tick=False):
        task = file_request(purchase, title="演示机采购")
    with time_machine.travel(at(2026, 11, 30, 8, 0), tick=False):
        assert digests.send_digests() == 0  # before 8:30
    with time_machine.travel(at(2026, 11, 30, 8, 31), tick=False), django_capture_on_commit_callbacks(execute=True):
        count = digests.send_digests()
    assert count >= 2  # the approver and the requester
    digest = Delivery.objects.get(kind="digest", recipient=org.sales_head)
    assert "演示机采购" in digest.body and "演示机采购" in digest.html
    assert "待我审批" in digest.body
    # Each item links to its page on the site: the requests app names the path, this app the site.
    link = f"http://127.0.0.1:8000/requests/{task.number}/"
    assert f"- {task.number} 演示机采购 · {link}" in digest.body
    assert f'<a href="{link}">{task.number}</a> 演示机采购' in digest.html
    assert any(m.to == [org.sales_head.email] and "演示机采购" in m.body for m in mail.outbox)
    with time_machine.travel(at(2026, 11, 30, 15), tick=False):
        assert digests.send_digests() == 0
    with time_machine.travel(at(2026, 12, 5, 9), tick=False):
        assert digests.send_digests() == 0  # Saturday
    assert Delivery.objects.filter(kind="digest", recipient=org.outsider).count() == 0  # nothing waits on them


def test_digest_time_and_opt_out(org, purchase, file_request):
    NotificationPreference.objects.create(user=org.sales_head, digest_time="10:00")
    NotificationPreference.objects.create(user=org.requester, digest_enabled=False)
    with time_machine.travel(at(2026, 11, 30, 9), tick=False):
        file_request(purchase)
        digests.send_digests()
    assert not Delivery.objects.filter(kind="digest").exists()
    with time_machine.travel(at(2026, 11, 30, 10, 1), tick=False):
        digests.send_digests()
    assert list(Delivery.objects.filter(kind="digest").values_list("recipient__username", flat=True)) == ["sales_head"]


def test_the_digest_follows_the_working_days_of_the_persons_department(org, purchase, support, file_request):
    """销售部 works on Saturday 5 December, 采购部 is off on Monday 7 December: each person's
    digest comes on their own department's working days."""
    from departments.models import CalendarDay

    CalendarDay.objects.create(date=at(2026, 12, 5, 0).date(), kind="workday", department=org.sales)
    CalendarDay.objects.create(date=at(2026, 12, 7, 0).date(), kind="holiday", department=org.purchasing)
    with time_machine.travel(at(2026, 12, 4, 8), tick=False):
        file_request(purchase, title="演示机采购")  # waits on 销售部's head
        file_request(support, title="咨询价格")  # waits on 采购部's managers

    def sent_on(day: str) -> set[str]:
        return set(
            Delivery.objects.filter(kind="digest", key__endswith=day).values_list("recipient__username", flat=True)
        )

    for day in (5, 7, 8):
        with time_machine.travel(at(2026, 12, day, 9), tick=False):
            digests.send_digests()
    assert "sales_head" in sent_on("2026-12-05") and "purchasing_head" not in sent_on("2026-12-05")
    assert "sales_head" in sent_on("2026-12-07") and "purchasing_head" not in sent_on("2026-12-07")
    assert "purchasing_head" in sent_on("2026-12-08")
