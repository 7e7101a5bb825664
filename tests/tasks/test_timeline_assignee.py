"""The timeline names whom a request was accepted and assigned (or reassigned) to: the action log
row carries the assignee. Rows written before that show as they did."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import ActionLog
from departments.models import Membership
from tasks import services
from tasks.models import TaskAction
from tests.conftest import login
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def timeline_text(client, task) -> str:
    body = client.get(f"/requests/{task.number}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


def test_accept_and_reassign_name_the_assignee(client, org, in_state):
    task = in_state("in_progress")
    accepted = task.logs.get(action=TaskAction.ACCEPTED)
    assert accepted.data["assignee"] == org.assignee.pk
    other = UserFactory(username="other_buyer", display_name="周六")
    MembershipFactory(user=other, department=org.purchasing, role=Membership.Role.MEMBER)
    services.task_reassign(task=task, by=org.purchasing_head, assignee=other)
    login(client, org.requester)
    text = timeline_text(client, task)
    assert "赵经理 accepted and assigned to 钱四" in text
    assert "赵经理 reassigned to 周六" in text


def test_an_accept_logged_without_the_assignee_shows_as_before(client, org, in_state):
    task = in_state("in_progress")
    ActionLog.objects.filter(action=TaskAction.ACCEPTED).update(data={})
    login(client, org.requester)
    text = timeline_text(client, task)
    assert "赵经理 accepted and assigned" in text
    assert "accepted and assigned to" not in text


def test_naming_assignees_does_not_grow_the_pages_queries(client, org, in_state):
    task = in_state("in_progress")
    login(client, org.requester)
    people = [UserFactory(username=f"buyer{n}", display_name=f"买手{n}") for n in range(4)]
    for person in people:
        MembershipFactory(user=person, department=org.purchasing)
    services.task_reassign(task=task, by=org.purchasing_head, assignee=people[0])
    with CaptureQueriesContext(connection) as first:
        timeline_text(client, task)
    for person in people[1:]:
        services.task_reassign(task=task, by=org.purchasing_head, assignee=person)
    with CaptureQueriesContext(connection) as later:
        text = timeline_text(client, task)
    assert len(later) == len(first)
    assert all(f"reassigned to {p.display_name}" in text for p in people)
