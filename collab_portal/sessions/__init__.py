"""Django's own session engines (SESSION_ENGINE: `cached_db` on the Redis cache, `db` without
one), refusing a cookie that no session key could be.

Django's check on a cookie's key is only its length, so a key with characters no session key has
reaches the session table, where PostgreSQL refuses a NUL byte in text with an error. Keys are
made of VALID_KEY_CHARS; a cookie with anything else is no session (and, being empty, the
session middleware deletes the cookie) rather than an error page."""

from django.contrib.sessions.backends.base import VALID_KEY_CHARS

_KEY_CHARS = frozenset(VALID_KEY_CHARS)


class KnownCharactersOnly:
    """Mixin for a session store: a key with a character no session key has is no key. The store is
    made with the cookie's value (SessionStore(session_key), as the session middleware makes it),
    so the value is checked there, before Django's own check of its length."""

    def __init__(self, session_key=None):
        if session_key is not None and not _KEY_CHARS.issuperset(session_key):
            session_key = None
        super().__init__(session_key)
