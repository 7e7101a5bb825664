"""The team pages' writes through the API: a reading, a meeting, its record, action items."""

from datetime import timedelta

import pytest
from django.utils import timezone

from teams.models import ActionItem, Attendance, Meeting
from tests.teams.conftest import goal, team  # noqa: F401

pytestmark = pytest.mark.django_db


def _post(client, url, data, expect):
    response = client.post(url, data, format="json")
    assert response.status_code == expect, (url, response.content)
    body = response.json()
    if expect >= 400:
        assert set(body) == {"code", "message", "fields"}, body
    return body


def test_a_reading_moves_the_current_value(org, bearer, team):  # noqa: F811
    url = f"/api/v1/teams/{team.pk}/readings/"
    today = timezone.localdate()
    body = _post(bearer(org.requester), url, {"value": "13.5", "measured_on": today.isoformat()}, 201)
    assert body["current_value"] == "13.50"
    _post(bearer(org.requester), url, {"value": "x", "measured_on": today.isoformat()}, 400)
    future = _post(
        bearer(org.requester), url, {"value": "14", "measured_on": (today + timedelta(days=2)).isoformat()}, 400
    )
    assert future["message"]
    # A public team: an outsider sees it but may not contribute.
    _post(bearer(org.outsider), url, {"value": "14", "measured_on": today.isoformat()}, 403)
    _post(bearer(org.requester, scope="read"), url, {"value": "14", "measured_on": today.isoformat()}, 403)
    team.refresh_from_db()
    assert team.current_value == 13.5


def test_a_meeting_its_record_and_action_items(org, bearer, team):  # noqa: F811
    lead, member, other = bearer(org.sales_head), bearer(org.requester), bearer(org.assignee)
    meetings = f"/api/v1/teams/{team.pk}/meetings/new/"
    _post(member, meetings, {"starts_at": "2027-01-05T10:00", "minutes": 60}, 403)  # the lead's to add
    _post(lead, meetings, {"starts_at": "soon", "minutes": 60}, 400)
    ahead = _post(lead, meetings, {"starts_at": "2027-01-05T10:00", "minutes": 60, "location": "三楼"}, 201)
    # Not started yet: the page's service refuses to mark it held.
    early = f"/api/v1/teams/{team.pk}/meetings/{ahead['id']}/record/"
    _post(member, early, {"held": True}, 400)
    yesterday = (timezone.localtime() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    meeting = _post(lead, meetings, {"starts_at": yesterday, "minutes": 60}, 201)
    record = f"/api/v1/teams/{team.pk}/meetings/{meeting['id']}/record/"
    attendees = list(Attendance.objects.filter(meeting_id=meeting["id"]).values_list("user_id", flat=True))
    assert org.requester.pk in attendees
    saved = _post(
        member,
        record,
        {
            "minutes": "讨论了华东渠道",
            "decisions": "加大投放",
            "held": True,
            "attendance": {org.requester.pk: "absent"},
        },
        200,
    )
    assert saved["status"] == "held" and saved["minutes"] == "讨论了华东渠道"
    assert Attendance.objects.get(meeting_id=meeting["id"], user=org.requester).status == "absent"
    # Left out: kept as it was.
    again = _post(member, record, {"decisions": "加大投放，下月复盘"}, 200)
    assert (again["minutes"], again["status"]) == ("讨论了华东渠道", "held")
    for bad in (
        {"attendance": {org.outsider.pk: "present"}},
        {"attendance": {org.requester.pk: "maybe"}},
        {"attendance": [1]},
    ):
        _post(member, record, bad, 400)
    assert Meeting.objects.get(pk=meeting["id"]).decisions == "加大投放，下月复盘"
    # An action item for the member of 采购部, who marks it done.
    items = f"/api/v1/teams/{team.pk}/meetings/{meeting['id']}/action-items/"
    item = {"title": "整理渠道清单", "owner": org.assignee.pk, "department": org.purchasing.pk, "due_on": "2027-01-12"}
    _post(member, items, {**item, "owner": org.outsider.pk}, 400)  # not on the team
    _post(member, items, {**item, "owner": "me"}, 400)
    added = _post(member, items, item, 201)
    assert added["owner"]["username"] == org.assignee.username and added["done_at"] is None
    done = _post(other, f"/api/v1/teams/{team.pk}/action-items/{added['id']}/done/", {}, 200)
    assert done["done_at"]
    assert ActionItem.objects.get(pk=added["id"]).done_at is not None
    _post(other, f"/api/v1/teams/{team.pk}/action-items/{added['id']}/done/", {}, 400)  # done already
    _post(other, f"/api/v1/teams/{team.pk}/action-items/999999/done/", {}, 404)
    _post(bearer(org.outsider), items, item, 403)


def test_the_team_is_started_completed_and_cancelled_by_its_lead(org, bearer, team, client):  # noqa: F811
    lead, member = bearer(org.sales_head), bearer(org.requester)
    start = f"/api/v1/teams/{team.pk}/start/"
    _post(member, start, {}, 403)
    _post(bearer(org.sales_head, scope="read"), start, {}, 403)
    # The state the caller saw has moved on: 409, nothing changes.
    assert _post(lead, start, {"seen_state": "active"}, 409)["code"] == "conflict"
    assert _post(lead, start, {}, 200)["state"] == "active"
    _post(lead, start, {}, 400)  # already active
    complete = f"/api/v1/teams/{team.pk}/complete/"
    _post(lead, complete, {"comment": "x" * 3000}, 400)
    done = _post(lead, complete, {"comment": "份额到了15%"}, 200)
    assert done["state"] == "completed"
    cancel = f"/api/v1/teams/{team.pk}/cancel/"
    refused = _post(lead, cancel, {}, 400)
    assert refused["fields"]["reason"]
    assert _post(lead, cancel, {"reason": "目标调整"}, 200)["state"] == "cancelled"
    team.refresh_from_db()
    assert (team.state, team.cancel_reason) == ("cancelled", "目标调整")
    # The team page's log shows the steps taken through the API.
    client.force_login(org.requester)
    page = client.get(f"/teams/{team.pk}/")
    assert page.status_code == 200 and "目标调整" in page.content.decode()


def test_the_plan_s_milestones_through_the_api(org, bearer, team):  # noqa: F811
    lead, member = bearer(org.sales_head), bearer(org.requester)
    url = f"/api/v1/teams/{team.pk}/milestones/"
    first = {"title": "渠道调研", "starts_on": "2026-11-10", "due_on": "2026-12-10", "department": org.sales.pk}
    _post(member, url, first, 403)
    made = _post(lead, url, first, 201)
    assert made["status"] == "planned" and made["department"]["id"] == org.sales.pk
    # Outside the team's span, due before its start, a dependency of another team's: refused with the reason.
    assert "2027-03-31" in _post(lead, url, {**first, "due_on": "2027-06-01"}, 400)["message"]
    _post(lead, url, {**first, "due_on": "2026-11-01"}, 400)
    _post(lead, url, {**first, "department": "销售部"}, 400)
    _post(lead, url, {**first, "depends_on": "1"}, 400)
    second = _post(
        lead,
        url,
        {**first, "title": "投放", "starts_on": "2026-12-11", "due_on": "2027-01-31", "depends_on": [made["id"]]},
        201,
    )
    assert second["depends_on"] == [made["id"]]
    # Moving the first past the start of what waits on it is refused; a change of status alone is kept.
    one = f"{url}{made['id']}/"
    response = lead.patch(one, {"due_on": "2026-12-20"}, format="json")
    assert response.status_code == 400, response.content
    response = lead.patch(one, {"status": "done"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "done"
    assert response.json()["title"] == "渠道调研"
    listed = member.get(url).json()
    assert [m["title"] for m in listed] == ["渠道调研", "投放"]
    assert member.delete(f"{url}{second['id']}/").status_code == 403
    assert lead.delete(f"{url}{second['id']}/").status_code == 204
    assert lead.delete(f"{url}{second['id']}/").status_code == 404
    assert lead.patch(f"{url}99999999999999999999/", {}, format="json").status_code == 404
    assert [m.title for m in team.milestones.all()] == ["渠道调研"]
