"""Admins place and lift a legal hold on the request's and the document's admin page, with a reason,
logged on the object's timeline; nothing else of the row changes there."""

import pytest
from django.utils import timezone

from core.models import ActionLog
from documents.models import Document, DocumentKind
from tasks.models import RequestType, Task

pytestmark = pytest.mark.django_db

TASK_INLINES = {
    "approvals-TOTAL_FORMS": "0",
    "approvals-INITIAL_FORMS": "0",
    "core-actionlog-content_type-object_id-TOTAL_FORMS": "0",
    "core-actionlog-content_type-object_id-INITIAL_FORMS": "0",
}
DOCUMENT_INLINES = {
    "opinions-TOTAL_FORMS": "0",
    "opinions-INITIAL_FORMS": "0",
    "readers-TOTAL_FORMS": "0",
    "readers-INITIAL_FORMS": "0",
    "openings-TOTAL_FORMS": "0",
    "openings-INITIAL_FORMS": "0",
    "core-actionlog-content_type-object_id-TOTAL_FORMS": "0",
    "core-actionlog-content_type-object_id-INITIAL_FORMS": "0",
}


@pytest.fixture
def task(org):
    request_type = RequestType.objects.create(department=org.purchasing, code="buy", name="采购", name_en="Purchase")
    return Task.objects.create(
        number="REQ-1",
        title="采购打印机",
        request_type=request_type,
        requester=org.requester,
        requesting_department=org.sales,
        target_department=org.purchasing,
        state="done",
        closed_at=timezone.now(),
    )


def test_admin_places_a_hold_with_a_reason_and_it_is_logged(client, org, task):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(org.admin)
    url = f"/admin/tasks/task/{task.pk}/change/"
    assert client.get(url).status_code == 200
    refused = client.post(url, {"legal_hold": "on", "legal_hold_reason": " ", **TASK_INLINES})
    assert refused.status_code == 200 and "Say why the legal hold is placed" in refused.content.decode()
    assert not Task.objects.get(pk=task.pk).legal_hold
    response = client.post(url, {"legal_hold": "on", "legal_hold_reason": "合同纠纷", **TASK_INLINES})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.legal_hold and task.legal_hold_reason == "合同纠纷" and task.state == "done"
    entry = ActionLog.objects.get(object_id=task.pk, action="legal_hold.placed")
    assert entry.actor == org.admin and entry.comment == "合同纠纷"
    client.post(url, {"legal_hold_reason": "", **TASK_INLINES})
    assert not Task.objects.get(pk=task.pk).legal_hold
    assert ActionLog.objects.filter(object_id=task.pk, action="legal_hold.lifted").exists()


def test_admin_holds_a_document(client, org):
    document = Document.objects.create(
        kind=DocumentKind.values[0],
        title="通知",
        recipients="各部门",
        body="正文",
        department=org.purchasing,
        drafter=org.purchasing_head,
    )
    client.force_login(org.admin)
    url = f"/admin/documents/document/{document.pk}/change/"
    response = client.post(url, {"legal_hold": "on", "legal_hold_reason": "审计", **DOCUMENT_INLINES})
    assert response.status_code == 302
    assert Document.objects.get(pk=document.pk).legal_hold


def test_a_non_admin_cannot_reach_the_hold(client, org, task):
    client.force_login(org.requester)
    response = client.post(f"/admin/tasks/task/{task.pk}/change/", {"legal_hold": "on", "legal_hold_reason": "x"})
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert not Task.objects.get(pk=task.pk).legal_hold
