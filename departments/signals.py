"""Receivers of Django's signals for people."""

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import Signal, receiver

from departments.services import user_set_language


@receiver(user_logged_in, dispatch_uid="departments.remember_language_at_sign_in")
def remember_language_at_sign_in(sender, request, user, **kwargs) -> None:
    """The language chosen on the login page (set_language keeps it in the language cookie) is
    the person's choice: keep it on their profile, which notifications and emails follow."""
    language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) if request is not None else None
    if language in dict(settings.LANGUAGES):
        user_set_language(user=user, language=language)


# Sent by bulk writes that pass by save() and so by post_save (the organisation's workbook import),
# with `people`: the ids of the people they created or changed. What post_save keeps up to date for
# a person (the search index, in reports) follows from it.
people_changed_in_bulk = Signal()
