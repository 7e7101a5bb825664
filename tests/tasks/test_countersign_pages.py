"""加签 and 转签 on the request page: the forms, the messages, the route and timeline, crafted
posts, the page's queries; the filing form's expected finish with each step's hours."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from departments.selectors import working_calendar
from tasks.models import Approval, Task
from tests.conftest import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def page(client, task):
    response = client.get(f"/requests/{task.number}/")
    assert response.status_code == 200
    return response.content.decode()


def act(client, task, action, data):
    response = client.post(f"/requests/{task.number}/do/{action}/", {"seen_state": task.state, **data}, follow=True)
    assert response.status_code == 200
    return " ".join(str(m) for m in response.context["messages"])


def test_only_the_approver_whose_turn_it_is_sees_the_forms(org, purchase, file_request, english):
    task = file_request(purchase)
    login(english, org.sales_head)
    body = page(english, task)
    assert "Add an approver (加签)" in body and "Forward (转签)" in body
    assert 'id="id_add_approver_position_0"' in body and 'id="id_forward_comment"' in body
    login(english, org.requester)
    assert "Add an approver (加签)" not in page(english, task)


def test_add_before_from_the_page(org, purchase, file_request, english):
    task = file_request(purchase)
    login(english, org.sales_head)
    message = act(english, task, "add_approver", {"person": org.leader.pk, "position": "before", "comment": "先请郑总"})
    assert message == "郑总 was added to the approval route (加签)."
    body = page(english, task)
    assert "Added by 王经理 (加签): 先请郑总" in body
    assert "added an approver (加签): 郑总" in body and "before them" in body
    assert "Add an approver (加签)" not in body  # the added approver decides first now
    login(english, org.leader)
    assert "Add an approver (加签)" in page(english, task)


def test_a_login_typed_into_the_box_will_do(org, purchase, file_request, english):
    task = file_request(purchase)
    login(english, org.sales_head)
    message = act(english, task, "forward", {"person_find": "sales_deputy", "comment": "出差，请代批"})
    assert message == "Forwarded to 李副经理 (转签), who now decides in your place."
    assert Approval.objects.get(task=task).approver == org.sales_deputy
    assert "Forwarded by 王经理 (转签): 出差，请代批" in page(english, task)
    assert "Add an approver (加签)" not in page(english, task)


@pytest.mark.parametrize(
    "data, says",
    [
        ({"position": "after", "comment": "x"}, "Person"),
        ({"person": "abc", "position": "after", "comment": "x"}, "Choose people from the suggestions"),
        ({"person": "999999999", "position": "after", "comment": "x"}, "Choose people from the suggestions"),
        ({"person": "9" * 30, "position": "after", "comment": "x"}, "Choose people"),
        ({"person_find": "nobody", "position": "after", "comment": "x"}, "has the login “nobody”"),
        ({"person_find": "no\x00body", "position": "after", "comment": "x"}, "Choose people"),
        ({"person": "{leader}", "position": "sideways", "comment": "x"}, "Select a valid choice"),
        ({"person": "{leader}", "position": "after"}, "Why"),
        ({"person": "{leader}", "position": "after", "comment": "x" * 2001}, "2000"),
        ({"person": "{requester}", "position": "after", "comment": "x"}, "filed this request"),
        ({"person": "{sales_head}", "position": "after", "comment": "x"}, "other than yourself"),
    ],
)
def test_crafted_posts_get_a_message_and_change_nothing(org, purchase, file_request, english, data, says):
    task = file_request(purchase)
    login(english, org.sales_head)
    people = {"{leader}": org.leader.pk, "{requester}": org.requester.pk, "{sales_head}": org.sales_head.pk}
    data = {key: people.get(value, value) for key, value in data.items()}
    message = act(english, task, "add_approver", data)
    assert says in message, message
    if "position" in data and data["position"] == "after":
        data.pop("position")
        assert says in act(english, task, "forward", data)
    assert list(Approval.objects.filter(task=task).values_list("approver", flat=True)) == [org.sales_head.pk]


def test_inactive_people_cannot_be_chosen(org, purchase, file_request, english):
    org.leader.is_active = False
    org.leader.save()
    task = file_request(purchase)
    login(english, org.sales_head)
    message = act(english, task, "forward", {"person": org.leader.pk, "comment": "x"})
    assert "cannot be chosen here" in message
    assert Approval.objects.get(task=task).approver == org.sales_head


def test_a_stale_form_says_it_changed_meanwhile(org, purchase, file_request, english):
    task = file_request(purchase)
    login(english, org.sales_head)
    english.post(f"/requests/{task.number}/do/approve/", {"seen_state": task.state})
    message = act(english, task, "add_approver", {"person": org.leader.pk, "position": "after", "comment": "x"})
    assert "already handled" in message
    assert Approval.objects.filter(task=task).count() == 1


def test_added_steps_cost_the_request_page_no_queries(org, purchase, file_request, client):
    task = file_request(purchase, amount=50000)
    login(client, org.leader)
    client.get(f"/requests/{task.number}/")  # warm the per-process caches
    with CaptureQueriesContext(connection) as plain:
        client.get(f"/requests/{task.number}/")
    login(client, org.sales_head)
    act(client, task, "add_approver", {"person": org.leader.pk, "position": "after", "comment": "一"})
    act(client, task, "add_approver", {"person": org.outsider.pk, "position": "alongside", "comment": "二"})
    act(client, task, "forward", {"person": org.sales_deputy.pk, "comment": "三"})
    assert Approval.objects.filter(task=task).count() == 4
    login(client, org.leader)
    with CaptureQueriesContext(connection) as added:
        body = client.get(f"/requests/{task.number}/").content.decode()
    assert "三" in body and org.outsider.name in body
    assert len(added) <= len(plain), [q["sql"] for q in added]


def test_the_filing_preview_adds_each_steps_hours(org, purchase, client):
    purchase.steps.filter(order=1).update(hours=8)
    purchase.steps.filter(order=2).update(hours=0)
    login(client, org.requester)
    calendar = working_calendar()
    for amount, hours in (("20000", 28.0), ("500", 28.0)):  # 8 + 0 + 4 + 16; a small amount has no step 2
        before = timezone.now()
        preview = client.post("/requests/new/purchase/preview/", {"f_amount": amount}).context["preview"]
        after = timezone.now()
        assert calendar.add_working_hours(before, hours) <= preview["expected_finish"]
        assert preview["expected_finish"] <= calendar.add_working_hours(after, hours)
    purchase.steps.filter(order=1).update(hours=None)  # the type's 4 hours to accept
    before = timezone.now()
    preview = client.post("/requests/new/purchase/preview/", {"f_amount": "500"}).context["preview"]
    assert calendar.add_working_hours(before, 24.0) <= preview["expected_finish"]
    assert Task.objects.count() == 0
