"""The teams' entries of tests/test_authorization_matrix.py, in its format, which takes them with

    from tests.teams.authorization import team_entries
    MATRIX.update(team_entries(get, post, everyone))

The world's team is PRIVATE (so outsiders get 404 on every team URL), led by 销售部's head (the
matrix's "manager"), with the requester (the matrix's "involved") and 采购部's assignee as members.
It has one milestone, one meeting and one action item.
"""

from datetime import date, timedelta

from django.utils import timezone


def _team(w):
    """The world's team, made on first use."""
    if not hasattr(w, "team"):
        from teams import services
        from teams.models import Milestone

        org = w.org
        today = timezone.localdate()
        team = services.team_create(
            by=org.sales_head,
            values={
                "name": "私密协作组",
                "goal": "测试",
                "strategic_goal": None,
                "metric": "份额",
                "unit": "%",
                "baseline": 1,
                "target_value": 2,
                "starts_on": today - timedelta(days=10),
                "deadline": today + timedelta(days=200),
                "private": True,
            },
            members=[(org.requester, org.sales, "成员"), (org.assignee, org.purchasing, "成员")],
        )
        w.team = team
        w.milestone = Milestone.objects.create(
            team=team,
            title="调研",
            starts_on=team.starts_on,
            due_on=team.starts_on + timedelta(days=20),
            department=org.sales,
        )
        w.meeting = services.meeting_add(
            team=team, by=org.sales_head, starts_at=timezone.now() + timedelta(days=2), minutes=60
        )
        w.action = services.action_add(
            meeting=w.meeting,
            by=org.sales_head,
            title="准备材料",
            owner=org.requester,
            department=org.sales,
            due_on=today,
        )
    return w.team


def _t(w, rest: str = "") -> str:
    return f"/teams/{_team(w).pk}/{rest}"


def _state_is(expected_by_persona):
    def after(w, persona, response):
        from teams.models import Team

        assert Team.objects.get(pk=_team(w).pk).state == expected_by_persona(persona), persona

    return after


def team_entries(get, post, everyone) -> dict:
    lead_only = {"outsider": 404, "involved": 403, "manager": 200, "admin": 200}
    lead_posts = {"outsider": 404, "involved": 403, "manager": 302, "admin": 302}
    team_sees = {"outsider": 404, "involved": 200, "manager": 200, "admin": 200}
    team_posts = {"outsider": 404, "involved": 302, "manager": 302, "admin": 302}
    return {
        "teams:create": [get(lambda w: "/teams/new/", **everyone(200))],
        "teams:detail": [get(lambda w: _t(w), **team_sees), get(lambda w: "/teams/999999/", **everyone(404))],
        "teams:edit": [get(lambda w: _t(w, "edit/"), **lead_only)],
        "teams:plan": [get(lambda w: _t(w, "plan/"), **lead_only)],
        # Planning: nobody may evaluate yet; outsiders still learn nothing.
        "teams:evaluate": [get(lambda w: _t(w, "evaluate/"), outsider=404, involved=403, manager=403, admin=403)],
        "teams:reading": [
            post(
                lambda w: _t(w, "readings/"),
                data=lambda w: {"value": "1.5", "measured_on": date.today().isoformat()},
                **team_posts,
            )
        ],
        "teams:milestone_new": [get(lambda w: _t(w, "milestones/new/"), **lead_only)],
        "teams:milestone": [
            get(lambda w: _t(w, f"milestones/{_team(w) and w.milestone.pk}/"), **lead_only),
            get(lambda w: _t(w, "milestones/999999/"), outsider=404, involved=403, manager=404, admin=404),
        ],
        "teams:milestone_delete": [
            post(lambda w: _t(w, f"milestones/{_team(w) and w.milestone.pk}/delete/"), **lead_posts)
        ],
        "teams:request_file": [get(lambda w: _t(w, "requests/new/"), **team_sees)],
        "teams:request_link": [
            post(lambda w: _t(w, "requests/link/"), data=lambda w: {"number": w.task.number}, **team_posts)
        ],
        "teams:meetings_generate": [post(lambda w: _t(w, "meetings/generate/"), **lead_posts)],
        "teams:meeting_add": [
            post(
                lambda w: _t(w, "meetings/new/"),
                data=lambda w: {"starts_at": "2030-01-07T10:00", "minutes": "60"},
                **lead_posts,
            )
        ],
        "teams:meeting": [
            get(lambda w: _t(w, f"meetings/{_team(w) and w.meeting.pk}/"), **team_sees),
            get(lambda w: _t(w, "meetings/999999/"), outsider=404, involved=404, manager=404, admin=404),
        ],
        "teams:meeting_cancel": [post(lambda w: _t(w, f"meetings/{_team(w) and w.meeting.pk}/cancel/"), **lead_posts)],
        "teams:action_add": [
            post(
                lambda w: _t(w, f"meetings/{_team(w) and w.meeting.pk}/actions/"),
                data=lambda w: {
                    "title": "x",
                    "owner": w.org.requester.pk,
                    "department": w.org.sales.pk,
                    "due_on": "2030-01-01",
                },
                **team_posts,
            )
        ],
        "teams:minutes_docx": [
            post(lambda w: _t(w, f"meetings/{_team(w) and w.meeting.pk}/minutes.docx/"), **team_posts)
        ],
        "teams:action_request": [post(lambda w: _t(w, f"actions/{_team(w) and w.action.pk}/request/"), **team_posts)],
        "teams:action_done": [post(lambda w: _t(w, f"actions/{_team(w) and w.action.pk}/done/"), **team_posts)],
        "teams:document": [
            post(lambda w: _t(w, "documents/plan/"), **team_posts),
            post(lambda w: _t(w, "documents/nonsense/"), outsider=404, involved=404, manager=404, admin=404),
        ],
        "teams:transition": [
            post(
                lambda w: _t(w, "start/"),
                after=_state_is(lambda p: "active" if p in ("manager", "admin") else "planning"),
                **lead_posts,
            ),
            post(
                lambda w: _t(w, "cancel/"),
                data=lambda w: {"reason": "不做了"},
                after=_state_is(lambda p: "cancelled" if p in ("manager", "admin") else "planning"),
                **lead_posts,
            ),
        ],
        "teams:calendar": [get(lambda w: "/calendar/", **everyone(200))],
        "teams:calendar_rotate": [post(lambda w: "/calendar/rotate/", **everyone(302))],
        "teams:calendar_revoke": [post(lambda w: "/calendar/revoke/", **everyone(302))],
    }
