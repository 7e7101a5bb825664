"""The sign-in audit trail: sign-ins (with how), failed sign-ins, lockouts and sign-outs, listed
and filtered in the admin for admins only."""

import pytest
from django.urls import reverse

from accounts.models import SecurityEvent
from tests.accounts import ldap_server
from tests.conftest import login

pytestmark = pytest.mark.django_db


SIGN_IN_KINDS = ("signed_in", "failed", "locked_out", "signed_out")


def kinds():
    rows = SecurityEvent.objects.filter(kind__in=SIGN_IN_KINDS).order_by("pk")
    return list(rows.values_list("kind", "method", "username", "user__username"))


def test_password_sign_in_failure_lockout_and_sign_out(client, org, settings):
    client.post(reverse("login"), {"username": "requester", "password": org.password}, REMOTE_ADDR="10.1.2.3")
    client.post(reverse("logout"))
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "requester", "password": "wrong"})
    events = kinds()
    assert events[:2] == [
        ("signed_in", "password", "requester", "requester"),
        ("signed_out", "", "requester", "requester"),
    ]
    # The last failure locks the login out (django-axes says so while the failure is recorded).
    assert sorted(events[2:]) == sorted(
        [("failed", "", "requester", None)] * settings.AXES_FAILURE_LIMIT + [("locked_out", "", "requester", None)]
    )
    first = SecurityEvent.objects.filter(kind__in=SIGN_IN_KINDS).order_by("pk").first()
    assert first.ip_address == "10.1.2.3"
    # The password typed is never kept.
    assert not SecurityEvent.objects.filter(username__icontains="wrong").exists()


def test_a_directory_sign_in_is_recorded_as_ldap(client, ldap_configured):
    client.post(reverse("login"), {"username": "li.lei", "password": ldap_server.PASSWORD})
    client.logout()
    client.post(reverse("login"), {"username": "li.lei", "password": "nope"})
    assert kinds() == [
        ("signed_in", "ldap", "li.lei", "li.lei"),
        ("signed_out", "", "li.lei", "li.lei"),
        ("failed", "", "li.lei", None),
    ]


def test_admins_list_and_filter_it_and_nobody_else_sees_it(client, org):
    client.post(reverse("login"), {"username": "requester", "password": org.password})
    client.logout()
    client.post(reverse("login"), {"username": "ghost", "password": "x"})
    url = reverse("admin:accounts_securityevent_changelist")
    login(client, org.requester)
    assert client.get(url).status_code == 302  # to the admin's login
    login(client, org.admin)
    page = client.get(url, {"kind__exact": "failed"})
    assert page.status_code == 200
    rows = list(page.context["cl"].result_list)
    assert [e.username for e in rows] == ["ghost"]
    assert client.get(reverse("admin:accounts_securityevent_add")).status_code == 403
    assert client.get(reverse("admin:accounts_directorysync_changelist")).status_code == 200


def events_of(user, since: int = 0) -> list[tuple[str, str]]:
    rows = SecurityEvent.objects.filter(username=user.username, pk__gt=since).order_by("pk")
    return list(rows.values_list("kind", "detail"))


def last_pk() -> int:
    return SecurityEvent.objects.order_by("pk").values_list("pk", flat=True).last() or 0


def test_a_password_change_on_the_page_is_recorded_and_a_rehash_is_not(client, org, settings):
    login(client, org.requester)
    start = last_pk()
    response = client.post(
        reverse("password_change"),
        {"old_password": org.password, "new_password1": "新的口令-2026-abc", "new_password2": "新的口令-2026-abc"},
    )
    assert response.status_code == 302, response.content[:500]
    assert ("password_changed", "") in events_of(org.requester, start)
    # A sign-in that only rehashes the stored password (a new hasher) records no change.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *settings.PASSWORD_HASHERS]
    client.logout()
    client.post(reverse("login"), {"username": "requester", "password": "新的口令-2026-abc"})
    assert [kind for kind, _detail in events_of(org.requester, start)].count("password_changed") == 1


def test_deactivation_admin_flags_and_roles_are_recorded(org):
    from departments.models import Membership

    person = org.assignee
    start = last_pk()
    person.is_active = False
    person.save()
    person.is_active = True
    person.is_staff = True
    person.save()
    membership = Membership.objects.get(user=person, department=org.purchasing)
    membership.role = Membership.Role.MANAGER
    membership.save()
    membership.save()  # nothing changed: nothing recorded
    org.purchasing.deputies.add(person)
    org.purchasing.head = person
    org.purchasing.save()
    membership.delete()
    person.last_login = None
    person.save(update_fields=["last_login"])  # a sign-in's save reads nothing and records nothing
    assert events_of(person, start) == [
        ("deactivated", ""),
        ("reactivated", ""),
        ("role_changed", "+is_staff"),
        ("role_changed", "purchasing: member → manager"),
        ("role_changed", "purchasing: ∅ → deputy"),
        ("role_changed", "purchasing: ∅ → head"),
        ("role_changed", "purchasing: manager → ∅"),
    ]
    assert ("role_changed", "purchasing: head → ∅") in events_of(org.purchasing_head, start)


def test_tokens_created_and_revoked_are_recorded_with_who(org):
    from api.services import token_create, token_revoke

    token, _secret = token_create(user=org.requester, name="ERP", scope="read", expires_in_days=30)
    token_revoke(token=token, by=org.admin)
    token_revoke(token=token, by=org.admin)  # already revoked: nothing more
    rows = SecurityEvent.objects.filter(user=org.requester, kind__startswith="token").order_by("pk")
    assert [(e.kind, e.actor.username) for e in rows] == [("token_created", "requester"), ("token_revoked", "admin")]
    assert all(e.detail == f"{token.prefix}… ERP" for e in rows)


def test_admins_export_the_trail_and_cannot_change_it(client, org):
    client.post(reverse("login"), {"username": "ghost", "password": "x"}, REMOTE_ADDR="10.9.8.7")
    login(client, org.admin)
    url = reverse("admin:accounts_securityevent_changelist")
    ids = [str(pk) for pk in SecurityEvent.objects.values_list("pk", flat=True)]
    response = client.post(url, {"action": "export_csv", "_selected_action": ids})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    assert "ghost" in text and "10.9.8.7" in text
    response = client.post(url, {"action": "export_xlsx", "_selected_action": ids})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    event = SecurityEvent.objects.get(username="ghost")
    client.post(url, {"action": "delete_selected", "_selected_action": ids, "post": "yes"})
    assert SecurityEvent.objects.filter(pk=event.pk).exists()
    change = reverse("admin:accounts_securityevent_change", args=[event.pk])
    client.post(change, {"username": "someone"})
    event.refresh_from_db()
    assert event.username == "ghost"
