"""The request page: its form, its actions, downloads, @mention search."""

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core import rendering
from core.uploads import serve_upload
from departments.models import User
from departments.selectors import people_matching
from tasks import forms, selectors, services
from tasks.models import Attachment, Task
from tasks.rules import can
from tasks.services import TaskConflict, TaskError
from tasks.views.common import _form_errors, _task_or_404

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


def run_action(action: str, task: Task, by: User, post, files):
    """Validate the action's form and call its service. Returns (message, form-or-None).
    The request page's buttons and the API's steps (api/) both come here: one validation."""
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
        done, form = run_action(action, task, request.user, request.POST, request.FILES)
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
