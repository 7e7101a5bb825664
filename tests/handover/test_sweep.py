"""The reminder sweep reports steps left on deactivated accounts to the department's head, once a
day, linking to the hand-over page."""

from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine
from django.urls import reverse

from handover.models import OrphanReport
from notifications.models import Notification
from tasks import reminders
from tasks.tasks import sweep_reminders

SH = ZoneInfo("Asia/Shanghai")


def at(*args):
    return datetime(*args, tzinfo=SH)


def sweep(moment):
    with time_machine.travel(moment, tick=False):
        return reminders.sweep()


def deactivate(user):
    user.is_active = False  # as Django's admin does: no hand-over
    user.save(update_fields=["is_active"])


def test_orphans_reported_to_the_head_once_a_day(org, holder):
    assert sweep(at(2026, 12, 7, 10))["orphans"] == 0  # everyone who holds anything can act
    deactivate(holder.person)
    assert sweep(at(2026, 12, 7, 10, 5))["orphans"] == 1
    notice = Notification.objects.get(kind="handover.orphans")
    assert notice.recipient == org.purchasing_head
    assert notice.link == reverse("handover:page", args=[holder.person.username])
    assert holder.person.name in notice.message and "11" in notice.message
    assert sweep(at(2026, 12, 7, 15))["orphans"] == 0  # once a day
    assert sweep(at(2026, 12, 8, 9, 30))["orphans"] == 1  # and again the next working day
    assert Notification.objects.filter(kind="handover.orphans").count() == 2
    assert OrphanReport.objects.filter(person=holder.person).count() == 2


def test_head_who_cannot_act_is_passed_over(org, holder):
    deactivate(holder.person)
    deactivate(org.purchasing_head)
    with time_machine.travel(at(2026, 12, 7, 10), tick=False):
        sweep_reminders.apply()  # the beat's Celery task
    assert set(Notification.objects.filter(kind="handover.orphans").values_list("recipient", flat=True)) == {
        org.leader.pk
    }


def test_handed_over_person_is_not_reported(org, holder):
    from handover import services

    services.hand_over(
        person=holder.person,
        by=org.admin,
        default=org.purchasing_head,
        chosen={f"delegate-{holder.delegation.pk}": org.leader},
        deactivate=True,
    )
    assert sweep(at(2026, 12, 7, 10))["orphans"] == 0
    assert not Notification.objects.filter(kind="handover.orphans").exists()
