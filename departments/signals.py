"""Receivers of Django's signals for people and the working calendar."""

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal, receiver

from departments.models import CalendarDay, WorkCalendar
from departments.selectors import calendars_changed
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


@receiver(post_save, sender=WorkCalendar, dispatch_uid="departments.calendar_saved")
@receiver(post_delete, sender=WorkCalendar, dispatch_uid="departments.calendar_deleted")
@receiver(post_save, sender=CalendarDay, dispatch_uid="departments.calendar_day_saved")
@receiver(post_delete, sender=CalendarDay, dispatch_uid="departments.calendar_day_deleted")
def calendar_changed(sender, **kwargs) -> None:
    """The cached calendars (departments.selectors.working_calendars) are read again."""
    calendars_changed()
