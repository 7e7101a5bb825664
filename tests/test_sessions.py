"""Sessions: Django's own engines (collab_portal.sessions). What Django's sessions promise holds
(sign-out, deactivation, password change, expiry), a crafted cookie is no session, and the
sessions of the previous version carry over."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from departments.models import User
from tests.conftest import login

pytestmark = pytest.mark.django_db


def test_the_engine_is_djangos_database_sessions_through_the_cache_with_redis():
    expected = "cached_db" if settings.REDIS_URL else "db"
    assert settings.SESSION_ENGINE == f"collab_portal.sessions.{expected}"


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
    key = client.cookies["sessionid"].value
    assert Session.objects.filter(session_key=key).exists()
    client.post("/accounts/logout/")
    assert not Session.objects.filter(session_key=key).exists()
    client.cookies["sessionid"] = key
    assert client.get("/").status_code == 302


def test_an_expired_session_signs_nobody_in(client, org):
    login(client, org.requester)
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    cache.clear()  # a cached session expires with its cache entry (its timeout is its age)
    assert client.get("/").status_code == 302


@pytest.mark.parametrize("key", ["abc\x00defghijk", "a" * 7, "' OR 1=1 --", "é" * 32])
def test_a_crafted_session_cookie_is_no_session(client, org, key):
    client.cookies["sessionid"] = key
    response = client.get("/")
    assert response.status_code == 302  # to the sign-in page, not an error
    assert client.get("/accounts/login/").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302


@pytest.mark.django_db(transaction=True)
def test_sessions_of_the_previous_version_carry_over(client):
    """Migration 0003 moves the live sessions from collab_portal.Session back to Django's table,
    replacing an older copy of the same key, and leaves the expired ones behind."""
    person = User.objects.create_user("carried", password="pass-123-abc")
    from django.contrib.sessions.backends.db import SessionStore

    data = SessionStore().encode(
        {
            SESSION_KEY: str(person.pk),
            "_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
            "_auth_user_hash": person.get_session_auth_hash(),
        }
    )
    stale = SessionStore().encode({"django_language": "en"})
    now = timezone.now()

    executor = MigrationExecutor(connection)
    before, after = (
        [("collab_portal", "0002_sessions_with_person")],
        [("collab_portal", "0003_sessions_back_to_django")],
    )
    executor.migrate(before)
    try:
        old = MigrationExecutor(connection).loader.project_state(before[0]).apps.get_model("collab_portal", "Session")
        old.objects.create(
            session_key="k" * 32, session_data=data, expire_date=now + timedelta(days=1), user_id=person.pk
        )
        old.objects.create(session_key="e" * 32, session_data=data, expire_date=now - timedelta(days=1))
        Session.objects.create(session_key="k" * 32, session_data=stale, expire_date=now + timedelta(days=1))
    finally:
        MigrationExecutor(connection).migrate(after)
    carried = Session.objects.get(session_key="k" * 32)
    assert carried.session_data == data and carried.get_decoded()[SESSION_KEY] == str(person.pk)
    assert not Session.objects.filter(session_key="e" * 32).exists()
    client.cookies["sessionid"] = "k" * 32
    assert client.get("/").context["user"] == person
