"""Personas shared by every test: a small organisation with people in each role.

hq (head: leader, who may sign off)
├── sales      (head: sales_head, deputy: sales_deputy, member: requester)
└── purchasing (head: purchasing_head, member: assignee)
outsider: member of hr, unrelated to the others
admin: superuser
"""

from types import SimpleNamespace

import pytest

from departments.models import Membership
from tests.factories import PASSWORD, DepartmentFactory, MembershipFactory, UserFactory


@pytest.fixture
def org(db):
    leader = UserFactory(username="leader", display_name="郑总", can_sign_off=True)
    admin = UserFactory(username="admin", display_name="管理员", is_staff=True, is_superuser=True)
    hq = DepartmentFactory(code="hq", name="公司总部", name_en="Headquarters", head=leader, accepts_requests=False)
    sales_head = UserFactory(username="sales_head", display_name="王经理")
    sales_deputy = UserFactory(username="sales_deputy", display_name="李副经理")
    requester = UserFactory(username="requester", display_name="张三")
    sales = DepartmentFactory(
        code="sales",
        name="销售部",
        name_en="Sales",
        parent=hq,
        head=sales_head,
        handles="签订合同",
        handles_en="Contracts",
    )
    sales.deputies.add(sales_deputy)
    purchasing_head = UserFactory(username="purchasing_head", display_name="赵经理")
    assignee = UserFactory(username="assignee", display_name="钱四")
    purchasing = DepartmentFactory(
        code="purchasing",
        name="采购部",
        name_en="Purchasing",
        parent=hq,
        head=purchasing_head,
        handles="采购申请",
        handles_en="Purchase requests",
    )
    hr = DepartmentFactory(code="hr", name="人力资源部", name_en="Human Resources", parent=hq)
    outsider = UserFactory(username="outsider", display_name="孙五")
    MembershipFactory(user=leader, department=hq, role=Membership.Role.MANAGER)
    MembershipFactory(user=sales_head, department=sales, role=Membership.Role.MANAGER)
    MembershipFactory(user=sales_deputy, department=sales, role=Membership.Role.MANAGER)
    MembershipFactory(user=requester, department=sales)
    MembershipFactory(user=purchasing_head, department=purchasing, role=Membership.Role.MANAGER)
    MembershipFactory(user=assignee, department=purchasing)
    MembershipFactory(user=outsider, department=hr)

    return SimpleNamespace(
        leader=leader,
        admin=admin,
        hq=hq,
        sales=sales,
        sales_head=sales_head,
        sales_deputy=sales_deputy,
        requester=requester,
        purchasing=purchasing,
        purchasing_head=purchasing_head,
        assignee=assignee,
        hr=hr,
        outsider=outsider,
        password=PASSWORD,
    )


def login(client, user):
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.fixture(autouse=True)
def broker_breaker_closed():
    """The broker circuit breaker is per process: a test that finds the broker down must not make
    the next test skip it."""
    from core.broker import Breaker

    Breaker.reset()
    yield
    Breaker.reset()


@pytest.fixture(autouse=True)
def default_language_afterwards():
    """A page asked for in English leaves English active in the thread (the locale middleware
    activates the request's language and nothing resets it); the next test starts in the default."""
    yield
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def calendars_read_afresh():
    """The working calendars are cached (departments.selectors.working_calendars): a test's calendar
    days are rolled back with its transaction, which no signal reports."""
    from django.core.cache import cache

    from departments.selectors import CALENDARS_KEY

    cache.delete(CALENDARS_KEY)
    yield
    cache.delete(CALENDARS_KEY)


@pytest.fixture(autouse=True)
def no_organisation_snapshot():
    """The organisation report's snapshot is kept in the cache (reports.snapshots), which outlives
    a test's rolled-back rows: each test starts without one."""
    from reports import snapshots

    snapshots.forget()
    yield
    snapshots.forget()
