"""Django's Redis cache, which a Redis that is down or restarting turns into a cache that misses.

Everything the portal keeps in the cache can be had again from the database: sessions (read
through the cache, kept in the database), unread counts, webhook subscriptions, the claims of the
schedule. So while Redis is away a read is a miss, a write is skipped with a warning, and pages go
on from the database, instead of every signed-in page failing on the session's cache read.

After a failure this process does not try Redis again for the broker's pause (core.broker.Breaker,
the same one publishing uses: one Redis), so a Redis host that does not answer at all costs a
request the connect timeout once per pause, not once per cache call.

What it cannot do: a write skipped while Redis was unreachable but still running (not restarted)
leaves what Redis held. Entries keyed by a version expire by themselves; a signed-out session's
cached copy lives until its expiry (docs/operations.md, "Redis").
"""

import logging

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from redis import RedisError

from core.broker import Breaker

log = logging.getLogger(__name__)


class RedisCache(DjangoRedisCache):
    """Django's RedisCache; each call answers a miss (or "not stored") while Redis is away."""

    def _try(self, operation: str, call, fallback):
        if Breaker.is_open():
            return fallback
        try:
            return call()
        except RedisError as exc:
            Breaker.trip()
            log.warning("cache unavailable (%s), going on without it: %s", operation, exc)
            return fallback

    def get(self, key, default=None, version=None):
        return self._try("get", lambda: super(RedisCache, self).get(key, default, version), default)

    def get_many(self, keys, version=None):
        return self._try("get_many", lambda: super(RedisCache, self).get_many(keys, version), {})

    def has_key(self, key, version=None):
        return self._try("has_key", lambda: super(RedisCache, self).has_key(key, version), False)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._try("add", lambda: super(RedisCache, self).add(key, value, timeout, version), False)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._try("set", lambda: super(RedisCache, self).set(key, value, timeout, version), None)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._try("touch", lambda: super(RedisCache, self).touch(key, timeout, version), False)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._try("set_many", lambda: super(RedisCache, self).set_many(data, timeout, version), list(data))

    def delete(self, key, version=None):
        return self._try("delete", lambda: super(RedisCache, self).delete(key, version), False)

    def delete_many(self, keys, version=None):
        self._try("delete_many", lambda: super(RedisCache, self).delete_many(keys, version), None)
