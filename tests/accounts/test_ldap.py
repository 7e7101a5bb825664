"""LDAP sign-in and the directory sync against a real slapd the tests start."""

import ldap
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.models import DirectorySync, ExternalIdentity
from core.models import ActionLog
from departments.models import Department, Membership, User
from tests.accounts import ldap_server
from tests.factories import DepartmentFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def sign_in(client, username, password=ldap_server.PASSWORD):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_a_new_person_signs_in_with_their_directory_password(client, ldap_configured):
    response = sign_in(client, "wang.fang")
    assert response.status_code == 302, response.content.decode()[:2000]
    person = User.objects.get(username="wang.fang")
    assert (person.display_name, person.email, person.employee_no, person.job_title) == (
        "王芳",
        "wang.fang@example.org",
        "E1001",
        "销售经理",
    )
    assert not person.has_usable_password()  # the directory keeps the password
    membership = person.memberships.get()
    assert (membership.department.code, membership.department.name) == ("sales", "销售部")
    assert membership.is_primary and membership.role == Membership.Role.MANAGER
    identity = person.external_identities.get()
    assert identity.source == "ldap" and identity.distinguished_name == f"uid=wang.fang,{ldap_server.PEOPLE}"
    assert ActionLog.objects.filter(object_id=person.pk, action="person.created_from_directory").count() == 1
    assert client.get("/").status_code == 200


def test_a_member_is_not_a_manager(client, ldap_configured):
    assert sign_in(client, "li.lei").status_code == 302
    membership = Membership.objects.get(user__username="li.lei")
    assert membership.department.code == "sales" and membership.role == Membership.Role.MEMBER


def test_wrong_directory_password_is_refused(client, ldap_configured):
    response = sign_in(client, "wang.fang", "not-the-password")
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert not User.objects.filter(username="wang.fang").exists()


def test_an_existing_person_is_matched_by_employee_number(client, ldap_configured):
    existing = UserFactory(username="wfang", employee_no="E1001")
    assert sign_in(client, "wang.fang").status_code == 302
    assert User.objects.filter(employee_no="E1001").count() == 1
    assert existing.external_identities.get().source == "ldap"


def test_ldap_off_means_the_directory_password_does_not_work(client, ldap_configured, settings):
    settings.LDAP_ENABLED = False
    assert sign_in(client, "wang.fang").status_code == 200
    assert not User.objects.filter(username="wang.fang").exists()


def test_a_directory_that_does_not_answer_is_a_failed_login_not_an_error(client, ldap_configured, settings):
    settings.LDAP_SERVER_URI = f"ldap://127.0.0.1:{ldap_server.free_port()}"
    response = sign_in(client, "wang.fang")
    assert response.status_code == 200 and response.context["form"].non_field_errors()


def test_password_login_for_admins_only(client, ldap_configured, settings, org):
    settings.PASSWORD_LOGIN = "admins-only"
    refused = client.post(reverse("login"), {"username": "requester", "password": org.password})
    assert refused.status_code == 200
    assert "administrators only" in str(refused.context["form"].non_field_errors()) or "管理员" in str(
        refused.context["form"].non_field_errors()
    )
    assert client.get("/").status_code == 302
    # The directory's people still sign in on the same form, and so do admins with a password.
    assert sign_in(client, "li.lei").status_code == 302
    client.logout()
    assert client.post(reverse("login"), {"username": "admin", "password": org.password}).status_code == 302


def test_dry_run_prints_and_changes_nothing(ldap_configured, capsys):
    call_command("sync_directory", "--dry-run")
    out = capsys.readouterr().out
    assert "would: department sales created: 销售部" in out
    assert "would: person wang.fang created" in out
    assert "4 in the directory, 4 created" in out
    assert not User.objects.exists() and not Department.objects.exists()
    run = DirectorySync.objects.get()
    assert run.dry_run and run.status == "done" and run.people_created == 4 and run.departments_created == 2


def test_sync_creates_moves_renames_and_deactivates(ldap_configured):
    # An admin's department already exists; its group will rename it.
    DepartmentFactory(code="rnd", name="研发中心")
    call_command("sync_directory")
    first = DirectorySync.objects.get()
    assert (first.people_created, first.departments_created, first.departments_renamed) == (4, 1, 1)
    assert Department.objects.get(code="rnd").name == "研发部"
    han = User.objects.get(username="han.mei")
    assert not han.memberships.exists()  # in no department group
    zhao = User.objects.get(username="zhao.min")
    assert zhao.primary_department.code == "rnd"

    # In the directory: 赵敏 moves to sales with a new title, a department appears, 销售部 is renamed,
    # 李雷 leaves the organisation.
    admin = ldap_configured.admin()
    zhao_dn = f"uid=zhao.min,{ldap_server.PEOPLE}".encode()
    admin.add_s(
        f"cn=support,{ldap_server.DEPARTMENTS}",
        [
            ("objectClass", [b"groupOfNames"]),
            ("cn", [b"support"]),
            ("description", ["客服部".encode()]),
            ("member", [f"uid=han.mei,{ldap_server.PEOPLE}".encode()]),
        ],
    )
    admin.modify_s(
        f"cn=sales,{ldap_server.DEPARTMENTS}",
        [(ldap.MOD_ADD, "member", [zhao_dn]), (ldap.MOD_REPLACE, "description", ["销售中心".encode()])],
    )
    admin.modify_s(
        f"cn=rnd,{ldap_server.DEPARTMENTS}",
        [(ldap.MOD_ADD, "member", [f"uid=han.mei,{ldap_server.PEOPLE}".encode()])],
    )
    admin.modify_s(f"cn=rnd,{ldap_server.DEPARTMENTS}", [(ldap.MOD_DELETE, "member", [zhao_dn])])
    admin.modify_s(zhao_dn.decode(), [(ldap.MOD_REPLACE, "title", ["销售工程师".encode()])])
    admin.delete_s(f"uid=li.lei,{ldap_server.PEOPLE}")
    admin.modify_s(
        f"cn=sales,{ldap_server.DEPARTMENTS}",
        [(ldap.MOD_DELETE, "member", [f"uid=li.lei,{ldap_server.PEOPLE}".encode()])],
    )
    admin.unbind_s()

    call_command("sync_directory")
    second = DirectorySync.objects.first()
    assert second.pk != first.pk and second.status == "done"
    assert (second.people_seen, second.people_created, second.people_deactivated) == (3, 0, 1)
    assert (second.departments_created, second.departments_renamed) == (1, 1)
    assert Department.objects.get(code="sales").name == "销售中心"
    zhao.refresh_from_db()
    assert zhao.job_title == "销售工程师"
    assert [m.department.code for m in zhao.memberships.all()] == ["sales"]
    assert zhao.primary_membership.title == "销售工程师"
    assert ActionLog.objects.filter(object_id=zhao.pk, action="person.moved_by_directory").exists()
    han.refresh_from_db()
    assert sorted(m.department.code for m in han.memberships.all()) == ["rnd", "support"]
    assert han.memberships.filter(is_primary=True).count() == 1
    li = User.objects.get(username="li.lei")  # kept, with their history, but cannot act
    assert not li.is_active
    assert ActionLog.objects.filter(object_id=li.pk, action="person.deactivated_by_directory").count() == 1
    assert "person li.lei deactivated" in second.changes

    # A third run finds nothing to do, and a person gone can no longer sign in.
    call_command("sync_directory")
    third = DirectorySync.objects.first()
    assert (third.people_created, third.people_updated, third.people_deactivated) == (0, 0, 0)
    assert third.changes == ""


def test_sync_never_touches_people_the_directory_does_not_know(ldap_configured, org):
    call_command("sync_directory")
    org.requester.refresh_from_db()
    assert org.requester.is_active
    assert org.requester.memberships.get().department == org.sales  # the portal's own sales department
    assert not ExternalIdentity.objects.filter(user=org.requester).exists()


def test_a_deactivated_person_is_signed_out(client, ldap_configured):
    assert sign_in(client, "li.lei").status_code == 302
    assert client.get("/").status_code == 200
    admin = ldap_configured.admin()
    admin.delete_s(f"uid=li.lei,{ldap_server.PEOPLE}")
    admin.unbind_s()
    call_command("sync_directory")
    assert client.get("/").status_code == 302  # their session no longer signs them in
    assert sign_in(client, "li.lei").status_code == 200


def test_a_directory_that_cannot_be_read_fails_the_run_and_changes_nothing(ldap_configured, settings, org):
    settings.LDAP_BIND_PASSWORD = "wrong"
    with pytest.raises(CommandError, match="cannot be read"):
        call_command("sync_directory")
    run = DirectorySync.objects.get()
    assert run.status == "failed" and "Invalid credentials" in run.error
    assert User.objects.filter(is_active=False).count() == 0


def test_an_empty_directory_deactivates_nobody(ldap_configured, settings):
    call_command("sync_directory")
    settings.LDAP_PEOPLE_FILTER = "(uid=nobody-by-this-name)"
    with pytest.raises(CommandError, match="lists nobody"):
        call_command("sync_directory")
    assert not User.objects.filter(is_active=False).exists()


def test_people_with_a_manager_membership_from_the_admin_keep_it(ldap_configured):
    sales = DepartmentFactory(code="sales", name="销售部")
    li = UserFactory(username="li.lei")
    sales.head = li
    sales.save()
    MembershipFactory(user=li, department=sales, role=Membership.Role.MANAGER)
    call_command("sync_directory")
    assert Membership.objects.get(user=li).role == Membership.Role.MANAGER


SERVICE_DN = f"cn=portal,{ldap_server.SUFFIX}"
SERVICE_PASSWORD = "portal-service-secret"


def test_a_directory_that_answers_two_entries_a_search_is_read_in_pages(settings):
    """As Active Directory answers at most 1,000 entries to a search that does not page: a service
    account limited to two entries a search still reads the whole directory, two at a time."""
    import ldap

    from accounts.directory import Directory

    if not ldap_server.available():
        pytest.skip("no slapd: `make ldap` installs it (apt-get install slapd ldap-utils)")
    limits = f'limits dn.exact="{SERVICE_DN}" size.soft=2 size.hard=2 size.prtotal=unlimited\n'
    server = ldap_server.Slapd().start(ldap_server.organisation(), database=limits)
    try:
        admin = server.admin()
        admin.add_s(
            SERVICE_DN,
            [
                ("objectClass", [b"organizationalRole", b"simpleSecurityObject"]),
                ("cn", [b"portal"]),
                ("userPassword", [SERVICE_PASSWORD.encode()]),
            ],
        )
        settings.LDAP_SERVER_URI, settings.LDAP_BIND_DN = server.uri, SERVICE_DN
        settings.LDAP_BIND_PASSWORD, settings.LDAP_USER_BASE = SERVICE_PASSWORD, ldap_server.PEOPLE
        settings.LDAP_DEPARTMENT_BASE, settings.LDAP_ENABLED = ldap_server.DEPARTMENTS, True
        settings.LDAP_PAGE_SIZE = 2
        plain = ldap.initialize(server.uri)
        plain.simple_bind_s(SERVICE_DN, SERVICE_PASSWORD)
        with pytest.raises(ldap.SIZELIMIT_EXCEEDED):  # the limit is real
            plain.search_s(ldap_server.PEOPLE, ldap.SCOPE_SUBTREE, "(objectClass=inetOrgPerson)")
        with Directory() as directory:
            people = directory.people()
        assert sorted(p.username for p in people) == ["han.mei", "li.lei", "wang.fang", "zhao.min"]
    finally:
        server.stop()
