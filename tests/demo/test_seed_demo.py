"""seed_demo builds the guide's organisation, and running it twice duplicates nothing."""

import pytest
from django.core.management import call_command

from demo.organisation import DEMO_PASSWORD, DEPARTMENTS
from departments.models import CalendarDay, Delegation, Department, Membership, Skill, User, WorkCalendar

pytestmark = pytest.mark.django_db

CODES = [
    "sales",
    "production",
    "finance",
    "purchasing",
    "rnd",
    "marketing",
    "service",
    "tech",
    "aftersales",
    "office",
    "hr",
]


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (User, Department, Membership, Skill, CalendarDay, Delegation, WorkCalendar)
    }


def test_seed_builds_the_organisation_of_the_guide():
    call_command("seed_demo", quiet=True)
    assert [code for code, *_ in DEPARTMENTS] == CODES
    assert User.objects.count() >= 40
    for code in CODES:
        department = Department.objects.get(code=code)
        assert department.head.username == f"{code}_head"
        assert department.parent.code == "hq"
        assert department.memberships.filter(role=Membership.Role.MEMBER).exists()
        assert department.handles and department.handles_en
        for login in (f"{code}_head", f"{code}_staff1", f"{code}_staff2"):
            assert User.objects.get(username=login).check_password(DEMO_PASSWORD)
    assert Department.objects.get(code="sales").name == "销售部"
    leader = User.objects.get(username="leader")
    assert leader.can_sign_off and not leader.is_staff
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff and admin.check_password(DEMO_PASSWORD)
    # Everyone has exactly one primary department; one person is in two departments.
    assert not User.objects.exclude(memberships__is_primary=True).exists()
    assert User.objects.get(username="finance_head").memberships.count() == 2
    assert CalendarDay.objects.filter(kind=CalendarDay.Kind.HOLIDAY).count() >= 20
    assert CalendarDay.objects.filter(kind=CalendarDay.Kind.WORKDAY).exists()
    assert Delegation.objects.count() == 1
    # The seeded request types are published (the catalogue's version 1), their requests filed on it.
    from tasks.models import RequestType, Task

    purchase = RequestType.objects.get(code="purchase")
    assert purchase.current_version.number == 1
    assert purchase.current_version.published_by.username == "purchasing_head"
    from demo.requests import TYPES

    seeded = [code for (code, *_), *_ in TYPES]
    assert not RequestType.objects.filter(code__in=seeded, current_version__isnull=True).exists()
    assert not Task.objects.filter(request_type__code__in=seeded, type_version__isnull=True).exists()


def test_seed_twice_duplicates_nothing():
    call_command("seed_demo", quiet=True)
    first = counts()
    call_command("seed_demo", quiet=True)
    assert counts() == first


def test_seed_keeps_a_changed_password():
    call_command("seed_demo", quiet=True)
    user = User.objects.get(username="sales_staff1")
    user.set_password("my-own-password-2026")
    user.save()
    call_command("seed_demo", quiet=True)
    user.refresh_from_db()
    assert user.check_password("my-own-password-2026")


def test_seed_prints_the_logins(capsys):
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert DEMO_PASSWORD in out and "sales" in out and "<code>_head" in out


def test_seeded_people_can_log_in(client):
    call_command("seed_demo", quiet=True)
    response = client.post("/accounts/login/", {"username": "purchasing_staff2", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert "采购部" in client.get("/").content.decode()


def test_seed_has_a_document_in_every_state_and_a_routed_received_document():
    from documents.models import Document, IncomingDocument

    call_command("seed_demo", quiet=True)
    states = set(Document.objects.values_list("state", flat=True))
    assert states == set(Document.State.values)
    returned = Document.objects.get(title="关于研发样机测试安排的通知")
    assert returned.state == "draft" and returned.returned_version == 1 and returned.version == 2
    assert Document.objects.filter(number__isnull=False).count() == 3  # issued, distributed, archived
    incoming = IncomingDocument.objects.get()
    assert incoming.routes.count() == 2
    count = Document.objects.count()
    call_command("seed_demo", quiet=True)
    assert Document.objects.count() == count and IncomingDocument.objects.count() == 1
