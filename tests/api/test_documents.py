"""Documents through the API: draft, the steps of the document page, and the issued .docx."""

import pytest
from django.test import TestCase

from documents.models import Document

pytestmark = pytest.mark.django_db


def test_draft_to_issued_and_the_docx(org, bearer, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    drafter, head, leader = bearer(org.requester), bearer(org.sales_head), bearer(org.leader)
    drafted = drafter.post(
        "/api/v1/documents/",
        {"kind": "notice", "title": "关于安全检查的通知", "recipients": "各部门", "body": "请做好安全检查。"},
        format="json",
    )
    assert drafted.status_code == 201, drafted.content
    pk = drafted.json()["id"]
    assert drafted.json()["state"] == "draft" and "submit" in drafted.json()["allowed_steps"]

    def step(client, name, data=None, expect=200):
        response = client.post(f"/api/v1/documents/{pk}/{name}/", data or {}, format="json")
        assert response.status_code == expect, (name, response.content)
        return response.json()

    step(drafter, "submit")
    step(drafter, "submit", expect=403)  # no longer a draft: the drafter has no such button now
    step(head, "review", {"agree": "maybe"}, expect=400)
    step(head, "review", {"agree": "yes", "text": "同意"})
    assert Document.objects.get(pk=pk).state == "pending_issue"
    with TestCase.captureOnCommitCallbacks(execute=True):
        signed = step(leader, "sign_off", {"agree": "yes", "text": "同意印发"})
    assert signed["document"]["state"] == "issued" and signed["document"]["number"]
    detail = drafter.get(f"/api/v1/documents/{pk}/").json()
    assert detail["docx"] and [o["stage"] for o in detail["opinions"]]
    docx = drafter.get(f"/api/v1/documents/{pk}/docx/")
    assert docx.status_code == 200
    assert b"".join(docx.streaming_content)[:2] == b"PK"  # a .docx is a zip
    assert bearer(org.outsider).get(f"/api/v1/documents/{pk}/docx/").status_code == 404


def test_a_bad_draft_is_400_and_saves_nothing(org, bearer):
    client = bearer(org.requester)
    for body in (
        {"kind": "nope", "title": "x"},
        {"title": "\x00"},
        {"countersign_departments": [10**30]},
        {"kind": "notice", "title": "x", "recipients": "x", "body": "x", "recipient_departments": ["9" * 30]},
        [1],
    ):
        response = client.post("/api/v1/documents/", body, format="json")
        assert response.status_code == 400, (body, response.content)
    assert not Document.objects.exists()
