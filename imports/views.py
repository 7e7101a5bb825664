"""Admins' pages: the organisation's workbook (export, upload, preview, confirm) and the year's
official holidays. The uploaded workbook waits between preview and confirm under MEDIA, at a
random name under the admin's own folder that only their session knows."""

import secrets
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from imports import export, holidays, services
from imports.forms import WorkbookForm, YearForm
from imports.spreadsheet import SHEETS, WorkbookRejected, read_workbook

SESSION_KEY = "imports.workbook"
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _admin(request, perm: str = "imports.import_organisation") -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


def _folder(user) -> str:
    return f"imports/{user.pk}/"


def _forget_upload(request) -> None:
    stored = request.session.pop(SESSION_KEY, None)
    if stored and stored.get("name", "").startswith(_folder(request.user)):
        default_storage.delete(stored["name"])


def _clear_folder(user) -> None:
    """Workbooks this admin uploaded and never confirmed (a preview left open, another browser): one
    pending workbook per admin is enough, and nothing stays behind for long."""
    folder = _folder(user)
    try:
        _folders, files = default_storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in files:
        default_storage.delete(folder + name)


def _stored_upload(request) -> tuple[str, bytes] | None:
    """The token and content of the workbook this admin uploaded last, if it is still there."""
    stored = request.session.get(SESSION_KEY) or {}
    name = stored.get("name", "")
    if not name.startswith(_folder(request.user)) or not default_storage.exists(name):
        return None
    with default_storage.open(name, "rb") as handle:
        return stored["token"], handle.read()


@login_required
@require_http_methods(["GET", "POST"])
def workbook_upload(request):
    _admin(request)
    form = WorkbookForm(request.POST, request.FILES) if request.method == "POST" else WorkbookForm()
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"].read()
        try:
            read_workbook(data)  # a file that is not the workbook is refused here, never stored
        except WorkbookRejected as exc:
            form.add_error("file", str(exc))
        else:
            _forget_upload(request)
            _clear_folder(request.user)
            token = secrets.token_urlsafe(24)
            name = default_storage.save(f"{_folder(request.user)}{token}.xlsx", ContentFile(data))
            request.session[SESSION_KEY] = {"name": name, "token": token, "filename": form.cleaned_data["file"].name}
            return redirect("imports:preview")
    status = 400 if form.errors else 200
    return render(request, "imports/upload.html", {"form": form, "sheets": SHEETS}, status=status)


def _preview(request, token: str, plan, *, status: int = 200):
    stored = request.session.get(SESSION_KEY) or {}
    return render(
        request,
        "imports/preview.html",
        {
            "plan": plan,
            "token": token,
            "filename": stored.get("filename", ""),
            "counts": plan.counts(),
            "problems": plan.problems,
        },
        status=status,
    )


@login_required
def workbook_preview(request):
    _admin(request)
    upload = _stored_upload(request)
    if upload is None:
        messages.info(request, _("Upload a workbook first."))
        return redirect("imports:upload")
    token, data = upload
    try:
        plan = services.plan_import(read_workbook(data))
    except WorkbookRejected as exc:
        _forget_upload(request)
        messages.error(request, str(exc))
        return redirect("imports:upload")
    return _preview(request, token, plan)


@login_required
@require_POST
def workbook_confirm(request):
    _admin(request)
    upload = _stored_upload(request)
    if upload is None or not secrets.compare_digest(upload[0], request.POST.get("token", "")):
        messages.error(request, _("That preview is gone or was replaced by a later upload; upload the workbook again."))
        return redirect("imports:upload")
    try:
        stored = request.session.get(SESSION_KEY) or {}
        plan = services.import_workbook(read_workbook(upload[1]), by=request.user, filename=stored.get("filename", ""))
    except WorkbookRejected as exc:
        _forget_upload(request)
        messages.error(request, str(exc))
        return redirect("imports:upload")
    except services.ImportCollided:
        messages.error(
            request,
            _(
                "Nothing was saved: the organisation changed while the workbook was being saved. Check the preview again."
            ),
        )
        return redirect("imports:preview")
    except services.ImportRefused as refused:
        messages.error(request, _("Nothing was saved: the workbook has rows with errors."))
        return _preview(request, upload[0], refused.plan, status=400)
    _forget_upload(request)
    created = sum(tally["new"] for tally in plan.counts().values())
    changed = sum(tally["changed"] for tally in plan.counts().values())
    messages.success(
        request,
        _("The workbook was imported: %(created)s rows added, %(changed)s rows changed.")
        % {"created": created, "changed": changed},
    )
    return redirect("imports:upload")


@login_required
def workbook_export(request):
    _admin(request)
    reply = HttpResponse(export.export_workbook(), content_type=CONTENT_TYPE)
    stamp = timezone.localdate().isoformat()
    reply["Content-Disposition"] = f'attachment; filename="organisation-{stamp}.xlsx"'
    return reply


@login_required
@require_http_methods(["GET", "POST"])
def holidays_review(request):
    _admin(request, "imports.import_holidays")
    form = YearForm(request.POST if request.method == "POST" else (request.GET if "year" in request.GET else None))
    context = {"form": form, "first_year": None, "last_year": None}
    context["first_year"], context["last_year"] = holidays.years_available()
    if form.is_bound and form.is_valid():
        year, country = form.cleaned_data["year"], form.cleaned_data["country"]
        try:
            if request.method == "POST":
                counts = holidays.holidays_import(year=year, country=country, by=request.user)
                messages.success(
                    request,
                    _(
                        "The official days of %(year)s were saved: %(added)s added, %(updated)s updated, "
                        "%(unchanged)s already listed."
                    )
                    % dict(counts, year=year),
                )
                return redirect(f"{request.path}?{urlencode({'year': year, 'country': country})}")
            context["days"] = holidays.official_days(year, country)
            context["year"], context["country"] = year, country
            context["provisional"] = holidays.provisional(year, country)
        except holidays.HolidaysUnavailable as exc:
            form.add_error(None, str(exc))
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "imports/holidays.html", context, status=status)
