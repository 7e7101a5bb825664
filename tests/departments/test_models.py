"""Invariants of the organisation, in forms and in the database behind them."""

from datetime import date, time

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import translation

from departments.models import CalendarDay, Delegation, Department, Membership, WorkCalendar
from departments.selectors import delegate_for, working_calendar
from tests.factories import DepartmentFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_department_cannot_be_its_own_parent_in_the_database():
    department = DepartmentFactory()
    department.parent_id = department.pk
    with pytest.raises(IntegrityError), transaction.atomic():
        department.save()


def test_department_cannot_be_its_own_ancestor_in_forms():
    top = DepartmentFactory(code="top")
    middle = DepartmentFactory(code="middle", parent=top)
    bottom = DepartmentFactory(code="bottom", parent=middle)
    top.parent = bottom
    with pytest.raises(ValidationError) as excinfo:
        top.full_clean()
    assert "parent" in excinfo.value.message_dict
    assert "ancestor" in excinfo.value.message_dict["parent"][0]
    top.parent = top
    with pytest.raises(ValidationError):
        top.full_clean()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the cycle trigger is PostgreSQL's")
def test_department_cycle_refused_by_postgresql_trigger():
    top = DepartmentFactory(code="top")
    middle = DepartmentFactory(code="middle", parent=top)
    bottom = DepartmentFactory(code="bottom", parent=middle)
    with pytest.raises(IntegrityError), transaction.atomic():
        Department.objects.filter(pk=top.pk).update(parent=bottom)
    top.refresh_from_db()
    assert top.parent_id is None


def test_ancestors_nearest_first():
    top = DepartmentFactory(code="top")
    middle = DepartmentFactory(code="middle", parent=top)
    bottom = DepartmentFactory(code="bottom", parent=middle)
    assert bottom.ancestors() == [middle, top]


def test_delegation_cannot_be_to_oneself():
    person = UserFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Delegation.objects.create(
            delegator=person, delegate=person, starts_on=date(2026, 1, 1), ends_on=date(2026, 1, 2)
        )
    with pytest.raises(ValidationError, match="oneself"):
        Delegation(delegator=person, delegate=person, starts_on=date(2026, 1, 1), ends_on=date(2026, 1, 2)).full_clean()


def test_delegation_cannot_end_before_it_starts():
    a, b = UserFactory(), UserFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Delegation.objects.create(delegator=a, delegate=b, starts_on=date(2026, 1, 5), ends_on=date(2026, 1, 4))
    with pytest.raises(ValidationError, match="before it starts"):
        Delegation(delegator=a, delegate=b, starts_on=date(2026, 1, 5), ends_on=date(2026, 1, 4)).full_clean()


def test_delegate_for_respects_dates_and_ending():
    a, b = UserFactory(), UserFactory()
    delegation = Delegation.objects.create(
        delegator=a, delegate=b, starts_on=date(2026, 3, 2), ends_on=date(2026, 3, 6)
    )
    assert delegate_for(a, date(2026, 3, 1)) is None
    assert delegate_for(a, date(2026, 3, 2)) == b
    assert delegate_for(a, date(2026, 3, 6)) == b
    assert delegate_for(a, date(2026, 3, 7)) is None
    assert delegate_for(b, date(2026, 3, 3)) is None
    delegation.is_active = False
    delegation.save()
    assert delegate_for(a, date(2026, 3, 3)) is None


def test_a_day_cannot_be_both_holiday_and_workday():
    CalendarDay.objects.create(date=date(2026, 10, 1), kind=CalendarDay.Kind.HOLIDAY, name="国庆节")
    with pytest.raises(IntegrityError), transaction.atomic():
        CalendarDay.objects.create(date=date(2026, 10, 1), kind=CalendarDay.Kind.WORKDAY)
    with pytest.raises(ValidationError, match="both holiday and workday"):
        CalendarDay(date=date(2026, 10, 1), kind=CalendarDay.Kind.WORKDAY).full_clean()


def test_calendar_day_kind_checked_by_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        CalendarDay.objects.create(date=date(2026, 10, 2), kind="party")


def test_work_calendar_periods_must_be_ordered():
    with pytest.raises(IntegrityError), transaction.atomic():
        WorkCalendar.objects.create(morning_start=time(12), morning_end=time(9))
    with pytest.raises(ValidationError):
        WorkCalendar(workdays="1189").full_clean()


def test_one_primary_department_per_person():
    person = UserFactory()
    MembershipFactory(user=person, is_primary=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipFactory(user=person, is_primary=True)
    MembershipFactory(user=person, is_primary=False)  # a second, non-primary department is fine
    assert person.memberships.count() == 2


def test_membership_unique_per_department():
    membership = MembershipFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=membership.user, department=membership.department, is_primary=False)


def test_primary_department_prefers_primary_flag():
    person = UserFactory()
    MembershipFactory(user=person, is_primary=False, department=DepartmentFactory(code="second"))
    primary = MembershipFactory(user=person, is_primary=True, department=DepartmentFactory(code="first"))
    assert person.primary_department == primary.department


def test_working_calendar_from_database():
    WorkCalendar.objects.create(
        pk=1,
        morning_start=time(8, 30),
        morning_end=time(12),
        afternoon_start=time(13, 30),
        afternoon_end=time(17, 30),
        workdays="123456",
    )
    CalendarDay.objects.create(date=date(2026, 10, 1), kind=CalendarDay.Kind.HOLIDAY)
    CalendarDay.objects.create(date=date(2026, 10, 11), kind=CalendarDay.Kind.WORKDAY)
    cal = working_calendar()
    assert cal.hours_per_day == 7.5
    assert cal.is_working_day(date(2026, 10, 3))  # a Saturday, worked six days a week
    assert not cal.is_working_day(date(2026, 10, 1))
    assert cal.is_working_day(date(2026, 10, 11))  # a Sunday make-up day
    assert str(cal.tz) == "Asia/Shanghai"


def test_working_calendar_defaults_without_configuration():
    cal = working_calendar()
    assert cal.hours_per_day == 8
    assert cal.weekdays == frozenset({1, 2, 3, 4, 5})
