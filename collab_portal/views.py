import sys

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError
from django.shortcuts import redirect, render
from django.template import loader
from django.templatetags.static import static
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language as django_set_language

from departments import selectors
from departments.services import user_set_language
from tasks import selectors as task_selectors


@login_required
def home(request):
    user = request.user
    return render(
        request,
        "home.html",
        {
            "memberships": selectors.memberships_of(user),
            "delegations": selectors.delegations_of(user),
            "board": task_selectors.dashboard(user),
        },
    )


@require_POST
def set_language(request):
    """Django's set_language, plus remembering the choice on the person's profile."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        user_set_language(user=request.user, language=language)
    return response


# Seconds a browser or proxy is told to wait before asking again while the database is away.
RETRY_AFTER_SECONDS = 30


def server_error(request):
    """handler500. When the error is the database being unreachable (a restart, a failover), the
    visitor gets a short "back in a moment" page with 503, which load balancers and people both
    read as "try again soon"; neither page reads the database to render (no context processors)."""
    error = sys.exc_info()[1]
    if isinstance(error, OperationalError | InterfaceError):
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return HttpResponseServerError(loader.render_to_string("500.html"))


@require_GET
@cache_control(max_age=24 * 3600)
def favicon(request):
    """Browsers ask for /favicon.ico by themselves: send them to the static icon (its hashed name
    changes with the file, so the redirect is temporary and cached for a day only)."""
    return redirect(static("favicon.ico"))
