"""The API's request list and request page read in a fixed number of queries, whatever the rows."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

pytestmark = pytest.mark.django_db


def _queries(client, url) -> int:
    client.get(url)  # the token's first use this minute also records it (one UPDATE): not the page's cost
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(queries)


def test_the_list_does_not_grow_with_its_rows(
    org, purchase, support, file_request, bearer, django_assert_max_num_queries
):
    client = bearer(org.sales_head)
    file_request(purchase)
    one = _queries(client, "/api/v1/requests/")
    for i in range(12):
        file_request(support if i % 2 else purchase, title=f"问题{i}", by=org.requester if i % 3 else org.sales_deputy)
    many = _queries(client, "/api/v1/requests/")
    assert many == one
    with django_assert_max_num_queries(12):
        assert len(client.get("/api/v1/requests/?state=pending_approval&limit=50").json()["results"]) > 1


def test_the_request_page_does_not_grow_with_its_timeline(org, in_state, bearer, django_assert_max_num_queries):
    from tasks import services

    task = in_state("in_progress")
    client = bearer(org.requester)
    url = f"/api/v1/requests/{task.number}/"
    # One of each kind first: a list the request has none of is not read at all.
    services.task_comment(task=task, by=org.requester, body="第一条")
    services.task_progress(task=task, by=org.assignee, percent=5)
    before = _queries(client, url)
    for i in range(6):
        services.task_comment(task=task, by=org.requester, body=f"评论{i}")
        services.task_progress(task=task, by=org.assignee, percent=10 * i)
    assert _queries(client, url) == before
    with django_assert_max_num_queries(25):
        client.get(url)


def test_other_lists_do_not_grow_with_their_rows(org, in_state, bearer):
    client = bearer(org.sales_head)
    in_state("pending_approval")
    counts = {
        url: _queries(client, url) for url in ("/api/v1/notifications/", "/api/v1/departments/", "/api/v1/people/")
    }
    for _ in range(4):
        in_state("pending_approval")
    assert {url: _queries(client, url) for url in counts} == counts


def test_the_conflict_list_and_the_team_lists_do_not_grow_with_their_rows(
    org, bearer, purchase, file_request, django_assert_max_num_queries
):
    from conflicts import services as conflict_services
    from teams import services as team_services
    from tests.teams.conftest import team_values

    client = bearer(org.sales_head)
    team = team_services.team_create(
        by=org.sales_head,
        values=team_values(),
        members=[(org.requester, org.sales, "市场调研"), (org.assignee, org.purchasing, "成本核算")],
    )
    meeting = team_services.meeting_add(
        team=team, by=org.sales_head, starts_at=timezone.now() - timedelta(hours=1), minutes=60
    )

    def add(i):
        conflict_services.conflict_raise(
            by=org.requester,
            task=file_request(purchase, title=f"请求{i}"),
            departments=[org.sales, org.purchasing],
            subject=f"争议{i}",
            position="两周内交货",
        )
        team_services.action_add(
            meeting=meeting,
            by=org.sales_head,
            title=f"事项{i}",
            owner=org.assignee if i % 2 else org.requester,
            department=org.purchasing if i % 2 else org.sales,
            due_on=timezone.localdate() + timedelta(days=i),
        )

    add(0)
    urls = ("/api/v1/conflicts/?scope=all", f"/api/v1/teams/{team.pk}/action-items/")
    counts = {url: _queries(client, url) for url in urls}
    for i in range(1, 6):
        add(i)
    assert {url: _queries(client, url) for url in urls} == counts
    with django_assert_max_num_queries(12):
        assert len(client.get(urls[0]).json()["results"]) == 6
