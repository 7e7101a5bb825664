"""CC and following: the people on CC and those who follow a request hear when it is filed, taken
on and when it ends; anyone who may see a request follows it or stops with one button."""

import pytest

from notifications.models import Notification
from tasks import services
from tests.conftest import login

pytestmark = pytest.mark.django_db


def notices(user, task) -> list[str]:
    rows = Notification.objects.filter(recipient=user, kind="watching", link__contains=task.number).order_by("pk")
    return list(rows.values_list("message", flat=True))


def test_cc_hears_of_filing_acceptance_and_the_end_and_nothing_else(org, support, file_request):
    task = file_request(support, watchers=[org.outsider])
    assert len(notices(org.outsider, task)) == 1 and task.number in notices(org.outsider, task)[0]
    task = services.task_accept(task=task, by=org.purchasing_head, assignee=org.assignee)
    services.task_progress(task=task, by=org.assignee, percent=50, note="")
    assert len(notices(org.outsider, task)) == 2  # progress is not followed
    task = services.task_finish(task=task, by=org.assignee)
    services.task_confirm(task=task, by=org.requester)
    assert len(notices(org.outsider, task)) == 3


def test_a_rejection_reaches_the_cc_and_the_actor_is_not_told_of_their_own_step(org, purchase, file_request):
    task = file_request(purchase, watchers=[org.outsider, org.sales_head])
    from tasks.models import Reason

    services.task_reject(task=task, by=org.sales_head, reason=Reason.POLICY)
    assert len(notices(org.outsider, task)) == 2
    assert len(notices(org.sales_head, task)) == 1  # the filing only: not their own rejection


def test_follow_and_stop_following_from_the_page(org, support, file_request, client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    task = file_request(support)
    login(client, org.purchasing_head)  # sees it: it waits for their department
    page = client.get(f"/requests/{task.number}/").content.decode()
    assert "Follow" in page and "CC and followers" in page
    response = client.post(f"/requests/{task.number}/follow/", follow=True)
    assert "You follow" in response.content.decode()
    assert task.watchers.filter(pk=org.purchasing_head.pk).exists()
    assert "Stop following" in client.get(f"/requests/{task.number}/").content.decode()
    services.task_accept(task=task, by=org.purchasing_head, assignee=org.assignee)
    assert notices(org.purchasing_head, task) == []  # their own step
    client.post(f"/requests/{task.number}/follow/")
    assert not task.watchers.filter(pk=org.purchasing_head.pk).exists()
    # Someone who may not see the request cannot follow it.
    login(client, org.outsider)
    assert client.post(f"/requests/{task.number}/follow/").status_code == 404
    assert client.get(f"/requests/{task.number}/follow/").status_code == 405
    assert not task.watchers.filter(pk=org.outsider.pk).exists()
