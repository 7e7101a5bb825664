"""Receivers of Django's signals for people."""

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from departments.services import user_set_language


@receiver(user_logged_in, dispatch_uid="departments.remember_language_at_sign_in")
def remember_language_at_sign_in(sender, request, user, **kwargs) -> None:
    """The language chosen on the login page (set_language keeps it in the language cookie) is
    the person's choice: keep it on their profile, which notifications and emails follow."""
    language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) if request is not None else None
    if language in dict(settings.LANGUAGES):
        user_set_language(user=user, language=language)
