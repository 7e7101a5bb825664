"""Facts about the signed-in person that a page asks for many times (the departments they belong
to or manage, for whom they act today) are read once per web request.

`RequestCacheMiddleware` opens a fresh cache for each request; outside a request (workers,
commands, tests calling services) nothing is cached. Only role facts go through it — never the
state of a request or document, which actions change.
"""

from collections.abc import Callable
from contextvars import ContextVar
from functools import wraps

_cache: ContextVar[dict | None] = ContextVar("request_cache", default=None)


def _key(value):
    """Model instances by class and pk (__class__: a lazy request.user counts as the User), the
    rest as they are."""
    if hasattr(value, "pk"):
        return ("pk", value.__class__.__name__, value.pk)
    return value


def per_request(function: Callable) -> Callable:
    """Memoise `function` for the current web request, by its arguments (model instances by pk)."""

    @wraps(function)
    def cached(*args, **kwargs):
        store = _cache.get()
        if store is None:
            return function(*args, **kwargs)
        key = (function.__qualname__, tuple(_key(a) for a in args), tuple(sorted(kwargs.items())))
        try:
            hash(key)
        except TypeError:
            return function(*args, **kwargs)
        if key not in store:
            store[key] = function(*args, **kwargs)
        value = store[key]
        return list(value) if isinstance(value, list) else value

    return cached


class RequestCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _cache.set({})
        try:
            return self.get_response(request)
        finally:
            _cache.reset(token)
