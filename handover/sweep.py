"""The reminder sweep's report of orphaned steps: what deactivated people still hold (deactivated
in Django's admin, or by a directory sync, without a hand-over). Once a day per person, the head
of their department (or of the one above, when the head is the person or cannot act) is told, with
a link to the hand-over page."""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from departments.models import Membership, User
from departments.selectors import calendar_filter, home_department
from handover.models import OrphanReport
from handover.sources import held_by, inactive_holder_ids
from notifications.services import notify


def _head_for(person: User) -> User | None:
    membership = (
        Membership.objects.filter(user=person)
        .select_related("department__head", "department__parent")
        .order_by("-is_primary", "pk")
        .first()
    )
    department, seen = (membership.department if membership else None), set()
    while department is not None and department.pk not in seen:
        seen.add(department.pk)
        head = department.head
        if head is not None and head.pk != person.pk and head.is_active:
            return head
        department = department.parent
    return User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()


def report_orphans(now: datetime) -> int:
    """Tell the heads of departments whose deactivated people still hold steps; returns how many
    people were reported (each once a day)."""
    day = timezone.localdate(now)
    already = set(OrphanReport.objects.filter(day=day).values_list("person_id", flat=True))
    reported = 0
    # In the working hours of the person's own department (the sweep runs when any calendar works).
    working = calendar_filter("home", lambda calendar: Q() if calendar.is_working_moment(now) else None)
    people = User.objects.filter(pk__in=inactive_holder_ids() - already).alias(home=home_department()).filter(working)
    for person in people.order_by("pk"):
        items = held_by(person)
        if not items:
            continue
        head, count = _head_for(person), len(items)
        try:
            with transaction.atomic():
                OrphanReport.objects.create(person=person, day=day, head=head, items=count)
                notify(
                    [head],
                    kind="handover.orphans",
                    message=lambda p=person, n=count: (
                        _(
                            "%(name)s's account is deactivated but still holds %(count)s steps nobody can act on: "
                            "hand them over."
                        )
                        % {"name": p.name, "count": n}
                    ),
                    path=reverse("handover:page", args=[person.username]),
                )
        except IntegrityError:  # another sweep reported this person today
            continue
        reported += 1
    return reported
