"""A document's PDF attachment opens in the page in a real chromium: pdf.js (vendored) draws it
on a canvas with its worker from our own origin, under the strict Content-Security-Policy, and
the download button sits beside it. Screenshots: test-artifacts/browser/preview/."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from core import pdf, rendering
from documents import services
from tests.browser.test_journeys import assert_clean

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def two_page_pdf() -> bytes:
    pages = []
    for number in (1, 2):
        page = Image.new("RGB", (595, 842), "white")
        ImageDraw.Draw(page).rectangle((60, 60, 535, 140), fill=(255, 0, 0))
        ImageDraw.Draw(page).text((70, 90), f"page {number}", fill="white")
        pages.append(page)
    buffer = io.BytesIO()
    pages[0].save(buffer, "PDF", save_all=True, append_images=pages[1:])
    return buffer.getvalue()


def test_a_pdf_attachment_opens_in_the_page(browser_for, org, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    document = services.document_create(
        by=org.requester,
        kind="notice",
        title="关于年终盘点的通知",
        recipients="各部门",
        body="请于月底前完成盘点。",
        attachments=[SimpleUploadedFile("盘点表.pdf", two_page_pdf())],
    )
    attachment = document.attachments.get()
    org.requester.set_password(org.password)
    org.requester.save()
    b = browser_for("en", "preview")
    b.login("requester", org.password)
    b.goto(f"/documents/{document.pk}/")
    b.submit(f"a[href='/documents/{document.pk}/attachments/{attachment.pk}/preview/']")
    b.page.wait_for_selector("#pdf-preview.pdf-ready")
    assert b.page.locator("#pdf-preview canvas.pdf-page").count() == 2
    assert b.page.get_attribute("#pdf-preview canvas.pdf-page", "aria-label") == "Page 1"
    # the first page was drawn: its red band is on the canvas
    red = b.page.eval_on_selector(
        "#pdf-preview canvas.pdf-page",
        """c => { const d = c.getContext("2d").getImageData(0, 0, c.width, c.height / 4).data;
                  let n = 0; for (let i = 0; i < d.length; i += 4) { if (d[i] > 200 && d[i + 1] < 60) n++; } return n; }""",
    )
    assert red > 1000
    assert b.page.locator(f"a[href='/documents/{document.pk}/attachments/{attachment.pk}/'][download]").count() == 1
    b.shot("pdf")
    assert_clean(b)


@pytest.mark.skipif(not pdf.available(), reason="LibreOffice (soffice) is not installed; `make pdf` installs it")
def test_an_uploaded_docx_opens_in_the_page_through_its_pdf(
    browser_for, org, settings, tmp_path, django_capture_on_commit_callbacks
):
    """A .docx attached to a document is made into a PDF by the (eager) worker with LibreOffice;
    its preview draws that PDF with pdf.js, the original's download beside it."""
    from docx import Document as Docx

    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PDF_CONVERSION = True
    word = Docx()
    word.add_heading("盘点安排", level=1)
    word.add_paragraph("各部门请于月底前完成盘点，并将盘点表报财务部。")
    buffer = io.BytesIO()
    word.save(buffer)
    with django_capture_on_commit_callbacks(execute=True):
        document = services.document_create(
            by=org.requester,
            kind="notice",
            title="关于年终盘点的通知",
            recipients="各部门",
            body="请于月底前完成盘点。",
            attachments=[SimpleUploadedFile("盘点安排.docx", buffer.getvalue())],
        )
    attachment = document.attachments.get()
    job = rendering.latest(attachment, "document_attachment")
    assert job.status == "ready" and job.pdf, job.pdf_error
    org.requester.set_password(org.password)
    org.requester.save()
    b = browser_for("en", "preview")
    b.login("requester", org.password)
    b.goto(f"/documents/{document.pk}/")
    b.submit(f"a[href='/documents/{document.pk}/attachments/{attachment.pk}/preview/']")
    b.page.wait_for_selector("#pdf-preview.pdf-ready")
    assert b.page.get_attribute("#pdf-preview", "data-pdf-url") == f"/files/{job.pk}/pdf/"
    assert b.page.locator("#pdf-preview canvas.pdf-page").count() == 1
    # the page was drawn: dark text pixels on the canvas's upper half
    dark = b.page.eval_on_selector(
        "#pdf-preview canvas.pdf-page",
        """c => { const d = c.getContext("2d").getImageData(0, 0, c.width, c.height / 2).data;
                  let n = 0; for (let i = 0; i < d.length; i += 4) { if (d[i] < 100 && d[i + 1] < 100 && d[i + 2] < 100) n++; } return n; }""",
    )
    assert dark > 500
    assert b.page.locator(f"a[href='/documents/{document.pk}/attachments/{attachment.pk}/'][download]").count() == 1
    b.shot("docx")
    assert_clean(b)


@pytest.mark.skipif(not pdf.available(), reason="LibreOffice (soffice) is not installed; `make pdf` installs it")
def test_the_preview_waits_for_the_worker_and_shows_the_pdf_by_itself(
    browser_for, org, settings, tmp_path, monkeypatch
):
    """Opened before the worker has made the PDF, the page says so; once the job is done it
    reloads itself (htmx, HX-Refresh) and pdf.js draws the PDF."""
    from docx import Document as Docx

    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PDF_CONVERSION = True
    queued = []
    monkeypatch.setattr(rendering, "enqueue", queued.append)  # no worker yet: the job waits
    word = Docx()
    word.add_paragraph("盘点表说明")
    buffer = io.BytesIO()
    word.save(buffer)
    document = services.document_create(
        by=org.requester,
        kind="notice",
        title="关于年终盘点的通知",
        recipients="各部门",
        body="请于月底前完成盘点。",
        attachments=[SimpleUploadedFile("说明.docx", buffer.getvalue())],
    )
    attachment = document.attachments.get()
    org.requester.set_password(org.password)
    org.requester.save()
    b = browser_for("zh", "preview")
    b.login("requester", org.password)
    b.goto(f"/documents/{document.pk}/attachments/{attachment.pk}/preview/")
    b.page.wait_for_selector(".preview-pending")
    assert b.page.locator("#pdf-preview").count() == 0
    b.shot("pending")
    assert len(queued) == 1 and rendering.run(queued[0]) == "ready"  # the worker gets to it
    b.page.wait_for_selector("#pdf-preview.pdf-ready", timeout=20_000)
    assert b.page.locator(".preview-pending").count() == 0
    b.shot("ready after waiting")
    assert_clean(b)
