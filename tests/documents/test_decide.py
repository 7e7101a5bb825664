"""核稿, 会签, 签发 and 签收 from the e-mail's links: the same refusals as for requests, and the
POST goes through the document's own step."""

import re

import pytest
from django.core import mail

from core.models import ActionLog
from documents import services
from documents.models import Document, Opinion
from notifications.models import DecisionLink, NotificationPreference
from tests.conftest import login

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client):
    """The messages below are checked in English; the portal's default language is Chinese."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


LINK = re.compile(r"https?://[^\s\"<]+(/decide/[\w-]+/)")


def links_for(person) -> list[str]:
    message = [m for m in mail.outbox if m.to == [person.email]][-1]
    return LINK.findall(message.body)


@pytest.fixture
def by_email(org):
    for person in (org.sales_head, org.purchasing_head, org.leader, org.assignee):
        NotificationPreference.objects.create(user=person, email_kinds=["documents"])


@pytest.fixture
def countersigning(org, by_email, django_capture_on_commit_callbacks):
    document = services.document_create(
        by=org.requester,
        kind="notice",
        title="关于年度盘点的通知",
        recipients="采购部",
        body="请各部门配合盘点。",
        countersign_departments=[org.purchasing],
        recipient_departments=[org.purchasing],
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.document_submit(document=document, by=org.requester)
    review_links = links_for(org.sales_head)
    with django_capture_on_commit_callbacks(execute=True):
        services.document_review(document=document, by=org.sales_head, agree=True)
    document.refresh_from_db()
    assert document.state == "countersigning"
    return document, review_links


def test_the_countersign_e_mail_carries_agree_and_return(org, countersigning):
    document, _review = countersigning
    agree, back = links_for(org.purchasing_head)
    assert agree != back
    assert list(DecisionLink.objects.filter(user=org.purchasing_head).values_list("action", flat=True)) == [
        "countersign.agree",
        "countersign.return",
    ]


def test_countersign_from_the_link_goes_through_the_step(client, org, countersigning, django_assert_max_num_queries):
    document, _review = countersigning
    agree, _back = links_for(org.purchasing_head)
    login(client, org.purchasing_head)
    with django_assert_max_num_queries(16):
        page = client.get(agree)
    assert page.status_code == 200
    html = page.content.decode()
    assert document.title in html and re.search(r'value="agree"[^>]*checked', html)
    assert not Opinion.objects.filter(stage="countersign").exists()  # the GET changed nothing
    response = client.post(agree, {"decision": "agree", "text": "无意见", "department": org.purchasing.pk})
    assert response.status_code == 302 and response["Location"] == f"/documents/{document.pk}/"
    document.refresh_from_db()
    assert document.state == "pending_issue"
    opinion = Opinion.objects.get(stage="countersign")
    assert opinion.author == org.purchasing_head and opinion.text == "无意见"
    assert ActionLog.objects.filter(object_id=document.pk, action="document.countersigned").count() == 1
    # Used: again, it says so.
    again = client.get(agree)
    assert again.status_code == 410


def test_a_return_needs_its_reason_and_keeps_the_link_until_then(client, org, countersigning):
    document, _review = countersigning
    _agree, back = links_for(org.purchasing_head)
    login(client, org.purchasing_head)
    refused = client.post(back, {"decision": "return", "text": "", "department": org.purchasing.pk})
    assert refused.status_code == 400
    assert DecisionLink.objects.get(user=org.purchasing_head, action="countersign.return").used_at is None
    done = client.post(back, {"decision": "return", "text": "盘点时间冲突", "department": org.purchasing.pk})
    assert done.status_code == 302
    document.refresh_from_db()
    assert document.state == "draft"


def test_a_review_link_after_the_review_was_done_says_so(client, org, countersigning):
    document, (review_agree, _review_return) = countersigning
    login(client, org.sales_head)
    response = client.get(review_agree)
    assert response.status_code == 409 and "already taken" in response.content.decode()
    assert client.post(review_agree, {"decision": "agree"}).status_code == 409
    assert Document.objects.get(pk=document.pk).state == "countersigning"


def test_a_forwarded_countersign_link_does_nothing(client, org, countersigning):
    document, _review = countersigning
    agree, _back = links_for(org.purchasing_head)
    login(client, org.assignee)
    response = client.post(agree, {"decision": "agree", "department": org.purchasing.pk})
    assert response.status_code == 403
    assert Document.objects.get(pk=document.pk).state == "countersigning"


def test_sign_off_and_acknowledge_from_links(client, org, countersigning, django_capture_on_commit_callbacks):
    document, _review = countersigning
    with django_capture_on_commit_callbacks(execute=True):
        services.document_countersign(document=document, by=org.purchasing_head, department=org.purchasing, agree=True)
    sign, _back = links_for(org.leader)
    login(client, org.leader)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(sign, {"decision": "agree", "text": "同意印发"})
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.state == "issued" and document.number_id is not None
    with django_capture_on_commit_callbacks(execute=True):
        services.document_distribute(document=document, by=org.requester)
    (acknowledge,) = links_for(org.purchasing_head)
    login(client, org.purchasing_head)
    page = client.get(acknowledge)
    assert page.status_code == 200 and document.title in page.content.decode()
    assert not document.acknowledgements.filter(at__isnull=False).exists()
    assert client.post(acknowledge, {}).status_code == 302
    ack = document.acknowledgements.get(department=org.purchasing)
    assert ack.at is not None and ack.by == org.purchasing_head
