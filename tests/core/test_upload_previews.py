"""An uploaded .docx's preview while its PDF is being made, once it is made, when it cannot be
made and when conversion is off: the page always answers (never a 500), says where things stand
and offers the download. LibreOffice itself is stood in for here (core.pdf.to_pdf); the real
conversion is tests/documents/test_attachment_pdf.py."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core import pdf, rendering
from core.models import GeneratedFile
from documents import services
from documents.models import DocumentAttachment
from tests.conftest import login
from tests.samples import SAMPLES

pytestmark = pytest.mark.django_db

A_PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@pytest.fixture
def converting(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PDF_CONVERSION = True


def draft(org, *names):
    return services.document_create(
        by=org.requester,
        kind="notice",
        title="关于年终盘点的通知",
        recipients="各部门",
        body="请于月底前完成盘点。",
        attachments=[SimpleUploadedFile(name, SAMPLES["docx"]()) for name in names],
    )


def urls(document, attachment) -> tuple[str, str]:
    base = f"/documents/{document.pk}/attachments/{attachment.pk}/"
    return base, f"{base}preview/"


def test_the_upload_queues_the_pdf_after_the_commit_and_the_page_waits_for_it(
    client, org, converting, monkeypatch, django_capture_on_commit_callbacks
):
    made = []
    monkeypatch.setattr(pdf, "to_pdf", lambda data, suffix="docx", **kw: made.append(suffix) or A_PDF)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        document = draft(org, "清单.docx")
    attachment = document.attachments.get()
    job = rendering.latest(attachment, DocumentAttachment.PDF_KIND)
    assert job.status == "queued" and made == []  # nothing ran in the request

    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(client, org.requester)
    download, preview = urls(document, attachment)
    page = client.get(preview).content.decode()
    assert "The preview is being made" in page and f'hx-get="{preview}"' in page and 'hx-trigger="every 2s"' in page
    assert f'href="{download}" download' in page and "data-pdf-url" not in page
    polled = client.get(preview, HTTP_HX_REQUEST="true")
    assert polled.status_code == 204  # htmx asks again later

    for callback in callbacks:  # after the commit, the worker (eager here) converts it
        callback()
    job.refresh_from_db()
    assert job.status == "ready" and job.pdf and made == ["docx"] and not job.file
    polled = client.get(preview, HTTP_HX_REQUEST="true")
    assert polled.status_code == 200 and polled["HX-Refresh"] == "true"
    page = client.get(preview).content.decode()
    assert f'data-pdf-url="/files/{job.pk}/pdf/"' in page and f'href="{download}" download' in page
    served = client.get(f"/files/{job.pk}/pdf/")
    assert b"".join(served.streaming_content) == A_PDF


def test_a_file_libreoffice_cannot_open_says_there_is_no_preview(
    client, org, converting, monkeypatch, django_capture_on_commit_callbacks
):
    def refuse(data, suffix="docx", **kw):
        raise pdf.PdfUnavailable(pdf.FAILED)

    monkeypatch.setattr(pdf, "to_pdf", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        document = draft(org, "坏文件.docx")
    attachment = document.attachments.get()
    job = rendering.latest(attachment, DocumentAttachment.PDF_KIND)
    assert job.status == "ready" and not job.pdf and job.pdf_error == pdf.FAILED
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(client, org.requester)
    download, preview = urls(document, attachment)
    response = client.get(preview)
    page = response.content.decode()
    assert response.status_code == 200 and "No preview: this file could not be made into a PDF" in page
    assert f'href="{download}" download' in page and "data-pdf-url" not in page and "Try again" not in page
    assert client.get(f"/files/{job.pk}/pdf/").status_code == 404


def test_a_job_that_failed_each_time_offers_the_download_and_a_retry(
    client, org, converting, monkeypatch, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        document = draft(org, "清单.docx")
    attachment = document.attachments.get()
    attachment.file.storage.delete(attachment.file.name)  # the upload is gone from the storage
    job = rendering.latest(attachment, DocumentAttachment.PDF_KIND)
    for _attempt in range(rendering.MAX_ATTEMPTS):
        rendering.run(job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and "FileNotFoundError" in job.error
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(client, org.requester)
    download, preview = urls(document, attachment)
    page = client.get(preview).content.decode()
    assert "No preview" in page and f'href="{download}" download' in page
    assert f'action="/files/{job.pk}/retry/"' in page and "Try again" in page
    # opening the page again does not queue it again by itself
    job.refresh_from_db()
    assert job.status == "failed"


def test_with_conversion_off_nothing_is_queued_and_the_page_says_so(client, org, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PDF_CONVERSION = False
    document = draft(org, "清单.docx")
    attachment = document.attachments.get()
    assert not GeneratedFile.objects.exists()
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(client, org.requester)
    download, preview = urls(document, attachment)
    assert f'href="{preview}"' not in client.get(f"/documents/{document.pk}/").content.decode()
    page = client.get(preview).content.decode()
    assert "making PDFs of files is turned off" in page and f'href="{download}" download' in page
    assert not GeneratedFile.objects.exists()


def test_a_file_uploaded_before_gets_its_pdf_when_its_preview_is_first_opened(
    client, org, settings, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PDF_CONVERSION = False
    document = draft(org, "旧文件.docx")
    attachment = document.attachments.get()
    settings.PDF_CONVERSION = True
    monkeypatch.setattr(pdf, "to_pdf", lambda data, suffix="docx", **kw: A_PDF)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(client, org.requester)
    _download, preview = urls(document, attachment)
    with django_capture_on_commit_callbacks(execute=True):
        assert "The preview is being made" in client.get(preview).content.decode()
    job = rendering.latest(attachment, DocumentAttachment.PDF_KIND)
    assert job.status == "ready" and job.pdf
    assert f'data-pdf-url="/files/{job.pk}/pdf/"' in client.get(preview).content.decode()


def test_spreadsheets_and_presentations_stay_downloads(org, converting):
    from core.uploads import preview_kind

    assert [preview_kind(n) for n in ("a.docx", "a.DOC", "a.odt", "a.rtf")] == ["office"] * 4
    assert [preview_kind(n) for n in ("a.xlsx", "a.pptx", "a.xls", "a.ofd")] == [""] * 4
    document = services.document_create(
        by=org.requester,
        kind="notice",
        title="表格",
        recipients="各部门",
        body="见附件。",
        attachments=[SimpleUploadedFile("表.xlsx", SAMPLES["xlsx"]())],
    )
    assert rendering.latest(document.attachments.get(), DocumentAttachment.PDF_KIND) is None
