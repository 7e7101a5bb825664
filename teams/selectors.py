"""Read queries for the team pages, with their joins; a page's query count does not grow with
its rows."""

from collections import defaultdict
from datetime import date, timedelta

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from tasks.models import Task
from teams import charts
from teams.models import ActionItem, Attendance, Meeting, Milestone, Team, TeamMember, TeamRequest


def teams_for_list(user, *, state: str = "", mine: bool = False):
    teams = (
        Team.objects.visible_to(user)
        .select_related("lead", "strategic_goal")
        .annotate(member_count=Count("members", distinct=True))
        .order_by("-created_at")
    )
    if state:
        teams = teams.filter(state=state)
    if mine:
        teams = teams.filter(Q(lead=user) | Q(pk__in=TeamMember.objects.filter(user=user).values("team_id")))
    return teams


def team_for_page(user, pk: int) -> Team:
    """The team if `user` may see it (Team.DoesNotExist otherwise), with the member ids cached for the rules."""
    team = Team.objects.visible_to(user).select_related("lead", "strategic_goal").get(pk=pk)
    team._member_ids = set(team.members.values_list("user_id", flat=True))
    return team


def team_page(team: Team, viewer) -> dict:
    """Everything the team page shows to `viewer`, in a fixed number of queries. The linked
    requests are those the viewer may see: a confidential one or a draft that a member linked is
    not the team's to show."""
    today = timezone.localdate()
    visible = Task.objects.visible_to(viewer).values("pk")
    members = list(TeamMember.objects.filter(team=team).select_related("user", "department"))
    readings = list(team.readings.select_related("recorded_by").order_by("measured_on", "recorded_at", "pk"))
    milestones = list(
        team.milestones.select_related("department")
        .prefetch_related(Prefetch("depends_on", queryset=Milestone.objects.only("id", "title", "team_id")))
        .annotate(request_count=Count("requests", filter=Q(requests__task__in=visible)))
    )
    links = list(
        TeamRequest.objects.filter(team=team, task__in=visible)
        .select_related("task__target_department", "task__assignee", "milestone")
        .order_by("task__due_at", "pk")
    )
    by_department: dict = defaultdict(lambda: defaultdict(int))
    departments = {}
    for link in links:
        department = link.task.target_department
        departments[department.pk] = department
        by_department[department.pk][link.task.state] += 1
    states = [(value, label) for value, label in Task.State.choices if value != Task.State.DRAFT]
    request_matrix = [
        {
            "department": departments[pk],
            "cells": [by_department[pk].get(value, 0) for value, _label in states],
            "total": sum(by_department[pk].values()),
        }
        for pk in sorted(departments, key=lambda pk: (departments[pk].sort_order, departments[pk].name))
    ]
    actions = list(
        ActionItem.objects.filter(team=team)
        .select_related("owner", "department", "task", "meeting")
        .order_by("done_at", "due_on", "pk")
    )
    now = timezone.now()
    with_attendance = team.meetings.annotate(
        present=Count("attendance", filter=Q(attendance__status=Attendance.Status.PRESENT)),
        invited=Count("attendance"),
    )
    # The last six meetings and the next six, whenever they are.
    meetings = list(with_attendance.filter(starts_at__lt=now).order_by("-starts_at")[:6])[::-1]
    meetings += list(with_attendance.filter(starts_at__gte=now).order_by("starts_at")[:6])
    overdue = {
        "requests": [link for link in links if link.task.is_overdue],
        "milestones": [m for m in milestones if m.is_overdue],
        "actions": [a for a in actions if a.is_overdue],
    }
    from teams.services import goal_attainment

    return {
        "members": members,
        "readings": readings,
        "milestones": milestones,
        "links": links,
        "request_states": states,
        "request_matrix": request_matrix,
        "actions": actions,
        "meetings": meetings,
        "upcoming": [m for m in meetings if m.starts_at >= now and m.status == Meeting.Status.SCHEDULED][:3],
        "overdue": overdue,
        "overdue_count": sum(len(v) for v in overdue.values()),
        "progress_chart": charts.progress_chart(team, readings),
        "gantt": charts.gantt(team, milestones, today),
        "attainment": goal_attainment(team, team.current_value),
        "criteria": list(team.criteria.all()),
        "log": list(team.logs.select_related("actor", "acting_for").order_by("-created_at", "-pk")[:15]),
        "today": today,
    }


def meeting_page(meeting: Meeting) -> dict:
    return {
        "attendance": list(meeting.attendance.select_related("user").order_by("pk")),
        "actions": list(meeting.action_items.select_related("owner", "department", "task").order_by("due_on", "pk")),
    }


def daily_progress(team: Team) -> dict:
    """The content of the team's daily progress e-mail: progress per department, overdue items,
    milestones due in the next 14 days."""
    today = timezone.localdate()
    links = list(TeamRequest.objects.filter(team=team).select_related("task__target_department"))
    per_department: dict = {}
    for link in links:
        task = link.task
        row = per_department.setdefault(
            task.target_department_id,
            {"department": task.target_department, "open": 0, "done": 0, "overdue": 0, "progress": []},
        )
        if task.state == Task.State.DONE:
            row["done"] += 1
        elif task.is_open:
            row["open"] += 1
            row["progress"].append(task.progress)
        if task.is_overdue:
            row["overdue"] += 1
    for row in per_department.values():
        row["average"] = round(sum(row["progress"]) / len(row["progress"])) if row["progress"] else None
    milestones = list(team.milestones.select_related("department"))
    return {
        "departments": sorted(per_department.values(), key=lambda r: r["department"].sort_order),
        "overdue_requests": [link.task for link in links if link.task.is_overdue],
        "overdue_milestones": [m for m in milestones if m.is_overdue],
        "overdue_actions": list(overdue_actions(team, on=today)),
        "upcoming_milestones": [
            m
            for m in milestones
            if m.status != Milestone.Status.DONE and today <= m.due_on <= today + timedelta(days=14)
        ],
    }


def overdue_actions(team: Team, *, on: date | None = None):
    """The team's action items not done by `on` (today), oldest due first."""
    on = on or timezone.localdate()
    return (
        team.action_items.filter(done_at__isnull=True, due_on__lt=on)
        .select_related("owner", "department")
        .order_by("due_on", "pk")
    )


def feed_events(user):
    """What a person's calendar feed holds: meetings of their teams (last 60 days onwards) and the
    due dates of open requests assigned to or filed by them."""
    since = timezone.now() - timedelta(days=60)
    team_ids = Team.objects.filter(Q(lead=user) | Q(pk__in=TeamMember.objects.filter(user=user).values("team_id")))
    # Cancelled meetings stay in the feed, marked CANCELLED, so subscribed calendars drop them.
    meetings = (
        Meeting.objects.filter(team__in=team_ids.values("pk"), starts_at__gte=since)
        .select_related("team")
        .order_by("starts_at")
    )
    tasks = (
        Task.objects.filter(Q(assignee=user) | Q(requester=user), due_at__isnull=False, state__in=Task.OPEN_STATES)
        .select_related("target_department")
        .order_by("due_at")
    )
    return list(meetings), list(tasks)
