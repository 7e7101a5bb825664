"""Issue #20: one click restores an earlier version of a request type (published again as a new
version), with a confirmation step only when a draft's unpublished changes would be lost."""

from decimal import Decimal

import pytest
from django.utils import translation

from catalogue import services as catalogue
from core.models import ActionLog
from tasks import services
from tasks.models import RequestType, RequestTypeAction
from tests.conftest import login

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def two_versions(org, purchase):
    """purchase published as version 1 (accept in 4 h), then version 2 (accept in 8 h)."""
    services.request_type_publish(request_type=purchase, by=org.purchasing_head)
    catalogue.guide_update(request_type=purchase, by=org.purchasing_head, guide={"accept_sla_hours": "8"})
    services.request_type_publish(request_type=purchase, by=org.purchasing_head)
    purchase.refresh_from_db()
    assert purchase.current_version.number == 2 and purchase.accept_sla_hours == Decimal(8)
    return purchase


def test_one_post_publishes_an_earlier_version_again(client, org, two_versions):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(client, org.purchasing_head)
    page = client.get("/catalogue/purchase/").content.decode()
    # v1 offers the one-click form (a POST button); v2 is current and offers none.
    assert 'action="/catalogue/purchase/versions/1/publish/"' in page
    assert "/catalogue/purchase/versions/2/publish/" not in page

    response = client.post("/catalogue/purchase/versions/1/publish/")
    assert response.status_code == 302 and response["Location"] == "/catalogue/purchase/"
    purchase = RequestType.objects.get(pk=two_versions.pk)
    assert purchase.current_version.number == 3 and purchase.draft is None
    assert purchase.accept_sla_hours == Decimal(4)
    assert purchase.current_version.snapshot["guide"]["accept_sla_hours"] == "4.0"
    log = ActionLog.objects.filter(action=RequestTypeAction.RESTORED_PUBLISHED).get()
    assert log.actor == org.purchasing_head and log.data == {"version": 3, "restored": 1, "draft_discarded": False}
    page = client.get("/catalogue/purchase/").content.decode()
    assert "Version 1 published again as version 3" in page and "(from version 1)" in page
    # The settings history shows what the restore changed back.
    entries = client.get("/settings-history/?kind=request-type").context["page"].object_list
    texts = [change.as_text() for entry in entries for change in entry.changes]
    assert any("8.0" in text and "4.0" in text for text in texts), texts


def test_a_pending_draft_asks_first_and_is_discarded_only_when_confirmed(client, org, two_versions):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    catalogue.guide_update(request_type=two_versions, by=org.purchasing_head, guide={"name": "草稿里的名字"})
    login(client, org.purchasing_head)
    page = client.get("/catalogue/purchase/").content.decode()
    assert 'href="/catalogue/purchase/versions/1/publish/"' in page  # a link to the confirmation page

    # The one POST without the confirmation (a stale page, a crafted request) changes nothing.
    asked = client.post("/catalogue/purchase/versions/1/publish/")
    assert asked.status_code == 200
    text = asked.content.decode()
    assert "never published" in text and "discards them" in text and 'name="discard_draft"' in text
    purchase = RequestType.objects.get(pk=two_versions.pk)
    assert purchase.current_version.number == 2 and purchase.draft["guide"]["name"] == "草稿里的名字"

    assert client.get("/catalogue/purchase/versions/1/publish/").status_code == 200
    done = client.post("/catalogue/purchase/versions/1/publish/", {"discard_draft": "1"})
    assert done.status_code == 302
    purchase = RequestType.objects.get(pk=two_versions.pk)
    assert purchase.current_version.number == 3 and purchase.draft is None
    assert purchase.name == "采购申请" and purchase.accept_sla_hours == Decimal(4)
    log = ActionLog.objects.filter(action=RequestTypeAction.RESTORED_PUBLISHED).get()
    assert log.data["draft_discarded"] is True


def test_the_service_refuses_what_would_lose_or_repeat_something(org, two_versions, support):
    from tasks.services import TaskError

    v1, v2 = two_versions.versions.order_by("number")
    with pytest.raises(TaskError, match="current version already"):
        services.request_type_publish_version(request_type=two_versions, by=org.purchasing_head, version=v2)
    catalogue.guide_update(request_type=two_versions, by=org.purchasing_head, guide={"name": "x"})
    with pytest.raises(TaskError, match="unpublished changes"):
        services.request_type_publish_version(request_type=two_versions, by=org.purchasing_head, version=v1)
    with pytest.raises(TaskError, match="administrators"):
        services.request_type_publish_version(
            request_type=two_versions, by=org.sales_head, version=v1, discard_draft=True
        )
    with pytest.raises(TaskError, match="another request type"):
        services.request_type_publish_version(
            request_type=support, by=org.purchasing_head, version=v1, discard_draft=True
        )
    assert RequestType.objects.get(pk=two_versions.pk).current_version_id == v2.pk


def test_restoring_into_the_draft_still_works(client, org, two_versions):
    login(client, org.purchasing_head)
    assert client.post("/catalogue/purchase/versions/1/restore/").status_code == 302
    purchase = RequestType.objects.get(pk=two_versions.pk)
    assert purchase.current_version.number == 2 and purchase.draft["guide"]["accept_sla_hours"] == "4.0"


def test_unknown_versions_and_other_departments_get_404(client, org, two_versions):
    login(client, org.purchasing_head)
    assert client.post("/catalogue/purchase/versions/9/publish/").status_code == 404
    login(client, org.sales_head)
    assert client.post("/catalogue/purchase/versions/1/publish/").status_code == 404
    assert RequestType.objects.get(pk=two_versions.pk).current_version.number == 2
