"""Query counts of the pages other test modules do not count: the documents list and a document's
page, notifications, finding people and a person's page. A page's count does not grow with its
rows; and an id in the address beyond any column's range is a 404, never an error."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from documents import services as document_services
from notifications.models import Notification
from tests.conftest import login
from tests.factories import DepartmentFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def _document(org, n: int, **departments):
    return document_services.document_create(
        by=org.requester, kind="notice", title=f"通知{n}", recipients="各部门", body="正文", **departments
    )


def test_the_documents_list_and_a_documents_page_do_not_grow_with_rows(client, org):
    first = _document(org, 0, countersign_departments=[org.purchasing], recipient_departments=[org.hr])
    login(client, org.requester)
    client.get("/documents/?scope=all")  # warm the per-process caches Django keeps (content types)
    lists = {scope: count_queries(client, f"/documents/?scope={scope}") for scope in ("all", "mine", "waiting")}
    page = count_queries(client, f"/documents/{first.pk}/")
    more = [DepartmentFactory(code=f"d{n}", name=f"部门{n}") for n in range(4)]
    for n in range(1, 12):
        _document(org, n, countersign_departments=[org.purchasing, *more], recipient_departments=[org.hr, *more])
    busy = _document(org, 99, countersign_departments=[org.purchasing, *more], recipient_departments=[org.hr, *more])
    assert {scope: count_queries(client, f"/documents/?scope={scope}") for scope in lists} == lists
    assert len(client.get("/documents/?scope=mine").context["documents"]) == 13
    assert count_queries(client, f"/documents/{busy.pk}/") <= page


def test_notifications_do_not_grow_with_rows(client, org):
    login(client, org.requester)
    Notification.objects.create(recipient=org.requester, kind="task.comment", message="消息")
    one = count_queries(client, "/notifications/")
    for n in range(30):
        Notification.objects.create(recipient=org.requester, kind="task.comment", message=f"消息{n}")
    assert count_queries(client, "/notifications/") == one


def test_finding_people_and_a_persons_page_do_not_grow_with_rows(client, org):
    login(client, org.requester)
    found = count_queries(client, "/people/?q=a")
    person = count_queries(client, f"/people/{org.assignee.username}/")
    for n in range(12):
        someone = UserFactory(username=f"a_person{n}")
        MembershipFactory(user=someone, department=org.hr)
        department = DepartmentFactory(code=f"extra{n}", name=f"部门{n}")
        MembershipFactory(user=org.assignee, department=department, is_primary=False)
    assert count_queries(client, "/people/?q=a") == found
    assert count_queries(client, f"/people/{org.assignee.username}/") == person


@pytest.mark.parametrize(
    "url",
    [
        "/documents/{}/",
        "/documents/incoming/{}/",
        "/files/{}/",
        "/teams/{}/",
        "/conflicts/{}/",
        "/me/delegations/{}/end/",
    ],
)
def test_an_id_beyond_any_columns_range_is_not_found(client, org, url):
    login(client, org.admin)
    for pk in (2**31, 10**30):
        assert client.get(url.format(pk)).status_code in (404, 405), (url, pk)
