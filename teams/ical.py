"""A person's iCalendar feed: their teams' meetings and the due dates of open requests assigned
to or filed by them, built with the icalendar library."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from icalendar import Alarm, Calendar, Event

from teams.selectors import feed_events


def build_feed(user, request=None) -> bytes:
    def absolute(path: str) -> str:
        return request.build_absolute_uri(path) if request is not None else path

    with override(user.language or None):
        calendar = Calendar()
        calendar.add("prodid", "-//Collab Portal//teams//EN")
        calendar.add("version", "2.0")
        calendar.add("x-wr-calname", _("Collab Portal: %(name)s") % {"name": user.name})
        meetings, tasks = feed_events(user)
        now = timezone.now()
        for meeting in meetings:
            event = Event()
            event.add("uid", f"meeting-{meeting.pk}@collab-portal")
            event.add("dtstamp", now)
            event.add("dtstart", meeting.starts_at)
            event.add("dtend", meeting.ends_at)
            event.add("summary", _("Team meeting: %(team)s") % {"team": meeting.team.name})
            if meeting.location:
                event.add("location", meeting.location)
            if meeting.agenda:
                event.add("description", meeting.agenda)
            event.add("url", absolute(reverse("teams:meeting", args=[meeting.team_id, meeting.pk])))
            event.add("status", "CANCELLED" if meeting.status == meeting.Status.CANCELLED else "CONFIRMED")
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", event["summary"])
            alarm.add("trigger", timedelta(minutes=-15))
            event.add_component(alarm)
            calendar.add_component(event)
        for task in tasks:
            event = Event()
            event.add("uid", f"request-{task.pk}-due@collab-portal")
            event.add("dtstamp", now)
            event.add("dtstart", task.due_at)
            event.add("dtend", task.due_at + timedelta(minutes=30))
            event.add("summary", _("Due: %(number)s %(title)s") % {"number": task.number, "title": task.title})
            event.add("url", absolute(reverse("tasks:detail", args=[task.number])))
            calendar.add_component(event)
    return calendar.to_ical()
