"""The media disk is full: whoever uploads gets a clear message and nothing is half-saved — no
request, comment, document or received document without its file, no stray row."""

import errno

import pytest
from django.contrib.auth.models import Permission
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from departments.models import User
from documents.models import Document, DocumentAttachment, IncomingDocument
from tasks import services
from tasks.models import Attachment, Comment, Task
from tests.conftest import login
from tests.samples import sample
from tests.tasks.conftest import file_request, finance, purchase  # noqa: F401
from tests.tasks.test_views import form_data

pytestmark = pytest.mark.django_db
FULL = "storage is full or unavailable"


@pytest.fixture
def disk_full(monkeypatch, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    User.objects.update(language="en")

    def refuse(self, name, content):
        raise OSError(errno.ENOSPC, "No space left on device", name)

    monkeypatch.setattr(FileSystemStorage, "_save", refuse)
    with translation.override("en"):
        yield tmp_path


def test_filing_with_an_attachment(client, org, purchase, disk_full):  # noqa: F811
    login(client, org.requester)
    response = client.post(
        "/requests/new/purchase/", form_data(attachments=[SimpleUploadedFile("报价单.pdf", b"%PDF-1.4")])
    )
    assert response.status_code == 200 and FULL in response.content.decode()
    assert not Task.objects.exists() and not Attachment.objects.exists()
    assert not any(disk_full.rglob("*.pdf"))


def test_a_comment_with_a_file(client, org, purchase, file_request, monkeypatch, disk_full):  # noqa: F811
    task = file_request(purchase)
    login(client, org.requester)
    response = client.post(
        f"/requests/{task.number}/do/comment/",
        {"body": "补充报价", "files": [SimpleUploadedFile("quote.pdf", b"%PDF-1.4")]},
        follow=True,
    )
    assert response.status_code == 200 and FULL in response.content.decode()
    assert not Comment.objects.filter(task=task).exists() and not Attachment.objects.exists()


def test_a_draft_document_with_an_attachment(client, org, disk_full):
    login(client, org.requester)
    response = client.post(
        "/documents/new/",
        {
            "kind": "notice",
            "title": "关于盘点的通知",
            "recipients": "各部门",
            "body": "正文",
            "urgency": "normal",
            "secrecy": "internal",
            "attachments": [SimpleUploadedFile("清单.xlsx", sample("xlsx"))],
        },
    )
    assert response.status_code == 200 and FULL in response.content.decode()
    assert not Document.objects.exists() and not DocumentAttachment.objects.exists()


def test_a_received_document(client, org, disk_full):
    org.requester.user_permissions.add(Permission.objects.get(codename="add_incomingdocument"))
    login(client, org.requester)
    response = client.post(
        "/documents/incoming/new/",
        {
            "title": "来文",
            "source": "市应急管理局",
            "received_on": "2026-11-27",
            "urgency": "normal",
            "file": SimpleUploadedFile("来文.pdf", b"%PDF-1.4"),
            "departments": [org.purchasing.pk],
        },
    )
    assert response.status_code == 200 and FULL in response.content.decode()
    assert not IncomingDocument.objects.exists() and not Task.objects.exists()


def test_services_say_the_same(org, purchase, disk_full):  # noqa: F811
    with pytest.raises(services.TaskError, match=FULL):
        services.task_create(
            by=org.requester,
            request_type=purchase,
            title="买电脑",
            values={"amount": "100", "items": "电脑"},
            attachments=[SimpleUploadedFile("a.pdf", sample("pdf"))],
        )
    assert not Task.objects.exists()
