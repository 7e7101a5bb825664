"""selectors._roles (one query for the person's roles) answers what these separate lookups
answer; task_for_page says which of its lists a request has."""

from datetime import timedelta

import pytest
from django.utils import timezone

from departments.models import Delegation, Department, Membership
from tasks import selectors, services
from tasks.models import Approval
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
    }


def test_roles_match_the_orm_for_every_kind_of_person(org, django_assert_num_queries):
    today = timezone.localdate()
    # A head with a second, ordinary membership; a deputy; a delegate with one delegation in force,
    # one ended, one switched off.
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

    people = [org.leader, org.admin, org.sales_head, org.sales_deputy, org.requester, org.assignee, org.outsider]
    for day in (today, today - timedelta(days=3)):
        for user in people:
            assert selectors._roles(user, day) == through_the_orm(user, day), (user.username, day)
    with django_assert_num_queries(1):  # every lookup in one round trip
        selectors._roles(org.requester, today)
    assert selectors.delegators_of(org.requester) == [org.purchasing_head.pk]
    assert selectors.managed_department_ids(org.sales_head) == [org.sales.pk]
    assert selectors.department_ids(org.sales_head) == sorted([org.sales.pk, org.hr.pk])


def test_the_request_pages_list_probe_matches_the_orm(org, in_state, file_request, support):
    """task_for_page's flags (which lists the request page shows) against EXISTS per list."""
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import Exists, OuterRef

    from conflicts.models import Conflict
    from core.models import GeneratedFile
    from documents.models import IncomingRoute
    from tasks.models import Attachment, Comment, HoldPeriod, Task

    this = OuterRef("pk")
    reference = {
        "approvals": Approval.objects.filter(task=this, round=OuterRef("approval_round")),
        "subtasks": Task.objects.filter(parent=this),
        "co_departments": Task.co_departments.through.objects.filter(task=this),
        "watchers": Task.watchers.through.objects.filter(task=this),
        "comments": Comment.objects.filter(task=this),
        "attachments": Attachment.objects.filter(task=this),
        "holds": HoldPeriod.objects.filter(task=this),
        "request_form": GeneratedFile.objects.filter(
            content_type=ContentType.objects.get_for_model(Task), object_id=this, kind="request_form"
        ),
        "incoming_route": IncomingRoute.objects.filter(task=this),
        "conflicts": Conflict.objects.filter(task=this),
    }
    assert set(reference) == set(selectors._page_lists())

    bare = file_request(support)
    busy = in_state("in_progress")
    busy.watchers.add(org.outsider)
    busy.co_departments.add(org.hr)
    services.task_comment(task=busy, by=org.requester, body="进度如何？")
    GeneratedFile.objects.create(
        content_type=ContentType.objects.get_for_model(Task), object_id=busy.pk, kind="request_form", version=1
    )
    held = in_state("on_hold")
    for task in (bare, busy, held):
        expected = Task.objects.annotate(**{f"has_{n}": Exists(rows) for n, rows in reference.items()}).get(pk=task.pk)
        got = selectors.task_for_page(org.admin, task.number).present
        assert got == {name: getattr(expected, f"has_{name}") for name in reference}, task.number
    assert selectors.task_for_page(org.admin, busy.number).present["watchers"] is True
    assert not any(
        selectors.task_for_page(org.admin, bare.number).present[n] for n in ("holds", "comments", "watchers")
    )


def test_managers_of_a_department_are_its_head_deputies_and_manager_members_who_are_active(org):
    from tasks.services import managers_of

    extra = MembershipFactory(department=org.sales, role=Membership.Role.MANAGER, is_primary=False).user
    gone = MembershipFactory(department=org.sales, role=Membership.Role.MANAGER, is_primary=False).user
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    MembershipFactory(user=org.sales_deputy, department=org.hr, role=Membership.Role.MANAGER, is_primary=False)
    # The head is also a manager member and the deputy a member: each person once, by login.
    expected = sorted([org.sales_head, org.sales_deputy, extra], key=lambda u: u.username)
    assert managers_of(org.sales) == expected
    assert managers_of(org.hr) == [org.sales_deputy]  # hr has no head; a manager member only
    assert managers_of(org.purchasing) == [org.purchasing_head]
