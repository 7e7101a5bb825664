"""The preview page: PDFs through pdf.js, raster images inline, anything else as a download only;
the picture a preview shows is the one response served with an image type, and only when its
content is that image. Who may open a preview is who may download the file
(tests/test_authorization_matrix.py has the 404s)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from documents import services as document_services
from tasks import services as task_services
from tests.conftest import login
from tests.samples import SAMPLES
from tests.tasks.conftest import finance, purchase  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def document(org, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return document_services.document_create(
        by=org.requester,
        kind="notice",
        title="关于年终盘点的通知",
        recipients="各部门",
        body="请于月底前完成盘点。",
        attachments=[
            SimpleUploadedFile("盘点表.pdf", SAMPLES["pdf"]()),
            SimpleUploadedFile("现场.png", png()),
            SimpleUploadedFile("清单.docx", SAMPLES["docx"]()),
        ],
    )


def attachment(document, name):
    return document.attachments.get(name=name)


def test_a_pdf_attachment_opens_in_pdfjs_with_its_download_beside(client, org, document):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(client, org.requester)
    pdf = attachment(document, "盘点表.pdf")
    download = f"/documents/{document.pk}/attachments/{pdf.pk}/"
    response = client.get(f"{download}preview/")
    page = response.content.decode()
    assert response.status_code == 200
    assert f'data-pdf-url="{download}?inline=1"' in page and f'href="{download}"' in page
    assert "vendor/pdfjs/pdf.min.mjs" in page and "vendor/pdfjs/pdf.worker.min.mjs" in page
    assert 'type="module"' in page and "js/preview.mjs" in page
    # pdf.js fetches the ordinary download: a PDF is never served for the browser to render itself
    served = client.get(f"{download}?inline=1")
    assert served["Content-Type"] == "application/octet-stream"
    assert served["Content-Disposition"].startswith("attachment")
    assert b"".join(served.streaming_content) == SAMPLES["pdf"]()
    # the worker comes from our own origin, and the page's policy says so
    csp = response["Content-Security-Policy"]
    assert "worker-src 'self'" in csp and "script-src 'self'" in csp and "unsafe" not in csp


def test_an_image_attachment_is_shown_inline_and_sandboxed(client, org, document):
    login(client, org.requester)
    image = attachment(document, "现场.png")
    download = f"/documents/{document.pk}/attachments/{image.pk}/"
    page = client.get(f"{download}preview/").content.decode()
    assert f'<img class="img-fluid bg-white" src="{download}?inline=1"' in page and "preview.mjs" not in page
    served = client.get(f"{download}?inline=1")
    assert served["Content-Type"] == "image/png" and "attachment" not in served.get("Content-Disposition", "")
    assert served["X-Content-Type-Options"] == "nosniff" and "sandbox" in served["Content-Security-Policy"]
    assert client.get(download)["Content-Type"] == "application/octet-stream"  # without ?inline=1


def test_an_image_whose_content_is_not_an_image_stays_a_download(client, org, document, settings):
    login(client, org.requester)
    image = attachment(document, "现场.png")
    with image.file.open("wb") as handle:  # changed in the storage after the upload checks
        handle.write(b"<html><script>alert(1)</script></html>")
    served = client.get(f"/documents/{document.pk}/attachments/{image.pk}/?inline=1")
    assert served["Content-Type"] == "application/octet-stream"
    assert served["Content-Disposition"].startswith("attachment")


def test_other_files_offer_the_download_only(client, org, document):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(client, org.requester)
    docx = attachment(document, "清单.docx")
    page = client.get(f"/documents/{document.pk}/attachments/{docx.pk}/preview/").content.decode()
    # PDF_CONVERSION is off in the suite: the page says why (tests/core/test_upload_previews.py has it on)
    assert "making PDFs of files is turned off" in page and "data-pdf-url" not in page and "<img" not in page
    assert f'href="/documents/{document.pk}/attachments/{docx.pk}/" download' in page


def test_the_document_page_links_the_previews(client, org, document):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(client, org.requester)
    page = client.get(f"/documents/{document.pk}/").content.decode()
    for name, shown in (("盘点表.pdf", True), ("现场.png", True), ("清单.docx", False)):
        url = f"/documents/{document.pk}/attachments/{attachment(document, name).pk}/preview/"
        assert (url in page) is shown, name


def test_a_request_attachment_opens_in_the_page(client, org, purchase, settings, tmp_path):  # noqa: F811
    settings.MEDIA_ROOT = str(tmp_path / "media")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    task = task_services.task_create(
        by=org.requester, request_type=purchase, title="买十台电脑", values={"amount": 500}, submit=True
    )
    task_services.task_comment(
        task=task, by=org.requester, body="报价单", attachments=[SimpleUploadedFile("报价单.pdf", SAMPLES["pdf"]())]
    )
    file = task.attachments.get()
    login(client, org.requester)
    preview = f"/requests/{task.number}/files/{file.pk}/preview/"
    assert preview in client.get(f"/requests/{task.number}/").content.decode()
    page = client.get(preview).content.decode()
    assert f'data-pdf-url="/requests/{task.number}/files/{file.pk}/?inline=1"' in page
    assert f'href="/requests/{task.number}/"' in page  # back to the request
    login(client, org.outsider)
    assert client.get(preview).status_code == 404
