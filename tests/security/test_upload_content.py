"""A file's content must be what its name says, on every path a file comes in by: a Windows
executable named invoice.pdf is refused everywhere with a message naming it, and nothing is saved;
stored files are always served as opaque downloads."""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from documents import services as document_services
from documents.models import Document, DocumentAttachment, DocumentTemplate, IncomingDocument
from tasks import services as task_services
from tasks.models import Attachment, Comment, RequestField, Task
from tests.conftest import login
from tests.documents.test_views import draft_data
from tests.samples import WINDOWS_EXE, sample

pytestmark = pytest.mark.django_db


def exe(name="invoice.pdf"):
    return SimpleUploadedFile(name, WINDOWS_EXE, content_type="application/pdf")


def refused(text: str, name="invoice.pdf") -> bool:
    return name in text and ("does not match its type" in text or "不符" in text)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


def filing(**extra):
    return {"title": "采购", "f_amount": "100", "priority": "2", "action": "submit", **extra}


def test_filing_attachments(client, org, purchase):
    login(client, org.requester)
    response = client.post("/requests/new/purchase/", filing(attachments=[exe()]))
    assert response.status_code == 200
    assert refused(str(response.context["form"].errors["attachments"]))
    assert not Task.objects.exists() and not Attachment.objects.exists()
    response = client.post(
        "/requests/new/purchase/", filing(attachments=[SimpleUploadedFile("报价.pdf", sample("pdf"))])
    )
    assert response.status_code == 302 and Attachment.objects.get().name == "报价.pdf"


def test_filing_file_fields(client, org, purchase):
    RequestField.objects.create(request_type=purchase, key="quote", label="报价单", kind=RequestField.Kind.FILE)
    login(client, org.requester)
    response = client.post("/requests/new/purchase/", filing(f_quote=exe()))
    assert response.status_code == 200
    assert refused(str(response.context["form"].errors["f_quote"]))
    assert not Task.objects.exists() and not Attachment.objects.exists()


def test_filing_through_the_service(org, purchase):
    with pytest.raises(task_services.TaskError) as error:
        task_services.task_create(
            by=org.requester, request_type=purchase, title="采购", values={"amount": "100"}, attachments=[exe()]
        )
    assert refused(str(error.value))
    assert not Task.objects.exists() and not Attachment.objects.exists()


def test_comment_files(client, org, in_state):
    task = in_state("in_progress")
    comments = Comment.objects.count()
    login(client, org.assignee)
    response = client.post(f"/requests/{task.number}/do/comment/", {"body": "发票", "files": [exe()]})
    assert response.status_code == 302
    assert any(refused(str(message)) for message in get_messages(response.wsgi_request))
    assert Comment.objects.count() == comments and not Attachment.objects.exists()
    with pytest.raises(task_services.TaskError):
        task_services.task_comment(task=task, by=org.assignee, body="发票", attachments=[exe()])
    assert Comment.objects.count() == comments and not Attachment.objects.exists()


def test_document_attachments(client, org):
    login(client, org.requester)
    response = client.post("/documents/new/", {**draft_data(), "attachments": [exe()]})
    assert response.status_code == 200 and refused(response.content.decode())
    assert not Document.objects.exists() and not DocumentAttachment.objects.exists()


def test_received_documents(client, org):
    org.requester.user_permissions.add(Permission.objects.get(codename="add_incomingdocument"))
    login(client, org.requester)
    data = {
        "title": "来文",
        "source": "某单位",
        "received_on": "2026-11-27",
        "urgency": "normal",
        "departments": [org.purchasing.pk],
    }
    response = client.post("/documents/incoming/new/", {**data, "file": exe()})
    assert response.status_code == 200 and refused(response.content.decode())
    assert not IncomingDocument.objects.exists() and not Task.objects.exists()
    with pytest.raises(document_services.DocumentError):
        document_services.incoming_register(
            by=org.requester, title="来文", source="某单位", file=exe(), departments=[org.purchasing]
        )
    assert not IncomingDocument.objects.exists() and not Task.objects.exists()


def test_document_templates(client, org):
    login(client, org.admin)
    response = client.post(
        "/admin/documents/documenttemplate/add/",
        {"name": "红头", "kind": "", "is_active": "on", "file": exe("红头.docx")},
    )
    assert response.status_code == 200 and refused(response.content.decode(), "红头.docx")
    with pytest.raises(document_services.DocumentError):
        document_services.template_upload(by=org.admin, name="红头", kind="", upload=exe("红头.docx"))
    assert not DocumentTemplate.objects.exists()


def assert_opaque(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


def test_stored_files_download_opaque_whatever_they_hold(client, org):
    """Files stored before the content check (or by any other way in) still cannot run in the browser."""
    org.requester.user_permissions.add(Permission.objects.get(codename="add_incomingdocument"))
    login(client, org.requester)
    client.post(
        "/documents/incoming/new/",
        {
            "title": "来文",
            "source": "某单位",
            "received_on": "2026-11-27",
            "urgency": "normal",
            "departments": [org.purchasing.pk],
            "file": SimpleUploadedFile("来文.pdf", sample("pdf")),
        },
    )
    incoming = IncomingDocument.objects.get()
    incoming.file.save("old.pdf", ContentFile(b"<html><script>alert(1)</script></html>"))
    assert_opaque(client.get(f"/documents/incoming/{incoming.pk}/file/"))
    client.post("/documents/new/", {**draft_data(), "attachments": [SimpleUploadedFile("清单.xlsx", sample("xlsx"))]})
    attachment = DocumentAttachment.objects.get()
    assert_opaque(client.get(f"/documents/{attachment.document_id}/attachments/{attachment.pk}/"))
    attachment.file.storage.delete(attachment.file.name)  # gone from the storage: a 404, not a 500
    assert client.get(f"/documents/{attachment.document_id}/attachments/{attachment.pk}/").status_code == 404
