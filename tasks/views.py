import uuid
from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import rendering
from core.uploads import serve_upload
from departments.models import Department, User
from departments.selectors import departments_in_order, people_matching
from tasks import forms, selectors, services
from tasks.models import Attachment, RequestType, Task
from tasks.rules import can
from tasks.services import TaskConflict, TaskError

PAGE_SIZE = 25


def _task_or_404(request, number: str) -> Task:
    """The request if the user may see it; everyone else gets 404, so numbers reveal nothing."""
    try:
        return selectors.task_for_page(request.user, number)
    except Task.DoesNotExist:
        raise Http404 from None


def _form_errors(form) -> str:
    return " ".join(
        f"{form.fields[name].label if name in form.fields else ''}: {' '.join(errors)}".lstrip(": ")
        for name, errors in form.errors.items()
    )


# Filing


@login_required
@require_GET
def new_request(request):
    query = request.GET.get("q", "").strip()[:100]
    return render(
        request, "tasks/type_picker.html", {"groups": selectors.request_types_by_department(query), "q": query}
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
        initial={"token": uuid.uuid4()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            task = services.task_create(
                by=request.user,
                request_type=request_type,
                title=data["title"],
                description=data["description"],
                values=form.values(),
                files=form.files_by_key(),
                attachments=data["attachments"],
                co_departments=data["co_departments"],
                watchers=data["watchers"],
                priority=data["priority"],
                confidential=data["confidential"],
                wanted_by=form.wanted_by_moment(),
                token=data["token"],
                submit=request.POST.get("action") == "submit",
            )
        except TaskError as exc:
            form.add_error(None, str(exc))
        else:
            if task.state == Task.State.DRAFT:
                messages.success(request, _("Draft %(number)s saved.") % {"number": task.number})
            else:
                messages.success(request, _("%(number)s submitted.") % {"number": task.number})
            return redirect("tasks:detail", number=task.number)
    return render(
        request,
        "tasks/task_form.html",
        {
            "form": form,
            "request_type": request_type,
            "preview_params": _preview_params(form),
            "preview": _preview(request, request_type, request.POST if request.method == "POST" else {}),
        },
    )


def _preview(request, request_type, data) -> dict:
    department = request.user.primary_department
    route = (
        selectors.approval_route(request_type, request.user, department, forms.preview_values(request_type, data))
        if department
        else []
    )
    return {
        "route": route,
        "expected_finish": selectors.expected_finish(request_type, approval_steps=len(route)),
        "department": department,
    }


def _preview_params(form) -> str:
    """Only the number fields feed approval conditions; send just those (never the files)."""
    return ",".join(f"f_{spec.key}" for spec in form.specs if spec.kind == "number")


@login_required
@require_POST
def preview(request, code: str):
    """The approval route and expected finish for the form as filled so far (htmx)."""
    request_type = get_object_or_404(RequestType, code=code, is_active=True)
    return render(
        request,
        "tasks/_route_preview.html",
        {"preview": _preview(request, request_type, request.POST), "request_type": request_type},
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit_request(request, number: str):
    task = _task_or_404(request, number)
    if not can(request.user, "edit", task):
        raise PermissionDenied
    request_type = task.request_type
    initial = {
        "title": task.title,
        "description": task.description,
        "priority": task.priority,
        "confidential": task.confidential,
        "co_departments": list(task.co_departments.all()),
        "watchers": list(task.watchers.all()),
        "wanted_by": task.wanted_by and task.wanted_by.date(),
        **{f"f_{key}": value for key, value in task.field_values.items()},
    }
    form = forms.TaskForm(
        request.POST or None, request.FILES or None, request_type=request_type, user=request.user, initial=initial
    )
    for spec in form.specs:  # a stored file need not be uploaded again
        if spec.kind == "file" and spec.key in task.field_values:
            form.fields[f"f_{spec.key}"].required = False
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
    return render(
        request,
        "tasks/task_form.html",
        {
            "form": form,
            "request_type": request_type,
            "task": task,
            "preview_params": _preview_params(form),
            "preview": _preview(request, request_type, request.POST if request.method == "POST" else form.initial),
        },
    )


# The request page and its actions


@login_required
@require_GET
def detail(request, number: str):
    task = _task_or_404(request, number)
    user = request.user
    perms = {
        name: can(user, name, task)
        for name in (
            "edit",
            "submit",
            "approve",
            "accept",
            "decline",
            "transfer",
            "reassign",
            "progress",
            "hold",
            "resume",
            "finish",
            "verify",
            "revise",
            "cancel",
            "urge",
            "comment",
        )
    }

    # Only the lists that have something (task_for_page asked which): a query per empty list was
    # most of the page's round trips.
    has = partial(selectors.may_have, task)
    context = {
        "task": task,
        "perms": perms,
        "approvals": list(task.approvals.filter(round=task.approval_round).select_related("approver", "decided_by"))
        if has("approvals")
        else [],
        "fields": [(spec, task.field_values.get(spec.key)) for spec in selectors.fields_of(task.request_type)],
        "subtasks": list(task.subtasks.select_related("target_department", "assignee")) if has("subtasks") else [],
        "co_departments": list(task.co_departments.all()) if has("co_departments") else [],
        "watchers": list(task.watchers.all()) if has("watchers") else [],
        "timeline": (timeline := selectors.timeline(task)),
        "returned": selectors.latest_return(timeline) if task.is_returned else None,
        "holds": list(task.holds.select_related("waiting_on")) if has("holds") else [],
        "comment_form": forms.CommentForm(),
    }
    # One form per action, each with ids of its own: the return, reject, decline and reopen forms
    # share field names, and a label must focus the field of its own form.
    action_forms = {
        action: form_class(auto_id=f"id_{action}_%s")
        for action, form_class in (
            ("approve", forms.OpinionForm),
            ("return", forms.OpinionReasonForm),
            ("reject", forms.OpinionReasonForm),
            ("decline", forms.ReasonForm),
            ("reopen", forms.ReasonForm),
            ("finish", forms.NoteForm),
            ("resume", forms.NoteForm),
            ("confirm", forms.NoteForm),
            ("urge", forms.NoteForm),
            ("cancel", forms.NoteForm),
        )
    }
    action_forms["progress"] = forms.ProgressForm(initial={"percent": task.progress}, auto_id="id_progress_%s")
    if perms["accept"] or perms["reassign"]:
        candidates = selectors.workload(task.target_department, task.request_type)
        suggested = next((c for c in candidates if c.suggested), None)
        context["candidates"] = candidates
        for action in ("accept", "reassign"):
            action_forms[action] = forms.AcceptForm(
                task=task,
                initial={"assignee": suggested.user.pk if suggested else None, "estimate_hours": task.estimate_hours},
                loads={c.user.pk: c for c in candidates},
                auto_id=f"id_{action}_%s",
            )
    context["request_form"] = rendering.latest(task, "request_form") if has("request_form") else None
    if perms["transfer"]:
        action_forms["transfer"] = forms.TransferForm(task=task, auto_id="id_transfer_%s")
    if perms["hold"]:
        action_forms["hold"] = forms.HoldForm(task=task, auto_id="id_hold_%s")
    context["action_forms"] = action_forms
    return render(request, "tasks/task_detail.html", context)


@login_required
@require_POST
def request_form(request, number: str):
    """Queue the 事务单 .docx of the request as it stands; the page shows its progress."""
    from tasks.docx import file_version

    task = _task_or_404(request, number)
    rendering.request_file(task, "request_form", version=file_version(task))
    messages.info(request, _("The request form is being generated."))
    return redirect("tasks:detail", number=task.number)


def _run(action: str, task: Task, by: User, post, files):
    """Validate the action's form and call its service. Returns (message, form-or-None)."""
    if action == "approve":
        form = forms.OpinionForm(post)
        if form.is_valid():
            services.task_approve(task=task, by=by, opinion=form.cleaned_data["opinion"])
            return _("Approved."), None
    elif action in ("reject", "return"):
        form = forms.OpinionReasonForm(post)
        if form.is_valid():
            call = services.task_reject if action == "reject" else services.task_return
            call(task=task, by=by, opinion=form.cleaned_data["opinion"], reason=form.cleaned_data["reason"])
            return (_("Rejected.") if action == "reject" else _("Returned for revision.")), None
    elif action in ("accept", "reassign"):
        form = forms.AcceptForm(post, task=task)
        if form.is_valid():
            data = form.cleaned_data
            if action == "accept":
                services.task_accept(
                    task=task,
                    by=by,
                    assignee=data["assignee"],
                    estimate_hours=data["estimate_hours"],
                    note=data["note"],
                )
                return _("Accepted and assigned to %(name)s.") % {"name": data["assignee"].name}, None
            services.task_reassign(task=task, by=by, assignee=data["assignee"], note=data["note"])
            return _("Reassigned to %(name)s.") % {"name": data["assignee"].name}, None
    elif action == "decline":
        form = forms.ReasonForm(post)
        if form.is_valid():
            services.task_decline(
                task=task, by=by, reason=form.cleaned_data["reason"], comment=form.cleaned_data["comment"]
            )
            return _("Declined."), None
    elif action == "transfer":
        form = forms.TransferForm(post, task=task)
        if form.is_valid():
            data = form.cleaned_data
            services.task_transfer(
                task=task, by=by, department=data["department"], reason=data["reason"], comment=data["comment"]
            )
            return _("Transferred to %(department)s.") % {"department": data["department"].display_name}, None
    elif action == "progress":
        form = forms.ProgressForm(post)
        if form.is_valid():
            services.task_progress(
                task=task, by=by, percent=form.cleaned_data["percent"], note=form.cleaned_data["note"]
            )
            return _("Progress posted."), None
    elif action == "hold":
        form = forms.HoldForm(post, task=task)
        if form.is_valid():
            data = form.cleaned_data
            services.task_hold(
                task=task, by=by, reason=data["reason"], waiting_on=data["waiting_on"], comment=data["comment"]
            )
            return _("Put on hold."), None
    elif action == "reopen":
        form = forms.ReasonForm(post)
        if form.is_valid():
            services.task_reopen(
                task=task, by=by, reason=form.cleaned_data["reason"], comment=form.cleaned_data["comment"]
            )
            return _("Reopened."), None
    elif action == "comment":
        form = forms.CommentForm(post, files)
        if form.is_valid():
            services.task_comment(
                task=task, by=by, body=form.cleaned_data["body"], attachments=form.cleaned_data["files"]
            )
            return _("Comment added."), None
    else:
        form = forms.NoteForm(post)
        if form.is_valid():
            note = form.cleaned_data["comment"]
            simple = {
                "submit": (lambda: services.task_submit(task=task, by=by), _("Submitted.")),
                "resume": (lambda: services.task_resume(task=task, by=by, comment=note), _("Resumed.")),
                "finish": (lambda: services.task_finish(task=task, by=by, note=note), _("Submitted for verification.")),
                "confirm": (lambda: services.task_confirm(task=task, by=by, comment=note), _("Confirmed done.")),
                "revise": (lambda: services.task_revise(task=task, by=by), _("Back to draft: revise and submit.")),
                "cancel": (lambda: services.task_cancel(task=task, by=by, comment=note), _("Cancelled.")),
                "urge": (lambda: services.task_urge(task=task, by=by, comment=note), _("Urged.")),
            }
            if action not in simple:
                raise Http404
            call, done = simple[action]
            call()
            return done, None
    return None, form


ACTIONS = {
    "approve",
    "reject",
    "return",
    "accept",
    "reassign",
    "decline",
    "transfer",
    "progress",
    "hold",
    "reopen",
    "comment",
    "submit",
    "resume",
    "finish",
    "confirm",
    "revise",
    "cancel",
    "urge",
}


@login_required
@require_POST
def act(request, number: str, action: str):
    if action not in ACTIONS:
        raise Http404
    task = _task_or_404(request, number)
    seen = request.POST.get("seen_state")
    if seen and seen != task.state and action != "comment":
        messages.warning(request, str(services.conflict(task)))
        return redirect("tasks:detail", number=task.number)
    try:
        done, form = _run(action, task, request.user, request.POST, request.FILES)
    except TaskConflict as exc:
        messages.warning(request, str(exc))
    except TaskError as exc:
        messages.error(request, str(exc))
    else:
        if form is not None:
            messages.error(request, _form_errors(form))
        else:
            messages.success(request, done)
    return HttpResponseRedirect(_next(request) or reverse("tasks:detail", args=[task.number]))


def _next(request) -> str:
    """The page to go back to (the form's `next`), when it is one of this site's; "" otherwise.
    An address, never a URL pattern's name: redirect() would try to reverse a value without a
    slash, and fail on it."""
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if safe and "\x00" not in target else ""


@login_required
@require_GET
def download(request, number: str, pk: int):
    task = _task_or_404(request, number)
    attachment = get_object_or_404(Attachment, task=task, pk=pk)
    return serve_upload(attachment.file, attachment.name)


@login_required
@require_GET
def mention_search(request, number: str):
    """People who may see the request whose login or name starts with q (for @mention autocomplete)."""
    task = _task_or_404(request, number)
    query = request.GET.get("q", "").strip()[:30]
    people = people_matching(query)[:30]
    found = [{"username": p.username, "name": p.name} for p in people if can(p, "view", task)][:8]
    return JsonResponse({"people": found})


# Lists


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
