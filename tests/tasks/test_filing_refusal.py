"""The filing page leaves "who may file" to the filing service (tasks/services/filing.py): a filer
it refuses reads why on the page before typing, and a POST is refused with the same words, with
nothing saved."""

import pytest

from catalogue import services as catalogue
from tasks import services
from tasks.models import Task
from tests.conftest import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def purchasing_only(org, purchase):
    """purchase, open to 采购部's people only."""
    services.request_type_publish(request_type=purchase, by=org.purchasing_head)
    catalogue.guide_update(
        request_type=purchase, by=org.purchasing_head, guide={"filing_departments": [org.purchasing.pk]}
    )
    services.request_type_publish(request_type=purchase, by=org.purchasing_head)
    purchase.refresh_from_db()
    assert purchase.filing_restricted
    return purchase


def test_a_refused_filer_reads_why_and_files_nothing(client, org, purchasing_only):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(client, org.requester)  # 销售部
    page = client.get("/requests/new/purchase/")
    assert page.status_code == 200
    assert "open only to the departments its guide names" in page.content.decode().split('id="filing-refusal"')[1]
    data = {"title": "越权", "priority": "2", "f_amount": "5", "action": "submit"}
    refused = client.post("/requests/new/purchase/", data)
    assert refused.status_code == 200
    assert "open only to the departments its guide names" in " ".join(refused.context["form"].non_field_errors())
    assert not Task.objects.exists()


def test_a_filer_it_names_files_as_usual(client, org, purchasing_only):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(client, org.assignee)  # 采购部
    page = client.get("/requests/new/purchase/").content.decode()
    assert 'id="filing-refusal"' not in page
    data = {"title": "本部门", "priority": "2", "f_amount": "5", "action": "draft"}
    assert client.post("/requests/new/purchase/", data).status_code == 302
    assert Task.objects.get().title == "本部门"


def test_someone_of_no_department_reads_why(client, org, support):
    from tests.factories import UserFactory

    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    loner = UserFactory(username="loner")
    login(client, loner)
    page = client.get("/requests/new/support/").content.decode()
    assert "You belong to no department" in page
    assert client.post("/requests/new/support/", {"title": "x", "priority": "2"}).status_code == 200
    assert not Task.objects.exists()
