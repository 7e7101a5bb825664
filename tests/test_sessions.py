"""Sessions (collab_portal.sessions): each page reads the visitor's session and the signed-in person
in one query; what Django's sessions promise still holds (sign-out, deactivation, password change,
expiry), and the sessions of the previous version carry over."""

from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DjangoSessionStore
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from collab_portal.models import Session
from departments.models import User
from tests.conftest import login

pytestmark = pytest.mark.django_db


def test_signing_in_records_the_person_with_the_session(client, org):
    assert client.post("/accounts/login/", {"username": "requester", "password": org.password}).status_code == 302
    session = Session.objects.get(session_key=client.cookies["sessionid"].value)
    assert session.user == org.requester and session.get_decoded()[SESSION_KEY] == str(org.requester.pk)


def test_a_page_reads_the_session_and_the_person_in_one_query(client, org):
    login(client, org.requester)
    client.get("/requests/list/mine/")
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/requests/list/mine/")
    assert page.status_code == 200 and page.context["user"] == org.requester
    people = [q["sql"] for q in queries if 'FROM "departments_user"' in q["sql"]]
    sessions = [q["sql"] for q in queries if "collab_portal_session" in q["sql"]]
    assert len(sessions) == 1 and 'JOIN "departments_user"' in sessions[0]
    assert people == []


def test_the_person_read_with_the_session_serves_one_lookup_only(rf, org):
    """User.objects.get(pk=...) later in the same request reads the database again, so nothing a
    view changes on one copy shows up on another."""
    from collab_portal.request_cache import _cache
    from collab_portal.sessions import SessionStore

    store = SessionStore()
    store[SESSION_KEY] = str(org.requester.pk)
    store.create()
    token = _cache.set({})
    try:
        loaded = SessionStore(store.session_key)
        assert loaded[SESSION_KEY] == str(org.requester.pk)
        with CaptureQueriesContext(connection) as queries:
            first = User.objects.get(pk=org.requester.pk)
            second = User.objects.get(pk=org.requester.pk)
        assert first == second == org.requester and first is not second
        assert len(queries) == 1
    finally:
        _cache.reset(token)


def test_deactivated_signed_out_and_changed_password_sessions_sign_nobody_in(client, org):
    login(client, org.requester)
    assert client.get("/").status_code == 200
    User.objects.filter(pk=org.requester.pk).update(is_active=False)
    assert client.get("/").status_code == 302  # to the sign-in page
    User.objects.filter(pk=org.requester.pk).update(is_active=True)
    assert client.get("/").status_code == 200
    org.requester.set_password("another-pass-456")
    org.requester.save()
    assert client.get("/").status_code == 302  # the session's password hash no longer matches
    login(client, org.requester)
    client.post("/accounts/logout/")
    assert not Session.objects.filter(user=org.requester).exists()
    assert client.get("/").status_code == 302


def test_an_expired_session_signs_nobody_in(client, org):
    login(client, org.requester)
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    assert client.get("/").status_code == 302


def test_sessions_of_the_previous_version_carry_over(client, org):
    from importlib import import_module

    migration = import_module("collab_portal.migrations.0002_sessions_with_person")
    old = DjangoSessionStore()
    old[SESSION_KEY] = str(org.assignee.pk)
    old["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    old["_auth_user_hash"] = org.assignee.get_session_auth_hash()
    old.create()
    anonymous = DjangoSessionStore()
    anonymous["django_language"] = "en"
    anonymous.create()
    migration.carry_over(apps, None)
    assert Session.objects.get(session_key=old.session_key).user == org.assignee
    assert Session.objects.get(session_key=anonymous.session_key).user is None
    client.cookies["sessionid"] = old.session_key
    assert client.get("/").context["user"] == org.assignee


@pytest.mark.parametrize("key", ["abc\x00defghijk", "a" * 7, "' OR 1=1 --"])
def test_a_crafted_session_cookie_is_no_session(client, org, key):
    client.cookies["sessionid"] = key
    response = client.get("/")
    assert response.status_code == 302  # to the sign-in page, not an error
    assert client.get("/accounts/login/").status_code == 200
