"""Django's database sessions (collab_portal.sessions)."""

from django.contrib.sessions.backends import db

from collab_portal.sessions import KnownCharactersOnly


class SessionStore(KnownCharactersOnly, db.SessionStore):
    pass
