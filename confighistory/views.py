"""The history of configuration: the log of every change (admins; department administrators
their own departments'), its export, and one object's history as a panel for its page."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from confighistory import selectors
from confighistory.forms import LogFilterForm
from confighistory.kinds import KINDS

PAGE_SIZE = 50
EXPORT_LIMIT = 10_000
OBJECT_LIMIT = 50


@login_required
@require_GET
def log(request):
    if not request.user.has_perm("confighistory.view_log"):
        raise PermissionDenied
    kinds, _departments = selectors.scope_for(request.user)
    form = LogFilterForm(request.GET or None, kinds=kinds)
    valid = not request.GET or form.is_valid()
    filters = form.cleaned_data if request.GET and valid else {}
    if valid and request.GET.get("export") in ("csv", "xlsx"):
        return _export(request, filters, request.GET["export"])
    if valid:
        page = selectors.log_page(request.user, filters, request.GET.get("page"), PAGE_SIZE)
    else:
        page = None
    return render(
        request,
        "confighistory/log.html",
        {"filter_form": form, "page": page, "everything": kinds == list(KINDS.values())},
    )


def _export(request, filters: dict, fmt: str):
    from core.exports import Table, response

    rows = [
        [
            entry.when,
            entry.who,
            str(entry.kind.label),
            entry.name,
            entry.action_label,
            entry.diff_text,
        ]
        for entry in selectors.log_rows(request.user, filters, EXPORT_LIMIT)
    ]
    headers = [_("When"), _("Who"), _("Kind of object"), _("Object"), _("What happened"), _("Changes")]
    table = Table(key=timezone.localdate().isoformat(), title=_("History of settings"), headers=headers, rows=rows)
    return response(table, fmt, "settings-history")


@login_required
@require_GET
def object_history(request, kind: str, pk: int):
    """One object's history: a panel for htmx on the object's page, or a page of its own."""
    found = KINDS.get(kind)
    if found is None:
        raise Http404
    allowed = selectors.may_read(request.user, found, pk)
    if allowed is None:
        raise Http404
    if not allowed:
        raise PermissionDenied
    entries = selectors.object_history(found, pk, OBJECT_LIMIT, reader=request.user)
    context = {"entries": entries, "kind": found, "name": entries[0].name if entries else ""}
    if request.headers.get("HX-Request"):
        return render(request, "confighistory/_history.html", context)
    return render(request, "confighistory/object.html", context)
