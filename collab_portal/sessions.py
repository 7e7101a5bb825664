"""The session engine (SESSION_ENGINE): Django's database sessions, kept in collab_portal.Session
with the signed-in person's id as a column. Every page reads its session and then the person
(ModelBackend.get_user); here both come from one query compiled once per process
(collab_portal.prepared), and the person read with the session is handed to User.objects.get for
that one lookup (departments.models.PeopleManager), within the same request only."""

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.utils import timezone

from collab_portal.prepared import Prepared
from collab_portal.request_cache import claim, stash


def _in_force(*, key: str, now):
    from collab_portal.models import Session

    return Session.objects.filter(session_key=key, expire_date__gt=now).select_related("user")


_IN_FORCE = Prepared(_in_force)


def signed_in(pk: int):
    """The person read with this request's session, if it is `pk` (once: later lookups ask the database)."""
    return claim(("signed-in", pk))


_KEY_CHARS = frozenset(VALID_KEY_CHARS)


class SessionStore(db.SessionStore):
    def _validate_session_key(self, key):
        # Keys are made of VALID_KEY_CHARS; anything else in a cookie (a NUL byte, which
        # PostgreSQL refuses in text) is no session rather than a failed query.
        return bool(key) and len(key) >= 8 and _KEY_CHARS.issuperset(key)

    @classmethod
    def get_model_class(cls):
        from collab_portal.models import Session

        return Session

    def _get_session_from_db(self):
        for session in _IN_FORCE(key=self.session_key, now=timezone.now()):
            if session.user is not None:
                stash(("signed-in", session.user.pk), session.user)
            return session
        self._session_key = None  # as Django's: an unknown or expired key starts a new session
        return None

    def create_model_instance(self, data):
        session = super().create_model_instance(data)
        try:
            session.user_id = int(data[SESSION_KEY])
        except (KeyError, TypeError, ValueError):
            session.user_id = None
        return session
