"""Markup that is the same for every person and every request, rendered once per process.

The navigation's links and the empty forms of a request page (a note, a reason, a comment) cost
a millisecond or more each time the template engine or crispy-forms builds them, and they come
out identical every time in a given language. `once` keeps what was built, keyed by what it
depends on: the caller's key plus the language, the address prefix and the URLconf. Nothing that
differs per person or per request (names, counts, CSRF tokens, typed values) may go through it.
"""

from collections.abc import Callable

from django.urls import get_script_prefix, get_urlconf
from django.utils.translation import get_language

_built: dict[tuple, str] = {}
LIMIT = 512  # a handful of languages × fragments × flags; a bound all the same


def once(key: tuple, build: Callable[[], str]) -> str:
    full = (key, get_language(), get_script_prefix(), get_urlconf())
    html = _built.get(full)
    if html is None:
        if len(_built) >= LIMIT:
            _built.clear()
        html = _built[full] = build()
    return html
