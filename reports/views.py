"""Report pages, their exports and global search: parse the filter, check the rule, ask the selectors."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core import exports
from departments.models import Department
from reports import snapshots
from reports.forms import ReportFilterForm
from reports.rules import dashboard_departments
from reports.search import KINDS, search
from reports.search import query_tokens as _query_tokens
from reports.sections import sections
from reports.selectors import DepartmentReport, OrganisationReport

FORMATS = ("csv", "xlsx")


def _dashboard_form(request):
    if not request.user.has_perm("reports.view_dashboard"):
        raise PermissionDenied
    departments = dashboard_departments(request.user)
    return ReportFilterForm(request.GET, departments=departments, department_required=True)


def _organisation_form(request):
    if not request.user.has_perm("reports.view_organisation"):
        raise PermissionDenied
    departments = Department.objects.filter(is_active=True).order_by("sort_order", "code")
    return ReportFilterForm(request.GET, departments=departments)


@login_required
@require_GET
def index(request):
    if request.user.has_perm("reports.view_dashboard"):
        return redirect("reports:department")
    raise PermissionDenied


def _snapshot_scope(request, form) -> snapshots.Scope | None:
    """The scope of the snapshot holding the viewer's figures (the admins' shared one, or the
    viewer's own: reports.snapshots) when the organisation report's filter is the default one,
    else None: computed as asked."""
    if not snapshots.is_default(form.cleaned_data):
        return None
    return snapshots.scope_of(request.user)


def _page(request, form, report_class, template, export_base, intro, *, snapshot_scope=None):
    """The whole page, or only its body for htmx when the filter changes. With `snapshot_scope`
    (a callable: the organisation report) the default filter's figures come from the snapshot,
    taken now when there is none or the viewer asked for fresh figures."""
    context = {"form": form, "tables": [], "export_base": export_base}
    if form.is_valid():
        start, end = form.period
        department = form.cleaned_data["department"]
        period = f"{form.cleaned_data['start']:%Y-%m-%d} – {form.cleaned_data['end']:%Y-%m-%d}"
        heading = f"{department.display_name} · {period}" if department else period
        context.update(heading=heading, intro=intro)
        scope = snapshot_scope(request, form) if snapshot_scope else None
        if scope is not None:
            # Only "1" asks for fresh figures; any other value is the ordinary page.
            kept = snapshots.shown(scope, fresh=request.GET.get("fresh") == "1")
            context.update(tables=kept.sections, figures_taken=kept.taken)
        else:
            report = report_class(request.user, department, start, end)
            context.update(report=report, tables=sections(report.all()))
    if request.headers.get("HX-Request"):
        template = "reports/_body.html"
    return render(request, template, context)


@login_required
@require_GET
def department(request):
    return _page(
        request,
        _dashboard_form(request),
        DepartmentReport,
        "reports/department.html",
        "reports:department_export",
        _("Requests the department received in the period, among those you may see."),
    )


@login_required
@require_GET
def organisation(request):
    return _page(
        request,
        _organisation_form(request),
        OrganisationReport,
        "reports/organisation.html",
        "reports:organisation_export",
        _("Requests filed in the period between departments, and documents drafted in it, among those you may see."),
        snapshot_scope=_snapshot_scope,
    )


def _export(request, form, report_class, section, fmt, name, *, snapshot_scope=None):
    if fmt not in FORMATS or section not in report_class.sections:
        raise Http404
    if not form.is_valid():
        errors = "; ".join(str(error) for errors in form.errors.values() for error in errors)
        return HttpResponseBadRequest(_("Bad filter: %(errors)s") % {"errors": errors}, content_type="text/plain")
    scope = snapshot_scope(request, form) if snapshot_scope else None
    kept = snapshots.export(scope, section, fmt) if scope is not None else None
    if kept is not None:
        # The rows of the figures the default page shows (the same snapshot), not a second count.
        return exports.attachment(kept, fmt, f"{name}-{section}")
    start, end = form.period
    report = report_class(request.user, form.cleaned_data["department"], start, end)
    return exports.response(report.table(section, limit=None), fmt, name)


@login_required
@require_GET
def department_export(request, section, fmt):
    return _export(request, _dashboard_form(request), DepartmentReport, section, fmt, "department")


@login_required
@require_GET
def organisation_export(request, section, fmt):
    return _export(
        request,
        _organisation_form(request),
        OrganisationReport,
        section,
        fmt,
        "organisation",
        snapshot_scope=_snapshot_scope,
    )


@login_required
@require_GET
def search_page(request):
    query = request.GET.get("q", "").strip()[:200]
    kind = request.GET.get("kind", "")
    kinds = (kind,) if kind in KINDS else KINDS
    hits = search(request.user, query, kinds=kinds, limit=50) if query else []
    return render(
        request,
        "reports/search.html",
        {
            "query": query,
            "kind": kind if kind in KINDS else "",
            "hits": hits,
            "searched": bool(query),
            "too_short": bool(query) and not _query_tokens(query),
            "kinds": [
                ("task", _("Requests")),
                ("document", _("Documents")),
                ("person", _("People")),
                ("team", _("Teams")),
            ],
        },
    )
