"""Request lists and their export, the department inbox and workload, bulk actions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from departments.models import Department, User
from departments.selectors import departments_in_order
from tasks import forms, selectors, services
from tasks.models import RequestType, Task
from tasks.services import TaskError
from tasks.views.common import PAGE_SIZE, _form_errors

SCOPES = {
    "mine": (selectors.my_requests, "My requests"),
    "approvals": (selectors.tasks_to_approve, "To approve"),
    "assigned": (selectors.assigned_to, "Assigned to me"),
    "all": (selectors.tasks_for_list, "All requests I can see"),
}


def _filters(request) -> tuple[forms.FilterForm, dict]:
    """The filter form and its cleaned values (none when the address asks for nothing, or for
    something the form does not accept)."""
    if not request.GET:
        return forms.FilterForm(), {}
    form = forms.FilterForm(request.GET)
    return form, form.cleaned_data if form.is_valid() else {}


EXPORT_LIMIT = 50_000


def _export(qs, fmt: str, scope: str):
    """The list as CSV or XLSX, with the same filters, up to EXPORT_LIMIT rows (read in one query)."""
    from core.exports import Table, response

    states = dict(Task.State.choices)
    departments = {d.pk: d.display_name for d in Department.objects.all()}
    rows = [
        [
            number,
            title,
            states.get(state, state),
            departments.get(requesting),
            departments.get(target),
            name or username or "",
            created,
            due,
        ]
        for number, title, state, requesting, target, name, username, created, due in qs.values_list(
            "number",
            "title",
            "state",
            "requesting_department_id",
            "target_department_id",
            "assignee__display_name",
            "assignee__username",
            "created_at",
            "due_at",
        )[:EXPORT_LIMIT]
    ]
    headers = [_("Number"), _("Title"), _("State"), _("From"), _("To department"), _("Assignee"), _("Filed"), _("Due")]
    return response(Table(key=scope, title=scope, headers=headers, rows=rows), fmt, "requests")


@login_required
@require_GET
def task_list(request, scope: str):
    if scope not in SCOPES:
        raise Http404
    query, title = SCOPES[scope]
    form, filters = _filters(request)
    if request.GET.get("export") in ("csv", "xlsx"):
        qs = selectors.filter_tasks(query(request.user), filters)
        return _export(qs.order_by("-created_at", "-pk"), request.GET["export"], scope)
    page = selectors.list_page(request.user, scope, filters, request.GET.get("page"), PAGE_SIZE)
    template = "tasks/_rows.html" if request.headers.get("HX-Request") else "tasks/task_list.html"
    return render(
        request,
        template,
        {
            "page": page,
            "filter_form": form,
            "scope": scope,
            "title": _(title),
            "bulk_approve": scope == "approvals",
        },
    )


INBOX_ROWS = 25  # per department; the filters narrow the rest


@login_required
@require_GET
def department_inbox(request):
    user = request.user
    department_ids = selectors.acting_manager_department_ids(user)
    if not department_ids:
        raise PermissionDenied
    departments = departments_in_order(department_ids)
    form, filters = _filters(request)
    waiting_here = selectors.filter_tasks(selectors.inbox(user), filters)
    tasks, waiting = selectors.inbox_page(waiting_here, INBOX_ROWS * len(departments))
    wanted = selectors.skills_of(RequestType.skills.through, "requesttype", {t.request_type_id for t in tasks})
    wanted_ids = {type_id: {skill.pk for skill in skills} for type_id, skills in wanted.items()}
    boards = []
    for department in departments:
        candidates = selectors.workload(department)
        shown = [t for t in tasks if t.target_department_id == department.pk][:INBOX_ROWS]
        # Each row carries only its suggestion; portal.js copies the board's list into it, so
        # the rows of a large department do not each repeat every member's name.
        picks = selectors.suggest_batch(candidates, shown, wanted_ids)
        suggested = next((c for c in candidates if c.suggested), None)
        workload_url = reverse("tasks:workload", args=[department.code])
        boards.append(
            {
                "department": department,
                "rows": [{"task": task, "suggested": best} for task, best in zip(shown, picks, strict=True)],
                "candidates": candidates,
                "suggested": suggested,
                "workload_url": f"{workload_url}?suggested={suggested.user.pk}" if suggested else workload_url,
                "waiting": waiting.get(department.pk, 0),
            }
        )
    return render(request, "tasks/inbox.html", {"boards": boards, "filter_form": form})


@login_required
@require_GET
def department_workload(request, code: str):
    """The workload table of a department one manages: loaded when its <details> in the inbox opens
    (htmx), or as a page of its own without JavaScript."""
    managed = departments_in_order(selectors.acting_manager_department_ids(request.user))
    department = next((d for d in managed if d.code == code), None)
    if department is None:
        raise Http404
    candidates = selectors.workload(department)
    # The inbox says whom it suggests now (its first row's suggestion), so the table marks the same
    # person; anyone else's id marks nobody.
    suggested = request.GET.get("suggested", "")
    for candidate in candidates:
        candidate.suggested = str(candidate.user.pk) == suggested
    context = {"department": department, "candidates": candidates}
    template = "tasks/_workload.html" if request.headers.get("HX-Request") else "tasks/workload.html"
    return render(request, template, context)


@login_required
@require_POST
def bulk(request, action: str):
    # isdecimal, not isdigit: int() refuses some digits ("²"). Values come from the page's checkboxes
    # and lists, not a form; anything else is ignored as no choice.
    ids = [int(i) for i in request.POST.getlist("ids") if i.isdecimal()][:200]
    tasks = list(Task.objects.visible_to(request.user).filter(pk__in=ids))
    opinion = forms.OpinionForm(request.POST)
    if not tasks:
        messages.warning(request, _("Select at least one request."))
    elif action == "approve" and not opinion.is_valid():
        messages.error(request, _form_errors(opinion))
    elif action == "approve":
        try:
            done, failed = services.bulk_approve(tasks=tasks, by=request.user, opinion=opinion.cleaned_data["opinion"])
        except TaskError as exc:
            messages.error(request, str(exc))
        else:
            _bulk_messages(request, done, failed)
    elif action == "assign":
        chosen = request.POST.get("assignee", "")
        assignee = User.objects.filter(pk=int(chosen), is_active=True).first() if chosen.isdecimal() else None
        if assignee is None:
            messages.error(request, _("Choose the person to assign."))
        else:
            done, failed = services.bulk_assign(tasks=tasks, by=request.user, assignee=assignee)
            _bulk_messages(request, done, failed)
    else:
        raise Http404
    return redirect(reverse("tasks:inbox") if action == "assign" else reverse("tasks:list", args=["approvals"]))


def _bulk_messages(request, done, failed) -> None:
    if done:
        messages.success(
            request,
            _("Done for %(count)s: %(numbers)s.") % {"count": len(done), "numbers": ", ".join(t.number for t in done)},
        )
    for task, reason in failed:
        messages.warning(request, f"{task.number}: {reason}")
