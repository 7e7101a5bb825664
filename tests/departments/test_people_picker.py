"""Choosing people without a list of the whole organisation (departments/pickers.py)."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from departments.models import Delegation
from tasks.models import Task
from teams.models import Team
from tests.conftest import login
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def team_goal() -> dict[str, str]:
    """The goal half of the team form, as typed into it."""
    today = timezone.localdate()
    return {
        "name": "降本小组",
        "goal": "降低采购成本",
        "metric": "采购成本",
        "unit": "%",
        "baseline": "0",
        "target_value": "5",
        "starts_on": today.isoformat(),
        "deadline": (today + timedelta(days=30)).isoformat(),
    }


def file(client, **data):
    return client.post("/requests/new/support/", {"title": "打印机坏了", "priority": "2", "action": "submit", **data})


def test_the_filing_form_does_not_list_the_organisation(client, org, support):
    login(client, org.requester)
    before = client.get("/requests/new/support/").content.decode()
    UserFactory.create_batch(40, display_name="新同事")
    after = client.get("/requests/new/support/").content.decode()
    assert "新同事" not in after and len(after) == len(before)
    assert 'name="watchers_find"' in after and 'id="id_watchers"' in after  # the label points at the box


def test_people_are_copied_by_ticked_box_or_by_typed_logins(client, org, support):
    login(client, org.requester)
    response = file(client, watchers=[org.sales_head.pk], watchers_find="assignee， outsider")
    assert response.status_code == 302
    task = Task.objects.get(title="打印机坏了")
    assert set(task.watchers.all()) == {org.sales_head, org.assignee, org.outsider}


def test_an_unknown_login_is_named_and_nothing_is_saved(client, org, support):
    login(client, org.requester)
    response = file(client, watchers=[org.sales_head.pk], watchers_find="assignee nobody-here")
    assert response.status_code == 200 and not Task.objects.exists()
    page = response.content.decode()
    assert "nobody-here" in response.context["form"].errors["watchers"][0]
    # The form comes back as it was sent: the people found ticked, the login that matched nobody in the box.
    assert f'value="{org.sales_head.pk}" checked' in page and f'value="{org.assignee.pk}" checked' in page
    assert 'name="watchers_find" value="nobody-here"' in page


def test_a_crafted_value_gets_a_message_not_an_error_page(client, org, support):
    login(client, org.requester)
    for value in ("x", "-1", "999999", "1 OR 1=1", "9" * 30):  # past what an id column holds, too
        response = file(client, watchers=[value])
        assert response.status_code == 200 and response.context["form"].errors["watchers"], value
    inactive = UserFactory(username="gone", is_active=False)
    assert file(client, watchers_find="gone").context["form"].errors["watchers"]
    refused = file(client, watchers=[inactive.pk]).context["form"].errors["watchers"][0]
    assert inactive.name in refused
    assert not Task.objects.exists()


def test_one_person_by_login_replaces_the_choice(client, org):
    login(client, org.sales_head)
    today = timezone.localdate()
    dates = {"starts_on": today, "ends_on": today + timedelta(days=2)}
    # A typed login wins over the person ticked before.
    response = client.post(
        "/me/delegations/new/", {"delegate": org.requester.pk, "delegate_find": "sales_deputy", **dates}
    )
    assert response.status_code == 302
    assert Delegation.objects.get(delegator=org.sales_head).delegate == org.sales_deputy
    # Oneself cannot be chosen, by login or by box; the message names the person.
    Delegation.objects.all().delete()
    for data in ({"delegate_find": "sales_head"}, {"delegate": org.sales_head.pk}):
        response = client.post("/me/delegations/new/", {**data, **dates})
        assert response.status_code == 200 and response.context["form"].errors["delegate"]
    assert "王经理" in response.context["form"].errors["delegate"][0]
    assert not Delegation.objects.exists()


def test_a_team_is_formed_with_members_typed_by_login(client, org):
    login(client, org.requester)
    data = {
        **team_goal(),
        "m-TOTAL_FORMS": "5",
        "m-INITIAL_FORMS": "0",
        "m-0-user_find": "requester",
        "m-0-department": org.sales.pk,
        "m-1-user_find": "assignee",
        "m-1-department": org.purchasing.pk,
    }
    response = client.post("/teams/new/", data)
    assert response.status_code == 302, response.context and response.context["members"].errors
    team = Team.objects.get(name="降本小组")
    assert {m.user for m in team.members.all()} == {org.requester, org.assignee}
    # Editing shows each member as the row's chosen person (no list of everyone), with "nobody" to clear it.
    page = client.get(f"/teams/{team.pk}/edit/").content.decode()
    assert f'name="m-0-user" value="{org.requester.pk}" checked' in page or (
        f'name="m-1-user" value="{org.requester.pk}" checked' in page
    )
    assert not [tag for tag in re.findall(r"<select[^>]*>", page) if "-user" in tag]


def test_suggestions_match_login_name_or_employee_number(client, org):
    UserFactory(username="wang.fang", display_name="王芳", employee_no="E1024")
    UserFactory(username="wang.left", display_name="王离职", is_active=False)
    login(client, org.outsider)

    def names(q):
        return [p["username"] for p in client.get("/people/", {"q": q}).json()["people"]]

    assert names("wang.") == ["wang.fang"]  # the inactive one is never offered
    assert names("王") == ["sales_head", "wang.fang"]
    assert names("e1024") == ["wang.fang"]
    assert names("") == [] and names("   ") == []
    UserFactory.create_batch(15, display_name="同名")
    assert len(names("同名")) == 10
    found = client.get("/people/", {"q": "requester"}).json()["people"][0]
    assert found == {"id": org.requester.pk, "username": "requester", "name": "张三", "departments": "销售部"}


def test_the_box_is_never_required_by_the_browser(client, org):
    """Once someone is chosen the box is empty: a `required` box would stop the browser sending the
    form. The field itself refuses an empty choice."""
    login(client, org.sales_head)
    page = client.get("/me/delegations/new/").content.decode()
    box = page.split('name="delegate_find"')[1].split(">")[0]
    assert "required" not in box
    today = timezone.localdate()
    response = client.post("/me/delegations/new/", {"delegate_find": "", "starts_on": today, "ends_on": today})
    assert response.status_code == 200 and response.context["form"].errors["delegate"]
