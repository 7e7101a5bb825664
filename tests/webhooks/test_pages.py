"""The webhook pages: who may open them (outsider, member, head of another department, head,
admin), what they do, and their query counts."""

import pytest
from django.test import Client

from core.actions import actions_of
from tests.conftest import login
from webhooks.models import Delivery, Endpoint, Event

pytestmark = pytest.mark.django_db

PUBLIC = "https://93.184.216.34/hooks"


@pytest.fixture
def endpoint(org):
    return Endpoint.objects.create(
        name="采购 ERP",
        url=PUBLIC,
        department=org.purchasing,
        events=[Event.REQUEST_FILED, Event.REQUEST_ASSIGNED],
        created_by=org.purchasing_head,
    )


@pytest.fixture
def sent(endpoint):
    return Delivery.objects.create(
        endpoint=endpoint,
        key="request.filed:log:1",
        message_id="msg_1",
        event=Event.REQUEST_FILED,
        body="{}",
        status=Delivery.Status.SENT,
        attempts=1,
        response_code=200,
    )


PERSONAS = ["anonymous", "outsider", "requester", "sales_head", "purchasing_head", "admin"]


def client_for(org, persona) -> Client:
    client = Client()
    if persona != "anonymous":
        login(client, getattr(org, persona))
    return client


# persona → expected status, for pages about no endpoint and for pages of purchasing's endpoint.
LIST = {"outsider": 403, "requester": 403, "sales_head": 200, "purchasing_head": 200, "admin": 200}
OWN = {"outsider": 403, "requester": 403, "sales_head": 404, "purchasing_head": 200, "admin": 200}
ACT = {"outsider": 403, "requester": 403, "sales_head": 404, "purchasing_head": 302, "admin": 302}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("page", ["list", "new"])
def test_general_pages(org, endpoint, persona, page):
    url = {"list": "/webhooks/", "new": "/webhooks/new/"}[page]
    response = client_for(org, persona).get(url)
    if persona == "anonymous":
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
        return
    assert response.status_code == LIST[persona]
    if page == "list" and response.status_code == 200:
        assert ("采购 ERP" in response.content.decode()) == (persona in ("purchasing_head", "admin"))


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("page", ["detail", "edit"])
def test_endpoint_pages(org, endpoint, sent, persona, page):
    url = f"/webhooks/{endpoint.pk}/" + ("edit/" if page == "edit" else "")
    response = client_for(org, persona).get(url)
    if persona == "anonymous":
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
        return
    assert response.status_code == OWN[persona]
    if response.status_code == 200 and page == "detail":
        text = response.content.decode()
        assert endpoint.secret in text and "msg_1" not in text and "200" in text


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("action", ["rotate", "pause", "delete", "resend"])
def test_actions(org, endpoint, sent, persona, action):
    url = f"/webhooks/{endpoint.pk}/{action}/"
    if action == "resend":
        url = f"/webhooks/{endpoint.pk}/deliveries/{sent.pk}/resend/"
    client = client_for(org, persona)
    assert client.get(url).status_code in (302, 405)  # never a change on GET
    secret = endpoint.secret
    response = client.post(url)
    if persona == "anonymous":
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    else:
        assert response.status_code == ACT[persona]
    changed = ACT.get(persona) == 302
    if action == "rotate":
        assert (Endpoint.objects.get().secret != secret) == changed
    elif action == "pause":
        assert (Endpoint.objects.get().status == "paused") == changed
    elif action == "delete":
        assert Endpoint.objects.exists() != changed
    else:
        sent.refresh_from_db()
        assert (sent.status != "sent") == changed or (changed and sent.attempts == 1)


def test_a_head_registers_for_their_own_department_only(client, org):
    login(client, org.sales_head)
    page = client.get("/webhooks/new/").content.decode()
    assert "销售部" in page and "采购部" not in page
    assert "allow_private" not in page
    refused = client.post(
        "/webhooks/new/",
        {"name": "ERP", "url": PUBLIC, "department": org.purchasing.pk, "events": [Event.REQUEST_FILED]},
    )
    assert refused.status_code == 200 and not Endpoint.objects.exists()
    saved = client.post(
        "/webhooks/new/",
        {"name": "ERP", "url": PUBLIC, "department": org.sales.pk, "events": [Event.REQUEST_FILED, "nonsense"]},
    )
    assert saved.status_code == 200 and not Endpoint.objects.exists()  # an unknown event is refused
    saved = client.post(
        "/webhooks/new/",
        {"name": "ERP", "url": PUBLIC, "department": org.sales.pk, "events": [Event.REQUEST_FILED]},
    )
    endpoint = Endpoint.objects.get()
    assert saved.status_code == 302 and endpoint.department == org.sales and not endpoint.allow_private
    assert [a.action for a in actions_of(endpoint)] == ["webhook.created"]


def test_a_head_editing_keeps_what_a_superuser_allowed(client, org):
    endpoint = Endpoint.objects.create(
        name="local",
        url="http://127.0.0.1:9000/",
        department=org.purchasing,
        events=[Event.REQUEST_FILED],
        allow_private=True,
        created_by=org.admin,
    )
    login(client, org.purchasing_head)
    response = client.post(
        f"/webhooks/{endpoint.pk}/edit/",
        {
            "name": "local 2",
            "url": "http://127.0.0.1:9001/",
            "department": org.purchasing.pk,
            "events": ["request.filed"],
        },
    )
    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.name == "local 2" and endpoint.allow_private


def test_pause_and_resume_from_the_page(client, org, endpoint):
    login(client, org.purchasing_head)
    client.post(f"/webhooks/{endpoint.pk}/pause/")
    page = client.get(f"/webhooks/{endpoint.pk}/").content.decode()
    assert "Paused by" in page or "暂停" in page
    assert Endpoint.objects.get().status == "paused"
    again = client.post(f"/webhooks/{endpoint.pk}/pause/", follow=True)
    assert "already paused" in again.content.decode() or "已暂停" in again.content.decode()
    client.post(f"/webhooks/{endpoint.pk}/resume/")
    assert Endpoint.objects.get().status == "active"


def test_pages_in_both_languages(client, org, endpoint, sent):
    from django.utils import translation

    with translation.override("zh-hans"):
        if translation.gettext("Recent deliveries") == "Recent deliveries":
            pytest.skip("locale/pending/webhooks.po is not merged into the catalogue yet (make messages)")
    login(client, org.admin)
    english = client.get(f"/webhooks/{endpoint.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Recent deliveries" in english and "Send again" in english
    chinese = client.get(f"/webhooks/{endpoint.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "最近的投递" in chinese and "重新发送" in chinese and "Send again" not in chinese


def test_query_counts_do_not_grow_with_rows(client, org, endpoint, django_assert_max_num_queries):
    login(client, org.purchasing_head)
    with django_assert_max_num_queries(12) as few:
        assert client.get("/webhooks/").status_code == 200
    for n in range(10):
        Endpoint.objects.create(
            name=f"ERP {n}", url=PUBLIC, department=org.purchasing, events=[Event.REQUEST_FILED], created_by=org.admin
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/webhooks/").status_code == 200
    with django_assert_max_num_queries(12) as few:
        assert client.get(f"/webhooks/{endpoint.pk}/").status_code == 200
    Delivery.objects.bulk_create(
        Delivery(endpoint=endpoint, key=f"k{n}", message_id=f"msg_{n}", event=Event.REQUEST_FILED, body="{}")
        for n in range(60)
    )
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(f"/webhooks/{endpoint.pk}/")
    assert page.content.decode().count("<tr>") == 51  # the head row and the 50 latest
