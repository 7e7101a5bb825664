"""Meeting occurrences from the cadence (rrule) across month ends and holidays; meetings,
minutes, action items → requests; the next agenda starts with the overdue action items."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from core.workhours import WorkingCalendar
from departments.models import CalendarDay
from tasks.models import Task
from teams import services
from teams.meetings import occurrences
from teams.models import ActionItem, Attendance, Meeting, Team, TeamRequest
from teams.services import TeamError
from tests.conftest import login

TZ = ZoneInfo("Asia/Shanghai")
NATIONAL_DAY = frozenset(date(2026, 10, d) for d in range(1, 8))
CALENDAR = WorkingCalendar(holidays=NATIONAL_DAY, workdays=frozenset({date(2026, 10, 10)}), tz=TZ)


def cadence(freq, weekdays, at=time(10, 0), interval=1):
    return Team(meeting_freq=freq, meeting_weekdays=weekdays, meeting_time=at, meeting_interval=interval)


def days(result):
    return [(o.starts_at.date(), o.moved_from.date() if o.moved_from else None) for o in result]


def test_weekly_monday_moves_off_the_national_day_holiday():
    result = occurrences(cadence("WEEKLY", [0]), date(2026, 9, 21), date(2026, 10, 19), CALENDAR)
    assert days(result) == [
        (date(2026, 9, 21), None),
        (date(2026, 9, 28), None),
        (date(2026, 10, 8), date(2026, 10, 5)),  # 国庆 Monday → first working day after
        (date(2026, 10, 12), None),
        (date(2026, 10, 19), None),
    ]
    moved = result[2].starts_at
    assert (moved.hour, moved.minute, moved.tzinfo) == (10, 0, TZ)


def test_holiday_moves_onto_a_make_up_saturday():
    # Friday meetings: 2 Oct and 9 Oct. 2 Oct (holiday) moves to Thursday 8 Oct; 9 Oct stays.
    calendar = WorkingCalendar(
        holidays=NATIONAL_DAY | {date(2026, 10, 9)}, workdays=frozenset({date(2026, 10, 10)}), tz=TZ
    )
    result = occurrences(cadence("WEEKLY", [4]), date(2026, 10, 1), date(2026, 10, 16), calendar)
    assert days(result) == [
        (date(2026, 10, 8), date(2026, 10, 2)),
        (date(2026, 10, 10), date(2026, 10, 9)),  # the 调休 Saturday is a working day
        (date(2026, 10, 16), None),
    ]


def test_monthly_first_monday_across_month_and_year_ends():
    result = occurrences(cadence("MONTHLY", [0]), date(2026, 11, 1), date(2027, 2, 28), CALENDAR)
    assert [o.starts_at.date() for o in result] == [
        date(2026, 11, 2),
        date(2026, 12, 7),
        date(2027, 1, 4),
        date(2027, 2, 1),
    ]


def test_daily_over_a_month_end_drops_weekend_days_rather_than_doubling_monday():
    result = occurrences(cadence("DAILY", []), date(2027, 1, 28), date(2027, 2, 2), CALENDAR)
    assert [o.starts_at.date() for o in result] == [
        date(2027, 1, 28),
        date(2027, 1, 29),
        date(2027, 2, 1),
        date(2027, 2, 2),
    ]


def test_moved_occurrence_never_lands_after_the_end():
    result = occurrences(cadence("WEEKLY", [0]), date(2026, 9, 28), date(2026, 10, 6), CALENDAR)
    assert [o.starts_at.date() for o in result] == [date(2026, 9, 28)]


def test_biweekly():
    result = occurrences(cadence("WEEKLY", [2], interval=2), date(2026, 11, 2), date(2026, 11, 30), CALENDAR)
    assert [o.starts_at.date() for o in result] == [date(2026, 11, 4), date(2026, 11, 18)]


def test_no_cadence_no_meetings():
    assert occurrences(cadence("", []), date(2026, 11, 2), date(2026, 11, 30), CALENDAR) == []


@time_machine.travel(datetime(2026, 11, 20, 9, 0, tzinfo=TZ), tick=False)
def test_generate_uses_the_database_calendar_and_is_idempotent(org, weekly):
    CalendarDay.objects.create(date=date(2026, 11, 30), kind=CalendarDay.Kind.HOLIDAY, name="测试假日")
    first = services.meetings_generate(team=weekly)
    again = services.meetings_generate(team=weekly)
    assert again == []
    starts = [timezone.localtime(m.starts_at) for m in first]
    assert [s.date() for s in starts] == [date(2026, 11, 23), date(2026, 12, 1), date(2026, 12, 7), date(2026, 12, 14)]
    assert Meeting.objects.get(starts_at=starts[1]).moved_from is not None
    meeting = first[0]
    assert meeting.location == "3楼会议室" and meeting.ends_at - meeting.starts_at == timedelta(minutes=60)
    invited = set(meeting.attendance.values_list("user__username", flat=True))
    assert invited == {"sales_head", "requester", "assignee"}


@pytest.fixture
def meeting(org, active_team):
    return services.meeting_add(
        team=active_team, by=org.sales_head, starts_at=timezone.now() + timedelta(days=1), minutes=60
    )


def test_members_record_minutes_and_attendance(org, meeting):
    with time_machine.travel(meeting.ends_at, tick=False):
        services.meeting_record(
            meeting=meeting,
            by=org.requester,
            agenda="1. 进度",
            minutes="讨论了华东区价格策略",
            decisions="下调出厂价2%",
            attendance={org.requester.pk: "present", org.assignee.pk: "excused"},
            held=True,
        )
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD and meeting.minutes_by == org.requester
    statuses = dict(meeting.attendance.values_list("user__username", "status"))
    assert statuses == {"sales_head": "invited", "requester": "present", "assignee": "excused"}
    with pytest.raises(TeamError):
        services.meeting_record(
            meeting=meeting, by=org.outsider, agenda="", minutes="x", decisions="", attendance={}, held=True
        )
    with pytest.raises(TeamError):
        services.meeting_record(
            meeting=meeting,
            by=org.requester,
            agenda="",
            minutes="",
            decisions="",
            attendance={org.requester.pk: "zzz"},
            held=False,
        )


@pytest.mark.parametrize(
    "held, attendance", [(True, {}), (False, {"requester": "present"}), (False, {"assignee": "absent"})]
)
def test_a_meeting_not_yet_started_is_not_marked_held_nor_attendance_taken(org, meeting, held, attendance):
    with pytest.raises(TeamError, match="once it has started"):
        services.meeting_record(
            meeting=meeting,
            by=org.requester,
            agenda="1. 进度",
            minutes="",
            decisions="",
            attendance={getattr(org, name).pk: status for name, status in attendance.items()},
            held=held,
        )
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.SCHEDULED and meeting.agenda == ""
    assert set(meeting.attendance.values_list("status", flat=True)) == {"invited"}
    # Apologies may come in advance.
    services.meeting_record(
        meeting=meeting,
        by=org.requester,
        agenda="",
        minutes="",
        decisions="",
        attendance={org.assignee.pk: "excused"},
        held=False,
    )
    assert meeting.attendance.get(user=org.assignee).status == "excused"


def test_the_held_box_stays_ticked_when_the_meeting_is_opened_again(client, org, meeting):
    login(client, org.requester)
    url = f"/teams/{meeting.team_id}/meetings/{meeting.pk}/"
    with time_machine.travel(meeting.ends_at, tick=False):
        rows = {f"att_{pk}": "present" for pk in meeting.attendance.values_list("user_id", flat=True)}
        response = client.post(url, {"agenda": "1. 进度", "minutes": "", "decisions": "", "held": "on", **rows})
        assert response.status_code == 302
        assert Meeting.objects.get(pk=meeting.pk).status == Meeting.Status.HELD
        form = client.get(url).context["form"]
    assert form["held"].value() is True
    assert "checked" in str(form["held"])


def test_action_item_becomes_a_request_with_one_click(client, org, meeting, support):
    item = services.action_add(
        meeting=meeting,
        by=org.requester,
        title="核算样品成本",
        owner=org.assignee,
        department=org.purchasing,
        due_on=timezone.localdate() + timedelta(days=5),
    )
    login(client, org.requester)
    response = client.post(f"/teams/{meeting.team_id}/actions/{item.pk}/request/")
    assert response.status_code == 302
    item.refresh_from_db()
    task = item.task
    assert task.title == "核算样品成本" and task.request_type == support
    assert task.target_department == org.purchasing and task.requester == org.requester
    assert task.state == Task.State.PENDING_ACCEPTANCE
    assert org.assignee in task.watchers.all()
    assert timezone.localtime(task.wanted_by).date() == item.due_on
    assert TeamRequest.objects.filter(team=meeting.team, task=task).exists()
    # A second click files nothing new.
    client.post(f"/teams/{meeting.team_id}/actions/{item.pk}/request/")
    assert Task.objects.count() == 1


def test_action_item_for_a_department_without_request_types(org, meeting):
    item = services.action_add(
        meeting=meeting, by=org.sales_head, title="x", owner=org.requester, department=org.hr, due_on=date(2026, 12, 1)
    )
    with pytest.raises(TeamError):
        services.action_to_request(item=item, by=org.sales_head)
    assert Task.objects.count() == 0


def test_action_owner_must_be_on_the_team(org, meeting):
    with pytest.raises(TeamError):
        services.action_add(
            meeting=meeting,
            by=org.sales_head,
            title="x",
            owner=org.outsider,
            department=org.hr,
            due_on=date(2026, 12, 1),
        )


def test_next_agenda_starts_with_overdue_action_items(org, meeting):
    services.action_add(
        meeting=meeting,
        by=org.sales_head,
        title="提交报价",
        owner=org.requester,
        department=org.sales,
        due_on=timezone.localdate() + timedelta(days=2),
    )
    services.action_add(
        meeting=meeting,
        by=org.sales_head,
        title="还没到期",
        owner=org.assignee,
        department=org.purchasing,
        due_on=timezone.localdate() + timedelta(days=30),
    )
    later = services.meeting_add(
        team=meeting.team,
        by=org.sales_head,
        starts_at=timezone.now() + timedelta(days=7),
        minutes=60,
        agenda="新品定价",
    )
    lines = later.agenda.splitlines()
    assert lines[0] == "Overdue action items:" or "逾期" in lines[0]
    assert "提交报价" in lines[1] and "还没到期" not in later.agenda
    assert lines[-1] == "新品定价"


def test_meeting_page_for_member_and_outsider(client, org, meeting):
    login(client, org.requester)
    page = client.get(f"/teams/{meeting.team_id}/meetings/{meeting.pk}/")
    assert page.status_code == 200 and "att_" in page.content.decode()
    login(client, org.outsider)  # public team: may read, may not write
    assert client.get(f"/teams/{meeting.team_id}/meetings/{meeting.pk}/").status_code == 200
    assert client.post(f"/teams/{meeting.team_id}/meetings/{meeting.pk}/", {"minutes": "x"}).status_code == 403


def test_action_done_by_owner(client, org, meeting):
    item = services.action_add(
        meeting=meeting,
        by=org.sales_head,
        title="x",
        owner=org.assignee,
        department=org.purchasing,
        due_on=date(2026, 12, 1),
    )
    login(client, org.assignee)
    client.post(f"/teams/{meeting.team_id}/actions/{item.pk}/done/")
    assert ActionItem.objects.get(pk=item.pk).done_at is not None
    assert Attendance.objects.filter(meeting=meeting).count() == 3


@time_machine.travel(datetime(2026, 11, 20, 9, 0, tzinfo=TZ), tick=False)
def test_changing_the_cadence_keeps_hand_made_and_prepared_meetings(org, weekly):
    generated = services.meetings_generate(team=weekly)
    prepared = generated[1]
    Meeting.objects.filter(pk=prepared.pk).update(agenda="已准备议程")
    by_hand = services.meeting_add(
        team=weekly, by=org.sales_head, starts_at=datetime(2026, 11, 26, 15, 0, tzinfo=TZ), minutes=30
    )
    plan = {
        "meeting_freq": "WEEKLY",
        "meeting_interval": 1,
        "meeting_weekdays": [0],
        "meeting_time": time(10, 0),
        "meeting_minutes": 60,
        "meeting_location": "3楼会议室",
        "daily_email": False,  # not a cadence change: nothing is rescheduled
    }
    services.plan_set(team=weekly, by=org.sales_head, values=plan)
    assert weekly.meetings.count() == 5
    services.plan_set(team=weekly, by=org.sales_head, values={**plan, "meeting_weekdays": [2]})
    kept = set(weekly.meetings.values_list("pk", flat=True))
    assert kept == {prepared.pk, by_hand.pk}
    services.meetings_generate(team=Team.objects.get(pk=weekly.pk))
    wednesdays = [timezone.localtime(m.starts_at).date() for m in weekly.meetings.filter(from_cadence=True)]
    assert date(2026, 11, 25) in wednesdays


def test_action_buttons_swap_the_row_with_htmx(client, org, meeting, support):
    item = services.action_add(
        meeting=meeting,
        by=org.sales_head,
        title="核价",
        owner=org.assignee,
        department=org.purchasing,
        due_on=timezone.localdate() + timedelta(days=3),
    )
    login(client, org.requester)
    response = client.post(f"/teams/{meeting.team_id}/actions/{item.pk}/request/", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and html.startswith("<li") and f'id="action-{item.pk}"' in html
    assert ActionItem.objects.get(pk=item.pk).task.number in html
    again = client.post(f"/teams/{meeting.team_id}/actions/{item.pk}/request/", HTTP_HX_REQUEST="true")
    assert again.status_code == 200 and 'role="alert"' in again.content.decode()
    done = client.post(f"/teams/{meeting.team_id}/actions/{item.pk}/done/", HTTP_HX_REQUEST="true")
    assert "<s>核价</s>" in done.content.decode()


def test_one_click_skips_types_that_need_details(org, meeting, purchase, support):
    item = services.action_add(
        meeting=meeting,
        by=org.sales_head,
        title="询价",
        owner=org.assignee,
        department=org.purchasing,
        due_on=timezone.localdate() + timedelta(days=3),
    )
    task = services.action_to_request(item=item, by=org.requester)
    assert task.request_type == support  # 采购申请 needs an amount; 咨询 needs nothing
