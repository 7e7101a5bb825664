"""The kernel's pages: a rendering job's status block, its download and "Try again". Who may see
a job is who may see what it was made from, as the job's builder says (`can_view`)."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from core import pdf, rendering
from core.models import GeneratedFile
from core.previews import render_preview


def _generated_or_404(request, pk: int) -> GeneratedFile:
    job = get_object_or_404(GeneratedFile.objects.select_related("content_type"), pk=pk)
    source = job.source
    try:
        allowed = source is not None and rendering.builder_for(job.kind).can_view(request.user, source)
    except KeyError:
        allowed = False
    if not allowed:
        raise Http404
    return job


@login_required
@require_GET
def generated_file(request, pk: int):
    job = _generated_or_404(request, pk)
    if job.status != GeneratedFile.Status.READY or not job.file:
        raise Http404
    downloaded = rendering.builder_for(job.kind).downloaded
    if downloaded is not None:
        downloaded(request.user, job.source, job)
    return FileResponse(
        job.file.open("rb"),
        as_attachment=True,
        filename=job.file.name.rsplit("/", 1)[-1],
        content_type=rendering.DOCX,
    )


@login_required
@require_GET
def generated_file_pdf(request, pk: int):
    """The PDF made of the file or of an upload (pdf.js on the preview page fetches it too); its
    builder hears of it as of a download (a classified document's openings)."""
    job = _generated_or_404(request, pk)
    if job.status != GeneratedFile.Status.READY or not job.pdf:
        raise Http404
    try:
        handle = job.pdf.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    downloaded = rendering.builder_for(job.kind).downloaded
    if downloaded is not None:
        downloaded(request.user, job.source, job)
    response = FileResponse(handle, as_attachment=True, filename=job.pdf.name.rsplit("/", 1)[-1], content_type=pdf.PDF)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def generated_file_preview(request, pk: int):
    """The file in the page, through its PDF, with the downloads beside."""
    job = _generated_or_404(request, pk)
    if job.status != GeneratedFile.Status.READY or not job.file:
        raise Http404
    source_url = getattr(job.source, "get_absolute_url", None)
    return render_preview(
        request,
        name=job.file.name.rsplit("/", 1)[-1],
        kind="pdf" if job.pdf else "",
        view_url=reverse("core:generated_file_pdf", args=[job.pk]) if job.pdf else "",
        download_url=reverse("core:generated_file", args=[job.pk]),
        pdf_download_url=reverse("core:generated_file_pdf", args=[job.pk]) if job.pdf else "",
        back_url=source_url() if source_url else "",
        message=job.pdf_error,
    )


@login_required
@require_GET
def generated_file_status(request, pk: int):
    """The job's status block; it keeps polling itself (htmx) while the worker is busy."""
    job = _generated_or_404(request, pk)
    return render(request, "core/_generated_file.html", {"job": job, "show_check": request.GET.get("check") == "1"})


@login_required
@require_POST
def generated_file_retry(request, pk: int):
    job = _generated_or_404(request, pk)
    if job.status == GeneratedFile.Status.FAILED:
        rendering.request_file(job.source, job.kind, version=job.version)
        job.refresh_from_db()
    elif job.stalled:
        rendering.requeue(job)
        job.refresh_from_db()
    if request.headers.get("HX-Request"):
        return render(request, "core/_generated_file.html", {"job": job})
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}) or "\x00" in target:
        target = "/"
    return HttpResponseRedirect(target)  # an address: redirect() would try to reverse one without a slash
