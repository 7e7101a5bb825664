"""The session engine (SESSION_ENGINE): Django's database sessions, with the one read every page
makes — the visitor's session by key — compiled once per process (collab_portal.prepared)."""

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.utils import timezone

from collab_portal.prepared import Prepared

_IN_FORCE = Prepared(lambda *, key, now: Session.objects.filter(session_key=key, expire_date__gt=now))


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        for session in _IN_FORCE(key=self.session_key, now=timezone.now()):
            return session
        self._session_key = None  # as Django's: an unknown or expired key starts a new session
        return None
