"""The preview page: a file opened in the portal's own page, with a download button beside.

A PDF is drawn by pdf.js (vendored under static/vendor/pdfjs/, its worker from our own origin, so
the Content-Security-Policy stays 'self'), a raster image is shown as an image, a generated .docx
and an uploaded word-processing file (.docx, .doc, .odt, .rtf) through the PDF a worker made of
it; anything else offers the download only. The views that call `render_preview` or
`upload_preview` decide first who may see the file, as their download views do.

An upload's PDF is a rendering job (`core.rendering.converter`), asked for when the file is
uploaded (`request_pdf`) and, for files uploaded before or while conversion was off, when its
preview is first opened. While the worker is at it the page says so and asks again every two
seconds (htmx), reloading itself once the job is done; a job that failed, or a file LibreOffice
could not open, leaves the page saying there is no preview, with the download.
"""

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_noop

from core import rendering
from core.models import GeneratedFile
from core.uploads import CONVERTED, extension_of, preview_kind

# Kept as message ids; the page shows them in the reader's language.
NO_PREVIEW = gettext_noop("No preview: this file could not be made into a PDF. Download it to open it.")
CONVERSION_OFF = gettext_noop("No preview: making PDFs of files is turned off on this server. Download it to open it.")


def render_preview(
    request,
    *,
    name: str,
    download_url: str,
    view_url: str = "",
    kind: str | None = None,
    back_url: str = "",
    back_label: str = "",
    pdf_download_url: str = "",
    message: str = "",
    retry_url: str = "",
):
    """The page for one file called `name`. `view_url` is what the page shows (the PDF pdf.js
    fetches, or the image); `kind` is "pdf", "image", "pending" (its PDF is being made) or ""
    (decided from the name when None)."""
    kind = preview_kind(name) if kind is None else kind
    return render(
        request,
        "core/preview.html",
        {
            "name": name,
            "kind": kind,
            "view_url": view_url or download_url,
            "download_url": download_url,
            "pdf_download_url": pdf_download_url,
            "back_url": back_url,
            "back_label": back_label,
            "message": message,
            "retry_url": retry_url,
        },
    )


def request_pdf(source, kind: str, name: str) -> GeneratedFile | None:
    """Ask a worker for the PDF of the upload `source` (registered as the converter `kind`), after
    the caller's commit; None when a file of this name is not converted, or conversion is off."""
    if preview_kind(name) != "office":
        return None
    return rendering.request_file(source, kind, version="pdf")


def upload_preview(
    request, *, source, kind: str, name: str, download_url: str, back_url: str = "", back_label: str = ""
):
    """The preview page of an uploaded file: a PDF or an image as it is (fetched from the download
    with ?inline=1), a word-processing file through its PDF. `kind` is the converter's."""
    common = {"name": name, "download_url": download_url, "back_url": back_url, "back_label": back_label}
    shown = preview_kind(name)
    polled = bool(request.headers.get("HX-Request"))
    if shown != "office":
        off = extension_of(name) in CONVERTED  # conversion is off, or it would be "office"
        message = CONVERSION_OFF if off else ""
        return render_preview(request, kind=shown, view_url=f"{download_url}?inline=1", message=message, **common)
    # A file uploaded before conversion existed (or while it was off) gets its PDF now; a failed
    # job is left as it is, so opening the page does not queue it again and again.
    job = rendering.latest(source, kind) or request_pdf(source, kind, name)
    if job.busy:
        if polled:
            return HttpResponse(status=204)  # htmx asks again
        retry = reverse("core:generated_file_retry", args=[job.pk]) if job.stalled else ""
        return render_preview(request, kind="pending", retry_url=retry, **common)
    if polled:  # done: the whole page again, now with the PDF or the reason there is none
        done = HttpResponse(status=200)
        done["HX-Refresh"] = "true"
        return done
    if job.status == GeneratedFile.Status.READY and job.pdf:
        pdf_url = reverse("core:generated_file_pdf", args=[job.pk])
        return render_preview(request, kind="pdf", view_url=pdf_url, pdf_download_url=pdf_url, **common)
    failed = job.status == GeneratedFile.Status.FAILED
    retry = reverse("core:generated_file_retry", args=[job.pk]) if failed else ""
    message = CONVERSION_OFF if job.pdf_error == rendering.pdf.TURNED_OFF else NO_PREVIEW
    return render_preview(request, kind="", message=message, retry_url=retry, **common)
