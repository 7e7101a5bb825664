"""Django's database sessions read through the cache (collab_portal.sessions)."""

from django.contrib.sessions.backends import cached_db

from collab_portal.sessions import KnownCharactersOnly


class SessionStore(KnownCharactersOnly, cached_db.SessionStore):
    pass
