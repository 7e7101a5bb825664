"""PDFs of official documents (LibreOffice on the worker), the department's seal over the date,
the SHA-256 recorded after sign-off and checked on the document page, and the absence path: a
worker without LibreOffice still makes the .docx and says why there is no PDF."""

import io
import math
import shutil
import subprocess  # nosec B404 - pdftoppm with fixed arguments
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document as Docx
from PIL import Image, ImageDraw

from core import pdf, rendering
from documents import services
from documents.models import DepartmentSeal, Document
from tests.conftest import login

pytestmark = pytest.mark.django_db

needs_soffice = pytest.mark.skipif(
    not pdf.available(), reason="LibreOffice (soffice) is not installed; `make test` installs it (make pdf)"
)
needs_pdftoppm = pytest.mark.skipif(
    shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) is not installed; `make pdf` installs it"
)
SEAL_RGB = (40, 60, 220)  # a blue seal, so its pixels are told apart from the red header and rule


def seal_png(size: int = 400, color=SEAL_RGB, *, transparent: bool = True) -> bytes:
    """A round seal with a star, on a transparent background."""
    image = Image.new("RGBA" if transparent else "RGB", (size, size), (0, 0, 0, 0) if transparent else "white")
    draw = ImageDraw.Draw(image)
    draw.ellipse((8, 8, size - 8, size - 8), outline=color, width=size // 20)
    centre, radius = size / 2, size * 0.18
    points = [
        (
            centre + (radius if i % 2 == 0 else radius * 0.4) * math.sin(i * math.pi / 5),
            centre - (radius if i % 2 == 0 else radius * 0.4) * math.cos(i * math.pi / 5),
        )
        for i in range(10)
    ]
    draw.polygon(points, fill=color)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def issue(org, *, capture) -> Document:
    """A document of 销售部 drafted, reviewed and signed off; its files made by the (eager) worker."""
    document = services.document_create(
        by=org.requester,
        kind="notice",
        title="关于加强部门协作的通知",
        recipients="各部门",
        body="为加强部门之间的协作，现将有关事项通知如下。\n\n请各部门遵照执行。",
        recipient_departments=[org.purchasing],
    )
    services.document_submit(document=document, by=org.requester)
    services.document_review(document=document, by=org.sales_head, agree=True, text="同意")
    with capture(execute=True):
        services.document_sign_off(document=document, by=org.leader, text="同意印发")
    document.refresh_from_db()
    return document


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path


def page_of(client, document) -> str:
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client.get(f"/documents/{document.pk}/").content.decode()


@needs_soffice
@needs_pdftoppm
def test_an_issued_document_becomes_a_pdf_with_the_red_header_and_the_seal(
    client, org, settings, media, django_capture_on_commit_callbacks
):
    settings.PDF_CONVERSION = True
    DepartmentSeal.objects.create(department=org.sales, image=ContentFile(seal_png(), name="sales.png"))
    document = issue(org, capture=django_capture_on_commit_callbacks)

    job = rendering.latest(document, "document")
    assert job.status == "ready" and job.pdf and not job.pdf_error and job.pdf_seconds > 0
    data = job.pdf.read()
    assert data.startswith(b"%PDF-")
    # the hashes of the issued files, recorded once they were made
    assert document.signed_sha256 == job.sha256 == rendering.stored_sha256(job.file)
    assert document.signed_pdf_sha256 == job.pdf_sha256 == rendering.stored_sha256(job.pdf)

    # Page 1 as a picture: red pixels in the header (the organ's name and the rule), the seal's
    # colour in the lower right where the issuer and date are, and nowhere in the header.
    source = media / "issued.pdf"
    source.write_bytes(data)
    subprocess.run(  # nosec B603 B607
        ["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "1", "-singlefile", str(source), str(media / "page")],
        check=True,
        timeout=60,
    )
    picture = Image.open(media / "page.png").convert("RGB")
    shutil.copy(media / "page.png", Path(settings.VAR_DIR) / "issued-page-1.png")  # to look at
    width, height = picture.size

    def count(box, near) -> int:
        return sum(1 for pixel in picture.crop(box).getdata() if near(pixel))

    def red(p):
        return p[0] > 200 and p[1] < 80 and p[2] < 80

    def seal(p):
        return abs(p[0] - SEAL_RGB[0]) < 50 and abs(p[1] - SEAL_RGB[1]) < 50 and abs(p[2] - SEAL_RGB[2]) < 50

    header = (0, 0, width, int(height * 0.4))
    assert count(header, red) > 500
    assert count(header, seal) == 0
    lower_right = (width // 2, int(height * 0.4), width, int(height * 0.9))
    assert count(lower_right, seal) > 200
    assert count((0, int(height * 0.4), width // 2, height), seal) == 0

    # the processing sheet was made again, with the hashes printed on it, and as a PDF too
    sheet = rendering.latest(document, "processing_sheet")
    assert sheet.status == "ready" and sheet.version.endswith("-signed") and sheet.pdf
    cells = [cell.text for table in Docx(sheet.file.open("rb")).tables for row in table.rows for cell in row.cells]
    assert document.signed_sha256 in cells and document.signed_pdf_sha256 in cells

    # the page opens it in pdf.js, and the PDF downloads
    login(client, org.requester)
    page = page_of(client, document)
    assert f"/files/{job.pk}/preview/" in page and "The stored files are the ones made at sign-off" in page
    preview = client.get(f"/files/{job.pk}/preview/").content.decode()
    assert f'data-pdf-url="/files/{job.pk}/pdf/"' in preview and "pdf.worker.min.mjs" in preview
    response = client.get(f"/files/{job.pk}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == data


def test_changing_a_byte_of_the_stored_docx_is_shown_in_red(client, org, media, django_capture_on_commit_callbacks):
    document = issue(org, capture=django_capture_on_commit_callbacks)
    job = rendering.latest(document, "document")
    assert document.signed_sha256 == job.sha256 and len(job.sha256) == 64
    login(client, org.requester)
    page = page_of(client, document)
    assert "The stored files are the ones made at sign-off" in page and document.signed_sha256 in page
    assert "This file is not the one that was signed" not in page

    stored = Path(job.file.path)
    data = bytearray(stored.read_bytes())
    data[len(data) // 2] ^= 0x01
    stored.write_bytes(bytes(data))
    page = page_of(client, document)
    assert "This file is not the one that was signed" in page
    assert "The stored .docx differs from the one made at sign-off." in page

    stored.unlink()  # gone from the storage altogether: not the signed file either
    assert "This file is not the one that was signed" in page_of(client, document)


def test_the_hash_is_recorded_once_for_the_issued_version_only(org, media, django_capture_on_commit_callbacks):
    document = issue(org, capture=django_capture_on_commit_callbacks)
    signed = document.signed_sha256
    with django_capture_on_commit_callbacks(execute=True):
        services.document_render(document=document)  # asked again: the same job, nothing changes
    document.refresh_from_db()
    assert document.signed_sha256 == signed
    assert rendering.latest(document, "processing_sheet").version.endswith("-signed")


def test_without_libreoffice_the_docx_is_made_and_the_page_says_why(
    client, org, settings, media, monkeypatch, django_capture_on_commit_callbacks
):
    settings.PDF_CONVERSION = True
    monkeypatch.setattr(pdf, "program", lambda: None)
    document = issue(org, capture=django_capture_on_commit_callbacks)
    job = rendering.latest(document, "document")
    assert job.status == "ready" and job.file and not job.pdf
    assert job.pdf_error == pdf.NOT_INSTALLED
    assert document.signed_sha256 == job.sha256 and document.signed_pdf_sha256 == ""

    login(client, org.requester)
    page = page_of(client, document)
    assert "No PDF: LibreOffice is not installed on the worker; the .docx is available." in page
    assert f"/files/{job.pk}/preview/" not in page
    assert client.get(f"/files/{job.pk}/").status_code == 200
    assert client.get(f"/files/{job.pk}/pdf/").status_code == 404
    preview = client.get(f"/files/{job.pk}/preview/").content.decode()
    assert "data-pdf-url" not in preview and "No PDF: LibreOffice is not installed" in preview
    sheet = rendering.latest(document, "processing_sheet")
    cells = [cell.text for table in Docx(sheet.file.open("rb")).tables for row in table.rows for cell in row.cells]
    assert document.signed_sha256 in cells and ("no PDF was made" in cells or "未生成 PDF" in cells)


def _fake_soffice(tmp_path, script: str) -> str:
    program = tmp_path / "soffice"
    program.write_text(f"#!/bin/sh\n{script}\n")
    program.chmod(0o755)
    return str(program)


def test_a_conversion_that_hangs_or_fails_gives_no_pdf_and_says_why(tmp_path, monkeypatch):
    monkeypatch.setattr(pdf, "program", lambda: _fake_soffice(tmp_path, "sleep 10"))
    with pytest.raises(pdf.PdfUnavailable) as hung:
        pdf.to_pdf(b"PK", timeout=0.5)
    assert str(hung.value) == pdf.TOO_SLOW
    monkeypatch.setattr(pdf, "program", lambda: _fake_soffice(tmp_path, "exit 1"))
    with pytest.raises(pdf.PdfUnavailable) as failed:
        pdf.to_pdf(b"PK")
    assert str(failed.value) == pdf.FAILED


def test_pdf_conversion_off_makes_only_the_docx(org, settings, media, django_capture_on_commit_callbacks):
    settings.PDF_CONVERSION = False
    document = issue(org, capture=django_capture_on_commit_callbacks)
    job = rendering.latest(document, "document")
    assert job.status == "ready" and not job.pdf and job.pdf_error == ""


def test_drafts_carry_no_seal_and_issued_documents_do(org, media, django_capture_on_commit_callbacks):
    DepartmentSeal.objects.create(department=org.sales, image=ContentFile(seal_png(), name="sales.png"))
    document = issue(org, capture=django_capture_on_commit_callbacks)
    issued = Docx(rendering.latest(document, "document").file.open("rb"))
    assert len(issued.inline_shapes) == 0  # the seal floats (wp:anchor), it is not inline
    assert issued.element.body.xml.count("<wp:anchor") == 1
    draft = services.document_create(
        by=org.requester, kind="notice", title="草稿", recipients="各部门", body="正文", recipient_departments=[]
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.document_render(document=draft)
    assert "<wp:anchor" not in Docx(rendering.latest(draft, "document").file.open("rb")).element.body.xml


# The admin's seal upload: core's upload checks, then a PNG with a transparent background.


def _upload_seal(client, org, data: bytes, name: str = "seal.png"):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(client, org.admin)
    return client.post(
        "/admin/documents/departmentseal/add/",
        {"department": org.sales.pk, "image": SimpleUploadedFile(name, data, content_type="image/png")},
    )


def test_an_admin_uploads_a_transparent_png_seal(client, org, media):
    response = _upload_seal(client, org, seal_png())
    assert response.status_code == 302
    seal = DepartmentSeal.objects.get()
    assert seal.department == org.sales and seal.uploaded_by == org.admin


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (seal_png(transparent=False), "seal.png", "transparent background"),
        (b"\xff\xd8\xff\xe0 a jpeg", "seal.png", "does not match its type"),
        (seal_png(), "seal.gif", "not an allowed file type"),
        (seal_png(size=100), "seal.png", "between 200 and 2000 pixels"),
        (b"\x89PNG\r\n\x1a\n broken", "seal.png", "could not be read as a PNG"),
    ],
)
def test_a_bad_seal_is_refused_with_a_message(client, org, media, data, name, message):
    response = _upload_seal(client, org, data, name)
    assert response.status_code == 200 and message in response.content.decode()
    assert not DepartmentSeal.objects.exists()
