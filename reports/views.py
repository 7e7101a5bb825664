"""Report pages, their exports and global search: parse the filter, check the rule, ask the selectors."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core import exports
from departments.models import Department
from reports import charts
from reports.forms import ReportFilterForm
from reports.rules import dashboard_departments
from reports.search import KINDS, search
from reports.search import query_tokens as _query_tokens
from reports.selectors import PAGE_ROWS, DepartmentReport, OrganisationReport, heatmap

FORMATS = ("csv", "xlsx")
CHART_ROWS = 25


def _figures(table) -> dict:
    """What the template draws for a table: an SVG bar chart, two for SLA, or a heatmap."""
    chart = table.chart or {}
    kind = chart.get("kind")
    if not table.rows:
        return {}
    if kind == "bars":
        shown = table.rows[:CHART_ROWS]
        labels = [" · ".join(str(row[i]) for i in chart.get("label_columns", [0])) for row in shown]
        values = [row[chart["value_column"]] for row in shown]
        return {"svgs": [("", charts.bars(labels, values))], "shown": CHART_ROWS if len(table.rows) > CHART_ROWS else 0}
    if kind == "percent":
        labels = [str(row[0]) for row in table.rows]
        svgs = [
            (table.headers[i], charts.bars(labels, [row[i] for row in table.rows], suffix="%", maximum=100))
            for i in chart["value_columns"]
        ]
        return {"svgs": svgs}
    if kind == "heatmap":
        return {"heatmap": heatmap(table, chart["value_column"])}
    return {}


def _sections(report) -> list:
    """Each table with its figures; long tables show their first rows (the charts and the
    exports have them all), so a page's size does not grow with the organisation."""
    sections = []
    for table in report.all():
        figures = _figures(table)
        if table.total is None and len(table.rows) > PAGE_ROWS:
            table.total = len(table.rows)
            table.rows = table.rows[:PAGE_ROWS]
        sections.append((table, figures))
    return sections


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


def _page(request, form, report_class, template, export_base, intro):
    """The whole page, or only its body for htmx when the filter changes."""
    context = {"form": form, "tables": [], "export_base": export_base}
    if form.is_valid():
        start, end = form.period
        department = form.cleaned_data["department"]
        report = report_class(request.user, department, start, end)
        period = f"{form.cleaned_data['start']:%Y-%m-%d} – {form.cleaned_data['end']:%Y-%m-%d}"
        heading = f"{department.display_name} · {period}" if department else period
        context.update(report=report, tables=_sections(report), heading=heading, intro=intro)
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
    )


def _export(request, form, report_class, section, fmt, name):
    if fmt not in FORMATS or section not in report_class.sections:
        raise Http404
    if not form.is_valid():
        errors = "; ".join(str(error) for errors in form.errors.values() for error in errors)
        return HttpResponseBadRequest(_("Bad filter: %(errors)s") % {"errors": errors}, content_type="text/plain")
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
    return _export(request, _organisation_form(request), OrganisationReport, section, fmt, "organisation")


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
