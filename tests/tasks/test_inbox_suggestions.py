"""The department inbox explains its suggestion, defaults bulk assign to it, spreads a batch of
waiting requests by load instead of suggesting one person for all, and its workload table marks
the person it suggests."""

import re
from collections import Counter

import pytest

from tests.conftest import login
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def buyers(org):
    """采购部 with three people to suggest: one whose login sorts first (the finance head who is
    also a member here), 钱四 (the assignee), and 周六."""
    first = UserFactory(username="a_finance_head", display_name="财务经理")
    other = UserFactory(username="zhou_buyer", display_name="周六")
    for person in (first, other):
        MembershipFactory(user=person, department=org.purchasing, is_primary=False)
    return first, other


def board_select(html: str) -> str:
    return re.search(r'<select[^>]*id="bulk-assignee-\d+"[^>]*>(.*?)</select>', html, re.S).group(1)


def row_suggestions(html: str, tasks) -> list[int]:
    found = []
    for task in tasks:
        row = re.search(rf'<select[^>]*id="assignee-{task.pk}"[^>]*>(.*?)</select>', html, re.S).group(1)
        found.append(int(re.search(r'<option value="(\d+)" selected>', row).group(1)))
    return found


def test_a_batch_is_spread_by_load_and_bulk_assign_defaults_to_the_suggestion(
    client, org, support, file_request, buyers
):
    from tasks import services

    busy = file_request(support, title="已在办")
    services.task_accept(task=busy, by=org.purchasing_head, assignee=buyers[0])  # the first in the list is busy
    tasks = [file_request(support, title=f"咨询{n}") for n in range(6)]
    login(client, org.purchasing_head)
    html = client.get("/requests/inbox/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    suggested = row_suggestions(html, tasks)
    assert suggested[:2] == [org.assignee.pk, buyers[1].pk]  # the idle ones first ...
    assert set(suggested) == {org.assignee.pk, *(b.pk for b in buyers)}  # ... then all three, by load
    assert max(Counter(suggested).values()) == 2  # not one person for the whole batch

    board = board_select(html)
    assert re.search(r'<option value="(\d+)"', board).group(1) == str(buyers[0].pk)  # first in the list
    # Bulk assign defaults to the suggestion, not to the first person in the list.
    assert re.findall(r'<option value="(\d+)" selected>', board) == [str(org.assignee.pk)]

    # The ★ is explained: a visible note, and each row's list is described by it.
    assert "★ suggested: lowest load with the needed skill" in html
    for task in tasks:
        row = re.search(rf'<select[^>]*id="assignee-{task.pk}"[^>]*>', html).group(0)
        assert 'title="★ suggested: lowest load with the needed skill"' in row
        assert 'aria-describedby="suggestion-' in row


def test_the_batch_counts_each_suggestion_as_added_load(org, support, file_request, buyers):
    from tasks import selectors

    tasks = [file_request(support, title=f"咨询{n}") for n in range(4)]
    candidates = selectors.workload(org.purchasing)
    picks = selectors.suggest_batch(candidates, tasks, {})
    # Equal loads: one each in login order, then round again.
    order = sorted((c for c in candidates if not c.is_manager), key=lambda c: c.user.username)
    assert [p.user.pk for p in picks] == [order[0].user.pk, order[1].user.pk, order[2].user.pk, order[0].user.pk]
    assert [c.user.pk for c in candidates if c.suggested] == [picks[0].user.pk]
    assert all(c.load_hours == 0 for c in candidates)  # the table shows the real load, not the projection


def test_the_workload_table_marks_the_suggested_person(client, org, support, file_request, buyers):
    file_request(support)
    login(client, org.purchasing_head)
    html = client.get("/requests/inbox/").content.decode()
    url = re.search(r'hx-get="(/requests/inbox/workload/purchasing/[^"]*)"', html).group(1)
    suggested = int(re.search(r"suggested=(\d+)", url).group(1))
    table = client.get(url.replace("&amp;", "&"), HTTP_HX_REQUEST="true").content.decode()
    marked = re.findall(r'<tr class="table-success">\s*<td>([^<]*)', table)
    from departments.models import User

    assert [name.strip() for name in marked] == [User.objects.get(pk=suggested).name]
    for crafted in ("9" * 5000, "x", "-1", ""):
        response = client.get(f"/requests/inbox/workload/purchasing/?suggested={crafted}")
        assert response.status_code == 200
        assert "table-success" not in response.content.decode()
