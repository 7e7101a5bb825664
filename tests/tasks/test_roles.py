"""selectors._roles answers in one SQL statement what these ORM lookups answer one by one."""

from datetime import timedelta

import pytest
from django.utils import timezone

from departments.models import Delegation, Department, Membership
from tasks import selectors
from tasks.models import Notification
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def through_the_orm(user, day) -> dict[str, set[int]]:
    managed = set(
        Membership.objects.filter(user=user, role=Membership.Role.MANAGER).values_list("department", flat=True)
    )
    managed |= set(Department.objects.filter(head=user).values_list("pk", flat=True))
    managed |= set(Department.objects.filter(deputies=user).values_list("pk", flat=True))
    in_force = Delegation.objects.filter(delegate=user, is_active=True, starts_on__lte=day, ends_on__gte=day)
    return {
        "member": set(Membership.objects.filter(user=user).values_list("department", flat=True)),
        "manager": managed,
        "delegator": set(in_force.values_list("delegator", flat=True)),
        "unread": {Notification.objects.filter(recipient=user, read_at__isnull=True).count()},
    }


def test_roles_match_the_orm_for_every_kind_of_person(org):
    today = timezone.localdate()
    # A head with a second, ordinary membership; a deputy; a delegate with one delegation in force,
    # one ended, one switched off; someone with read and unread notifications.
    MembershipFactory(user=org.sales_head, department=org.hr, is_primary=False)
    Delegation.objects.create(delegator=org.purchasing_head, delegate=org.requester, starts_on=today, ends_on=today)
    Delegation.objects.create(
        delegator=org.sales_head,
        delegate=org.requester,
        starts_on=today - timedelta(days=5),
        ends_on=today - timedelta(days=1),
    )
    Delegation.objects.create(
        delegator=org.leader, delegate=org.requester, starts_on=today, ends_on=today, is_active=False
    )
    for read_at in (None, None, timezone.now()):
        Notification.objects.create(recipient=org.assignee, kind="task.comment", message="看一下", read_at=read_at)

    people = [org.leader, org.admin, org.sales_head, org.sales_deputy, org.requester, org.assignee, org.outsider]
    for day in (today, today - timedelta(days=3)):
        for user in people:
            assert selectors._roles(user, day) == through_the_orm(user, day), (user.username, day)
    assert selectors.unread_count(org.assignee) == 2 and selectors.unread_count(org.outsider) == 0
    assert selectors.delegators_of(org.requester) == [org.purchasing_head.pk]
    assert selectors.managed_department_ids(org.sales_head) == [org.sales.pk]
    assert selectors.department_ids(org.sales_head) == sorted([org.sales.pk, org.hr.pk])
