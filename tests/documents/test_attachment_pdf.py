"""Uploaded word-processing files preview through a PDF made by the real LibreOffice on the
(eager) worker, with the same code path as the issued documents' PDFs (core.pdf): a .docx built
with python-docx attached to a document, a request and a received document; the preview page
opens the PDF in pdf.js, pdftoppm draws its first page, and a stranger gets 404 for both the page
and the PDF. Run with PDF_CONVERSION on, as tests/documents/test_pdf.py."""

import io
import subprocess  # nosec B404 - pdftoppm with fixed arguments

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document as Docx
from PIL import Image

from core import rendering
from documents import services
from documents.models import DocumentAttachment, DocumentOpening, IncomingDocument
from tasks import services as task_services
from tasks.models import Attachment, RequestType
from tests.conftest import login
from tests.documents.test_pdf import needs_pdftoppm, needs_soffice
from tests.tasks.conftest import finance, purchase  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.django_db, needs_soffice, needs_pdftoppm]


def quotation() -> bytes:
    """A real .docx: a heading, a paragraph and a table, in Chinese."""
    document = Docx()
    document.add_heading("办公电脑采购报价单", level=1)
    document.add_paragraph("供应商：某某科技有限公司。报价有效期三十天。")
    table = document.add_table(rows=2, cols=3)
    for cell, text in zip(table.rows[0].cells, ("品名", "数量", "单价"), strict=True):
        cell.text = text
    for cell, text in zip(table.rows[1].cells, ("笔记本电脑", "10", "5000"), strict=True):
        cell.text = text
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def converting(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PDF_CONVERSION = True
    return tmp_path


def first_page(data: bytes, folder) -> Image.Image:
    source = folder / "converted.pdf"
    source.write_bytes(data)
    subprocess.run(  # nosec B603 B607
        ["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "1", "-singlefile", str(source), str(folder / "page")],
        check=True,
        timeout=60,
    )
    return Image.open(folder / "page.png").convert("L")


def assert_previewed_through_pdf(client, folder, *, preview_url: str, download_url: str, job) -> bytes:
    """The preview page draws the job's PDF with pdf.js, the original's download beside it; the
    PDF is served and its first page has text on it."""
    assert job.status == "ready" and job.pdf and not job.pdf_error and job.pdf_seconds > 0, job.pdf_error
    assert not job.file  # a converter keeps the upload where it is
    page = client.get(preview_url).content.decode()
    assert f'data-pdf-url="/files/{job.pk}/pdf/"' in page and "pdf.worker.min.mjs" in page
    assert f'href="{download_url}" download' in page
    response = client.get(f"/files/{job.pk}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    data = b"".join(response.streaming_content)
    assert data.startswith(b"%PDF-")
    picture = first_page(data, folder)
    dark = sum(1 for pixel in picture.getdata() if pixel < 128)
    assert dark > 200  # the heading, the paragraph and the table were drawn
    return data


def test_a_documents_docx_attachment_previews_through_its_pdf(
    client, org, converting, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # the worker runs after the commit (eager here)
        document = services.document_create(
            by=org.requester,
            kind="notice",
            title="关于采购办公电脑的通知",
            recipients="各部门",
            body="报价单见附件。",
            attachments=[SimpleUploadedFile("报价单.docx", quotation())],
        )
    attachment = document.attachments.get()
    job = rendering.latest(attachment, DocumentAttachment.PDF_KIND)
    login(client, org.requester)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    detail = client.get(f"/documents/{document.pk}/").content.decode()
    preview_url = f"/documents/{document.pk}/attachments/{attachment.pk}/preview/"
    assert f'href="{preview_url}"' in detail
    assert_previewed_through_pdf(
        client,
        converting,
        preview_url=preview_url,
        download_url=f"/documents/{document.pk}/attachments/{attachment.pk}/",
        job=job,
    )
    login(client, org.outsider)
    assert client.get(preview_url).status_code == 404
    assert client.get(f"/files/{job.pk}/pdf/").status_code == 404


@pytest.mark.usefixtures("purchase")
def test_a_confidential_requests_docx_previews_only_for_those_who_see_it(
    client, org, converting, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        task = task_services.task_create(
            by=org.requester,
            request_type=RequestType.objects.get(code="purchase"),
            title="涉密采购",
            values={"amount": 500},
            confidential=True,
            submit=True,
            attachments=[SimpleUploadedFile("报价单.docx", quotation())],
        )
    attachment = task.attachments.get()
    job = rendering.latest(attachment, Attachment.PDF_KIND)
    preview_url = f"/requests/{task.number}/files/{attachment.pk}/preview/"
    login(client, org.sales_head)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert f'href="{preview_url}"' in client.get(f"/requests/{task.number}/").content.decode()
    assert_previewed_through_pdf(
        client,
        converting,
        preview_url=preview_url,
        download_url=f"/requests/{task.number}/files/{attachment.pk}/",
        job=job,
    )
    # a member of 采购部 not involved would see an ordinary request, not this one; nor would a stranger
    for stranger in (org.assignee, org.outsider):
        login(client, stranger)
        assert client.get(preview_url).status_code == 404
        assert client.get(f"/files/{job.pk}/pdf/").status_code == 404


def test_a_secret_documents_docx_pdf_is_an_opening_and_is_refused_to_the_unnamed(
    client, org, converting, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        document = services.document_create(
            by=org.requester,
            kind="notice",
            title="关于调价的秘密通知",
            recipients="采购部",
            body="调价方案见附件。",
            secrecy="secret",
            attachments=[SimpleUploadedFile("调价方案.docx", quotation())],
        )
    attachment = document.attachments.get()
    job = rendering.latest(attachment, DocumentAttachment.PDF_KIND)
    login(client, org.requester)
    assert client.get(f"/files/{job.pk}/pdf/").status_code == 200
    assert DocumentOpening.objects.filter(
        document=document, user=org.requester, what=DocumentOpening.What.DOWNLOAD, detail__contains="调价方案.docx"
    ).exists()
    for stranger in (org.purchasing_head, org.assignee, org.outsider):  # not named for it
        login(client, stranger)
        assert client.get(f"/documents/{document.pk}/attachments/{attachment.pk}/preview/").status_code == 404
        assert client.get(f"/files/{job.pk}/pdf/").status_code == 404


def test_a_received_docx_previews_through_its_pdf(client, org, converting, django_capture_on_commit_callbacks):
    from django.contrib.auth.models import Permission

    org.sales_deputy.user_permissions.add(Permission.objects.get(codename="add_incomingdocument"))
    with django_capture_on_commit_callbacks(execute=True):
        incoming = services.incoming_register(
            by=org.sales_deputy,
            title="关于安全检查的来文",
            source="市应急管理局",
            file=SimpleUploadedFile("来文.docx", quotation()),
            departments=[org.purchasing],
        )
    job = rendering.latest(incoming, IncomingDocument.PDF_KIND)
    login(client, org.assignee)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    preview_url = f"/documents/incoming/{incoming.pk}/preview/"
    assert f'href="{preview_url}"' in client.get(f"/documents/incoming/{incoming.pk}/").content.decode()
    assert_previewed_through_pdf(
        client,
        converting,
        preview_url=preview_url,
        download_url=f"/documents/incoming/{incoming.pk}/file/",
        job=job,
    )
    login(client, org.outsider)
    assert client.get(preview_url).status_code == 404
    assert client.get(f"/files/{job.pk}/pdf/").status_code == 404
