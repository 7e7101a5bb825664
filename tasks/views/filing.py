"""Filing pages: choose a type, file, preview, edit a draft."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.forms.models import model_to_dict
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tasks import forms, selectors, services
from tasks.models import RequestType, Task
from tasks.rules import can
from tasks.services import TaskError
from tasks.views.common import _task_or_404


@login_required
@require_GET
def new_request(request):
    query = request.GET.get("q", "").strip()[:100]
    return render(
        request,
        "tasks/type_picker.html",
        {"groups": selectors.request_types_by_department(query, request.user.primary_department), "q": query},
    )


@login_required
@require_http_methods(["GET", "POST"])
def file_request(request, code: str):
    request_type = selectors.filing_type(code)
    if request_type is None:
        raise Http404
    form = forms.TaskForm(
        request.POST or None,
        request.FILES or None,
        request_type=request_type,
        user=request.user,
        initial={"token": uuid.uuid4(), "confidential": request_type.confidential},
    )
    if request.method == "POST" and form.is_valid():
        try:
            task = services.task_create(
                by=request.user,
                request_type=request_type,
                token=form.cleaned_data["token"],
                submit=request.POST.get("action") == "submit",
                **form.filing(),
            )
        except TaskError as exc:
            # Refused (who may file, a retired type): the service saved nothing; the page says why.
            form.add_error(None, str(exc))
        else:
            done = _("Draft %(number)s saved.") if task.state == Task.State.DRAFT else _("%(number)s submitted.")
            messages.success(request, done % {"number": task.number})
            return redirect("tasks:detail", number=task.number)
    return _form_page(request, form, request_type)


def _form_page(request, form, request_type, task=None):
    """The filing form with the approval route and expected finish of what it holds so far. A
    filer the service would refuse (task_create asks filing_refusal) reads why before typing."""
    filled = request.POST if request.method == "POST" else form.initial
    department = request.user.primary_department
    refusal = ""
    if task is None and request.method == "GET":
        refusal = services.filing_refusal(request_type=request_type, department=department)
    return render(
        request,
        "tasks/task_form.html",
        {
            "form": form,
            "request_type": request_type,
            "task": task,
            # Only number and choice fields feed approval conditions; send just those (never the files).
            "preview_params": ",".join(
                f"f_{spec.key}" for spec in form.specs if spec.kind in ("number", "amount", "choice")
            ),
            "preview": _preview(request, request_type, filled, department),
            "refusal": refusal,
        },
    )


def _preview(request, request_type, data, department) -> dict:
    route = (
        selectors.approval_route(request_type, request.user, department, forms.preview_values(request_type, data))
        if department
        else []
    )
    return {
        "route": route,
        "expected_finish": selectors.expected_finish(request_type, route),
        "department": department,
    }


@login_required
@require_POST
def preview(request, code: str):
    """The approval route and expected finish for the form as filled so far (htmx)."""
    request_type = get_object_or_404(RequestType, code=code, is_active=True)
    return render(
        request,
        "tasks/_route_preview.html",
        {
            "preview": _preview(request, request_type, request.POST, request.user.primary_department),
            "request_type": request_type,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit_request(request, number: str):
    task = _task_or_404(request, number)
    if not can(request.user, "edit", task):
        raise PermissionDenied
    request_type = task.request_type
    initial = {
        **model_to_dict(task, ["title", "description", "priority", "confidential", "co_departments", "watchers"]),
        "wanted_by": task.wanted_by and task.wanted_by.date(),
        **{f"f_{key}": value for key, value in task.field_values.items()},
    }
    specs = None
    if task.type_version_id is not None and task.type_version_id != request_type.current_version_id:
        # A draft filed on an earlier version is edited with that version's fields.
        specs = selectors.fields_of(request_type, task.type_version_id)
    form = forms.TaskForm(
        request.POST or None,
        request.FILES or None,
        request_type=request_type,
        user=request.user,
        initial=initial,
        specs=specs,
        fixed_co=selectors.co_department_ids(request_type, task.type_version_id),
    )
    for spec in form.specs:  # a stored file need not be uploaded again
        if spec.kind == "file" and spec.key in task.field_values:
            form.fields[f"f_{spec.key}"].required = False
        if spec.kind == "person" and task.field_values.get(spec.key):  # a stored login, as the picker takes one
            form.initial[f"f_{spec.key}"] = "@" + str(task.field_values[spec.key])
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.task_update_draft(
                task=task,
                by=request.user,
                title=data["title"],
                description=data["description"],
                values=form.values(),
                files=form.files_by_key(),
                priority=data["priority"],
                confidential=data["confidential"],
                estimate_hours=task.estimate_hours,
                wanted_by=form.wanted_by_moment(),
                co_departments=data["co_departments"],
                watchers=data["watchers"],
            )
            if data["attachments"]:
                services.task_comment(task=task, by=request.user, body="", attachments=data["attachments"])
            if request.POST.get("action") == "submit":
                services.task_submit(task=task, by=request.user)
        except TaskError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("%(number)s saved.") % {"number": task.number})
            return redirect("tasks:detail", number=task.number)
    return _form_page(request, form, request_type, task)
