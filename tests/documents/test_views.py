"""The document pages: draft, submit, review, sign off and download through the forms; outsiders
get 404, the wrong person 403, and stale clicks an "already handled" message."""

import io
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from docx import Document as Docx

from core import rendering
from departments.models import Delegation
from documents import services
from documents.models import Document
from tests.conftest import login

pytestmark = pytest.mark.django_db


def draft_data(**extra):
    data = {
        "kind": "notice",
        "title": "关于年终盘点的通知",
        "recipients": "各部门",
        "cc": "",
        "body": "请于月底前完成盘点。",
        "urgency": "normal",
        "secrecy": "internal",
    }
    data.update(extra)
    return data


def test_draft_review_sign_off_and_download(client, org, settings, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = str(settings.VAR_DIR / "media-views")
    login(client, org.requester)
    response = client.post("/documents/new/", draft_data(recipient_departments=[org.purchasing.pk]))
    document = Document.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/documents/{document.pk}/"
    client.post(f"/documents/{document.pk}/do/submit/")
    login(client, org.sales_head)
    assert f"/documents/{document.pk}/" in client.get("/documents/").content.decode()  # waiting for me
    client.post(f"/documents/{document.pk}/do/review/", {"agree": "yes", "text": "同意"})
    login(client, org.leader)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/documents/{document.pk}/do/sign_off/", {"agree": "yes", "text": "同意印发"})
    document.refresh_from_db()
    assert document.state == "issued" and document.number is not None
    page = client.get(f"/documents/{document.pk}/").content.decode()
    assert document.number.text in page and "同意印发" in page
    job = rendering.latest(document, "document")
    download = client.get(f"/files/{job.pk}/")
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    docx = Docx(io.BytesIO(b"".join(download.streaming_content)))
    assert document.number.text in [p.text for p in docx.paragraphs]


def test_bad_draft_is_refused_and_nothing_saved(client, org):
    login(client, org.requester)
    response = client.post("/documents/new/", draft_data(title="", kind="poem"))
    assert response.status_code == 200 and {"title", "kind"} <= set(response.context["form"].errors)
    assert not Document.objects.exists()


def test_outsiders_get_404_and_the_wrong_person_403(client, org):
    login(client, org.requester)
    client.post("/documents/new/", draft_data())
    document = Document.objects.get()
    login(client, org.outsider)
    assert client.get(f"/documents/{document.pk}/").status_code == 404
    assert client.post(f"/documents/{document.pk}/do/submit/").status_code == 404
    login(client, org.sales_head)  # sees it (same department), may not submit someone else's draft
    assert client.get(f"/documents/{document.pk}/").status_code == 200
    assert client.post(f"/documents/{document.pk}/do/submit/").status_code == 403
    assert client.post(f"/documents/{document.pk}/do/explode/").status_code == 404
    assert client.get(f"/documents/{document.pk}/do/submit/").status_code == 405
    assert Document.objects.get().state == "draft"


def test_review_without_a_decision_gets_a_message(client, org):
    login(client, org.requester)
    client.post("/documents/new/", draft_data())
    document = Document.objects.get()
    client.post(f"/documents/{document.pk}/do/submit/")
    login(client, org.sales_head)
    response = client.post(f"/documents/{document.pk}/do/review/", {"agree": "maybe"}, follow=True)
    assert any(m.level_tag == "error" for m in response.context["messages"])
    assert Document.objects.get().state == "reviewing"


def _pending_sign_off(client, org) -> Document:
    login(client, org.requester)
    client.post("/documents/new/", draft_data())
    document = Document.objects.get()
    client.post(f"/documents/{document.pk}/do/submit/")
    login(client, org.sales_head)
    client.post(f"/documents/{document.pk}/do/review/", {"agree": "yes"})
    return document


def test_sign_off_says_which_number_the_document_took(client, org):
    document = _pending_sign_off(client, org)
    login(client, org.leader)
    response = client.post(f"/documents/{document.pk}/do/sign_off/", {"agree": "yes"}, follow=True)
    document.refresh_from_db()
    message = str(list(response.context["messages"])[-1])
    assert document.number.text in message and message != "Done."


def test_the_slower_of_leader_and_delegate_is_told_who_signed_off(client, org):
    today = timezone.localdate()
    Delegation.objects.create(
        delegator=org.leader, delegate=org.sales_deputy, starts_on=today, ends_on=today + timedelta(days=1)
    )
    document = _pending_sign_off(client, org)
    login(client, org.leader)
    client.post(f"/documents/{document.pk}/do/sign_off/", {"agree": "yes"})
    login(client, org.sales_deputy)  # the delegate's page still showed the sign-off form
    response = client.post(f"/documents/{document.pk}/do/sign_off/", {"agree": "yes"}, follow=True)
    assert response.status_code == 200
    message = list(response.context["messages"])[-1]
    assert message.level_tag == "warning" and org.leader.name in str(message)
    assert Document.objects.get().opinions.filter(stage="sign_off").count() == 1


def test_a_sign_off_that_lost_the_race_names_the_winner(org):
    """Both passed the page's check; the second waits for the row lock and finds it issued."""
    document = _pending_sign_off(Client(), org)
    stale = Document.objects.get(pk=document.pk)
    services.document_sign_off(document=document, by=org.leader)
    with pytest.raises(services.DocumentConflict, match=org.leader.name):
        services.document_sign_off(document=stale, by=org.leader)
