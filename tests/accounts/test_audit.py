"""The sign-in audit trail: sign-ins (with how), failed sign-ins, lockouts and sign-outs, listed
and filtered in the admin for admins only."""

import pytest
from django.urls import reverse

from accounts.models import SignInEvent
from tests.accounts import ldap_server
from tests.conftest import login

pytestmark = pytest.mark.django_db


def kinds():
    return list(SignInEvent.objects.order_by("pk").values_list("kind", "method", "username", "user__username"))


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
    first = SignInEvent.objects.order_by("pk").first()
    assert first.ip_address == "10.1.2.3"
    # The password typed is never kept.
    assert not SignInEvent.objects.filter(username__icontains="wrong").exists()


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
    url = reverse("admin:accounts_signinevent_changelist")
    login(client, org.requester)
    assert client.get(url).status_code == 302  # to the admin's login
    login(client, org.admin)
    page = client.get(url, {"kind__exact": "failed"})
    assert page.status_code == 200
    rows = list(page.context["cl"].result_list)
    assert [e.username for e in rows] == ["ghost"]
    assert client.get(reverse("admin:accounts_signinevent_add")).status_code == 403
    assert client.get(reverse("admin:accounts_directorysync_changelist")).status_code == 200
