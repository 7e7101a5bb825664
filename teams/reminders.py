"""Periodic team work (Celery beat, see collab_portal/celery.py): meetings from each cadence,
reminders before meetings, and each team's daily progress e-mail. Every job is idempotent: a
meeting is reminded once (claimed with a conditional UPDATE), a team's daily e-mail goes out once
a day (a unique row per team and day, and unique outbox keys)."""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.services import notify, site_link
from teams.models import DailyDigestSent, Meeting, Team

REMINDER_LEAD = timedelta(minutes=60)
DAILY_HOUR = 8  # the daily progress e-mail goes out from 08:00 local time on working days


def generate_meetings() -> int:
    """Keep four weeks of meetings scheduled for every open team with a cadence."""
    from departments.selectors import working_calendar
    from teams.services import meetings_generate

    calendar = working_calendar()
    teams = Team.objects.filter(state__in=[Team.State.PLANNING, Team.State.ACTIVE]).exclude(meeting_freq="")
    return sum(len(meetings_generate(team=team, calendar=calendar)) for team in teams)


def send_meeting_reminders(now=None) -> int:
    """Tell the attendees of each meeting starting within the next hour, once."""
    now = now or timezone.now()
    due = Meeting.objects.filter(
        status=Meeting.Status.SCHEDULED,
        reminded_at__isnull=True,
        starts_at__gt=now,
        starts_at__lte=now + REMINDER_LEAD,
        team__state__in=[Team.State.PLANNING, Team.State.ACTIVE],
    ).values_list("pk", flat=True)
    sent = 0
    for pk in list(due):
        with transaction.atomic():
            if Meeting.objects.filter(pk=pk, reminded_at__isnull=True).update(reminded_at=now) != 1:
                continue  # another worker got it
            meeting = Meeting.objects.select_related("team").get(pk=pk)
            people = [a.user for a in meeting.attendance.select_related("user") if a.user.is_active]
            when = timezone.localtime(meeting.starts_at)
            notify(
                people,
                path=f"/teams/{meeting.team_id}/meetings/{meeting.pk}/",
                actor=None,
                kind="meeting.reminder",
                message=lambda m=meeting, w=when: (
                    _("Reminder: team “%(team)s” meets at %(time)s%(place)s.")
                    % {
                        "team": m.team.name,
                        "time": w.strftime("%H:%M"),
                        "place": f" ({m.location})" if m.location else "",
                    }
                ),
            )
            sent += 1
    return sent


def send_daily_progress(now=None) -> int:
    """Each active team with the daily e-mail on: the bell for every member and, for those who
    take team e-mail, the full progress (each department, overdue items, upcoming milestones).
    From 08:00 on a working day of each person's own department; once per team and day."""
    from departments.selectors import home_department_ids, working_calendar, working_calendars
    from teams.selectors import daily_progress
    from teams.services import team_people

    now = now or timezone.now()
    local = timezone.localtime(now)
    today = local.date()
    if local.hour < DAILY_HOUR or not any(c.is_working_day(today) for c in working_calendars().every()):
        return 0
    sent = 0
    for team in Team.objects.filter(state=Team.State.ACTIVE, daily_email=True).select_related("lead"):
        try:
            with transaction.atomic():
                DailyDigestSent.objects.create(team=team, day=today)
                people = team_people(team)
                homes = home_department_ids(people)
                people = [p for p in people if working_calendar(homes.get(p.pk)).is_working_day(today)]
                _send_daily(team, today, daily_progress(team), people)
        except IntegrityError:
            continue  # already sent today
        sent += 1
    return sent


def _send_daily(team: Team, today, progress: dict, people) -> None:
    path = f"/teams/{team.pk}/"
    overdue = len(progress["overdue_requests"]) + len(progress["overdue_milestones"]) + len(progress["overdue_actions"])

    def summary() -> str:
        return _("Daily progress of team “%(team)s”: %(overdue)s overdue, %(upcoming)s milestone(s) due soon.") % {
            "team": team.name,
            "overdue": overdue,
            "upcoming": len(progress["upcoming_milestones"]),
        }

    def email(person) -> tuple[str, str, str]:
        """The full progress, for those who take team e-mail (in their language)."""
        context = {"user": person, "team": team, "day": today, "link": site_link(path), **progress}
        return (
            render_to_string("teams/emails/daily-subject.txt", context),
            render_to_string("teams/emails/daily-body.txt", context),
            render_to_string("teams/emails/daily-body.html", context),
        )

    notify(people, kind="team.daily", message=summary, path=path, email=email)
