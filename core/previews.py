"""The preview page: a file opened in the portal's own page, with a download button beside.

A PDF is drawn by pdf.js (vendored under static/vendor/pdfjs/, its worker from our own origin, so
the Content-Security-Policy stays 'self'), a raster image is shown as an image, a generated .docx
through the PDF made of it; anything else offers the download only. The views that call
`render_preview` decide first who may see the file, as their download views do.
"""

from django.shortcuts import render

from core.uploads import preview_kind


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
):
    """The page for one file called `name`. `view_url` is what the page shows (the PDF pdf.js
    fetches, or the image); `kind` is "pdf", "image" or "" (decided from the name when None)."""
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
        },
    )
