from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_POST
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
