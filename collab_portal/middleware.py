"""Refusing addresses no page can answer before a view reads them."""

from django.http import Http404


class NulPathMiddleware:
    """An address with a NUL character (%00) names nothing: 404 before any view runs; a NUL in a
    header is dropped.

    PostgreSQL refuses NUL in text, so a NUL taken from the address into a lookup (a request's
    number, a login, a calendar token, an admin object id) was an error instead of "not found".
    No stored value holds one, so refusing the whole address here answers every URL pattern at
    once, the ones to come included. Runs after the authentication and message middleware so
    that the 404 page is the usual one. Headers are kept, without their NULs: the login throttle
    (django-axes) stores the browser's User-Agent and Accept with each failed sign-in."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path_info:
            raise Http404
        for name, value in request.META.items():
            if name.startswith("HTTP_") and "\x00" in value:
                request.META[name] = value.replace("\x00", "")
        return self.get_response(request)
