"""The iCalendar feed (parsed back with icalendar), its secret revocable URL; meeting reminders
(once, with time travel); the team's daily progress e-mail."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.utils import timezone
from icalendar import Calendar

from notifications.models import Delivery, Notification
from tasks import services as task_services
from teams import reminders, services
from teams.models import CalendarFeed, DailyDigestSent, Meeting, Milestone
from tests.conftest import login

TZ = ZoneInfo("Asia/Shanghai")


@time_machine.travel(datetime(2026, 11, 20, 9, 0, tzinfo=TZ), tick=False)
def test_feed_holds_meetings_and_request_due_dates(client, org, weekly, support):
    services.meetings_generate(team=weekly)
    link = services.team_request_file(team=weekly, by=org.requester, request_type=support, title="竞品调研")
    task_services.task_accept(task=link.task, by=org.purchasing_head, assignee=org.assignee)
    link.task.refresh_from_db()
    feed = services.feed_rotate(user=org.assignee)
    response = client.get(f"/calendar/{feed.token}.ics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    events = calendar.walk("VEVENT")
    meetings = [e for e in events if str(e["UID"]).startswith("meeting-")]
    dues = [e for e in events if str(e["UID"]).startswith("request-")]
    assert len(meetings) == 4
    first = meetings[0]
    assert first.decoded("DTSTART") == datetime(2026, 11, 23, 10, 0, tzinfo=TZ)
    assert weekly.name in str(first["SUMMARY"]) and str(first["LOCATION"]) == "3楼会议室"
    assert len(dues) == 1 and link.task.number in str(dues[0]["SUMMARY"])
    assert dues[0].decoded("DTSTART") == link.task.due_at
    # The outsider's feed has none of it.
    outsider_feed = services.feed_rotate(user=org.outsider)
    assert Calendar.from_ical(client.get(f"/calendar/{outsider_feed.token}.ics").content).walk("VEVENT") == []


def test_rotating_revokes_the_old_url(client, org):
    old = services.feed_rotate(user=org.requester).token
    assert client.get(f"/calendar/{old}.ics").status_code == 200
    login(client, org.requester)
    client.post("/calendar/rotate/")
    new = CalendarFeed.objects.get(user=org.requester).token
    assert new != old
    client.logout()
    assert client.get(f"/calendar/{old}.ics").status_code == 404
    assert client.get(f"/calendar/{new}.ics").status_code == 200
    login(client, org.requester)
    client.post("/calendar/revoke/")
    client.logout()
    assert client.get(f"/calendar/{new}.ics").status_code == 404
    assert client.get("/calendar/not-a-token.ics").status_code == 404


def test_calendar_page_needs_login_and_post(client, org):
    assert client.get("/calendar/").status_code == 302
    login(client, org.requester)
    assert client.get("/calendar/rotate/").status_code == 405
    assert client.get("/calendar/").status_code == 200


def test_meeting_reminder_once_an_hour_before(org, weekly):
    with time_machine.travel(datetime(2026, 11, 20, 9, 0, tzinfo=TZ), tick=False):
        services.meetings_generate(team=weekly)
    with time_machine.travel(datetime(2026, 11, 23, 8, 30, tzinfo=TZ), tick=False):
        assert reminders.send_meeting_reminders() == 0  # 90 minutes before: too early
    with time_machine.travel(datetime(2026, 11, 23, 9, 5, tzinfo=TZ), tick=False):
        assert reminders.send_meeting_reminders() == 1
        assert reminders.send_meeting_reminders() == 0  # the beat runs again: no double send
    notes = Notification.objects.filter(kind="meeting.reminder")
    assert sorted(notes.values_list("recipient__username", flat=True)) == ["assignee", "requester", "sales_head"]
    assert all("10:00" in n.message for n in notes)
    with time_machine.travel(datetime(2026, 11, 23, 10, 30, tzinfo=TZ), tick=False):
        assert reminders.send_meeting_reminders() == 0  # started already: nothing late


def test_cancelled_meeting_is_not_reminded(org, weekly):
    with time_machine.travel(datetime(2026, 11, 20, 9, 0, tzinfo=TZ), tick=False):
        meeting = services.meetings_generate(team=weekly)[0]
        services.meeting_cancel(meeting=meeting, by=org.sales_head)
    with time_machine.travel(datetime(2026, 11, 23, 9, 30, tzinfo=TZ), tick=False):
        assert reminders.send_meeting_reminders() == 0
    assert Meeting.objects.get(pk=meeting.pk).reminded_at is None


@pytest.fixture
def progress(org, weekly, support):
    with time_machine.travel(datetime(2026, 11, 20, 9, 0, tzinfo=TZ), tick=False):
        Milestone.objects.create(
            team=weekly,
            title="市场调研报告",
            starts_on=date(2026, 11, 2),
            due_on=date(2026, 11, 18),
            department=org.sales,
        )
        Milestone.objects.create(
            team=weekly,
            title="定价方案",
            starts_on=date(2026, 11, 19),
            due_on=date(2026, 12, 1),
            department=org.purchasing,
        )
        link = services.team_request_file(team=weekly, by=org.requester, request_type=support, title="样品成本核算")
        task_services.task_accept(task=link.task, by=org.purchasing_head, assignee=org.assignee)
        task_services.task_progress(task=link.task, by=org.assignee, percent=40)
        meeting = services.meeting_add(team=weekly, by=org.sales_head, starts_at=timezone.now(), minutes=30)
        services.action_add(
            meeting=meeting,
            by=org.sales_head,
            title="整理客户名单",
            owner=org.requester,
            department=org.sales,
            due_on=date(2026, 11, 21),
        )
    return weekly


def test_daily_progress_email_content_and_once_a_day(org, progress, django_capture_on_commit_callbacks):
    from notifications.models import NotificationPreference

    NotificationPreference.objects.create(user=org.requester, email_kinds=["teams"])  # the others keep the defaults
    with time_machine.travel(datetime(2026, 11, 23, 7, 30, tzinfo=TZ), tick=False):
        assert reminders.send_daily_progress() == 0  # before 08:00
    with time_machine.travel(datetime(2026, 11, 23, 8, 5, tzinfo=TZ), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert reminders.send_daily_progress() == 1
        assert reminders.send_daily_progress() == 0
    assert DailyDigestSent.objects.filter(team=progress).count() == 1
    notes = Notification.objects.filter(kind="team.daily")
    assert notes.count() == 3
    emails = Delivery.objects.filter(kind="team.daily", channel=Delivery.Channel.EMAIL)
    assert emails.count() == 1  # only the one who asked for team e-mail
    body = emails.get(recipient=org.requester).body
    assert "Purchasing" in body and "40" in body  # progress of the purchasing department's request
    assert "市场调研报告" in body  # overdue milestone
    assert "整理客户名单" in body  # overdue action item
    assert "定价方案" in body  # due within two weeks
    assert progress.name in emails.first().subject
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [org.requester.email]  # sent by the (eager) worker


def test_daily_progress_skips_days_off_and_teams_without_it(org, progress):
    with time_machine.travel(datetime(2026, 11, 22, 9, 0, tzinfo=TZ), tick=False):  # a Sunday
        assert reminders.send_daily_progress() == 0
    progress.daily_email = False
    progress.save(update_fields=["daily_email"])
    with time_machine.travel(datetime(2026, 11, 23, 9, 0, tzinfo=TZ), tick=False):
        assert reminders.send_daily_progress() == 0


def test_generate_meetings_job(org, weekly):
    with time_machine.travel(datetime(2026, 11, 20, 9, 0, tzinfo=TZ), tick=False):
        assert reminders.generate_meetings() == 4
        assert reminders.generate_meetings() == 0
    assert Meeting.objects.filter(team=weekly).count() == 4
    assert timedelta(0) < Meeting.objects.first().ends_at - Meeting.objects.first().starts_at


def test_cancelling_the_team_calls_off_its_meetings_and_the_feed_says_so(client, org, weekly):
    with time_machine.travel(datetime(2026, 11, 20, 9, 0, tzinfo=TZ), tick=False):
        services.meetings_generate(team=weekly)
        services.team_cancel(team=weekly, by=org.sales_head, reason="战略调整")
        assert set(Meeting.objects.filter(team=weekly).values_list("status", flat=True)) == {"cancelled"}
        assert reminders.generate_meetings() == 0
        feed = services.feed_rotate(user=org.requester)
        events = Calendar.from_ical(client.get(f"/calendar/{feed.token}.ics").content).walk("VEVENT")
    assert len(events) == 4 and {str(e["STATUS"]) for e in events} == {"CANCELLED"}


def test_daily_progress_reaches_each_person_on_their_departments_working_days(org, progress):
    """销售部 is off on Monday 23 November: its people get no progress that day, the others do."""
    from departments.models import CalendarDay

    CalendarDay.objects.create(date=date(2026, 11, 23), kind="holiday", department=org.sales)
    with time_machine.travel(datetime(2026, 11, 23, 8, 5, tzinfo=TZ), tick=False):
        assert reminders.send_daily_progress() == 1
    recipients = set(Notification.objects.filter(kind="team.daily").values_list("recipient__username", flat=True))
    assert recipients == {"assignee"}  # the lead and 张三 are of 销售部
