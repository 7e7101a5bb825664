"""The one role fact "may act for this holder today" (departments.selectors.acting_for) and the
rules of naming a delegate: anyone may, not to oneself, dates in order, the delegate at work, no
two people acting for each other; delegation goes one hop only."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from core.request_cache import RequestCacheMiddleware
from departments.models import Delegation
from departments.selectors import acting_for, holders_acting_for
from departments.services import DepartmentError, delegation_create
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_acting_for_follows_the_dates_and_the_active_flag(org):
    today = timezone.localdate()
    delegation = delegation_create(by=org.requester, delegate=org.assignee, starts_on=today, ends_on=today)
    assert acting_for(org.assignee, org.requester) and acting_for(org.assignee, org.requester.pk)
    assert not acting_for(org.requester, org.assignee)  # not the other way round
    assert not acting_for(org.assignee, org.assignee)
    delegation.is_active = False
    delegation.save()
    assert not acting_for(org.assignee, org.requester)
    Delegation.objects.create(
        delegator=org.requester, delegate=org.assignee, starts_on=today + timedelta(1), ends_on=today + timedelta(2)
    )
    assert holders_acting_for(org.assignee) == frozenset()


def test_one_hop_only(org):
    """A → B and B → C: C acts for B, not for A."""
    today = timezone.localdate()
    delegation_create(by=org.requester, delegate=org.assignee, starts_on=today, ends_on=today)
    delegation_create(by=org.assignee, delegate=org.outsider, starts_on=today, ends_on=today)
    assert holders_acting_for(org.outsider) == {org.assignee.pk}
    assert not acting_for(org.outsider, org.requester)


def test_the_role_fact_is_read_once_per_web_request(org, django_assert_num_queries):
    today = timezone.localdate()
    delegation_create(by=org.requester, delegate=org.assignee, starts_on=today, ends_on=today)

    def page(request):
        with django_assert_num_queries(1):
            for _ in range(5):
                assert acting_for(org.assignee, org.requester)
        return None

    RequestCacheMiddleware(page)(None)


@translation.override("en")
def test_naming_a_delegate_is_refused_with_a_reason(org):
    today = timezone.localdate()
    gone = UserFactory(username="gone", is_active=False)
    with pytest.raises(DepartmentError, match="deactivated"):
        delegation_create(by=org.requester, delegate=gone, starts_on=today, ends_on=today)
    with pytest.raises(DepartmentError):
        delegation_create(by=org.requester, delegate=org.requester, starts_on=today, ends_on=today)
    with pytest.raises(DepartmentError):
        delegation_create(by=org.requester, delegate=org.assignee, starts_on=today + timedelta(2), ends_on=today)
    delegation_create(by=org.requester, delegate=org.assignee, starts_on=today, ends_on=today + timedelta(5))
    # The other way round over overlapping days: both would wait on each other.
    with pytest.raises(DepartmentError, match="act for each other"):
        delegation_create(
            by=org.assignee, delegate=org.requester, starts_on=today + timedelta(3), ends_on=today + timedelta(9)
        )
    # After it, it is fine.
    delegation_create(
        by=org.assignee, delegate=org.requester, starts_on=today + timedelta(6), ends_on=today + timedelta(9)
    )
    assert Delegation.objects.count() == 2
