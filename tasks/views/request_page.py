"""The request page: its form, its actions, downloads, @mention search."""

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from core import rendering
from core.previews import upload_preview
from core.uploads import serve_upload
from departments.models import User
from departments.selectors import people_matching
from tasks import forms, selectors, services
from tasks.models import Attachment, Task
from tasks.rules import can, task_rules
from tasks.services import TaskConflict, TaskError
from tasks.views.common import _form_errors, _task_or_404


@login_required
@require_GET
def detail(request, number: str):
    task = _task_or_404(request, number)
    user = request.user
    perms = {name: can(user, name, task) for name in task_rules if name != "view"}

    # Only the lists that have something (task_for_page asked which): a query per empty list was
    # most of the page's round trips.
    has = partial(selectors.may_have, task)
    approvals = (
        list(
            task.approvals.filter(round=task.approval_round).select_related(
                "approver", "decided_by", "added_by", "forwarded_from"
            )
        )
        if has("approvals")
        else []
    )
    context = {
        "task": task,
        "perms": perms,
        "approvals": approvals,
        "fields": selectors.answers_of(task),
        "subtasks": list(task.subtasks.select_related("target_department", "assignee")) if has("subtasks") else [],
        "co_departments": list(task.co_departments.all()) if has("co_departments") else [],
        "watchers": list(task.watchers.all()) if has("watchers") else [],
        "timeline": (timeline := selectors.timeline(task, known=[a.approver for a in approvals])),
        "returned": selectors.latest_return(timeline) if task.is_returned else None,
        "holds": list(task.holds.select_related("waiting_on")) if has("holds") else [],
        "comment_form": forms.CommentForm(),
    }
    # One form per action the person may take (the page shows no other), each with ids of its own:
    # the return, reject, decline and reopen forms share field names, and a label must focus the
    # field of its own form.
    action_forms = {
        action: form_class(auto_id=f"id_{action}_%s")
        for action, (form_class, *_service) in STEPS.items()
        if form_class in (forms.OpinionForm, forms.OpinionReasonForm, forms.ReasonForm, forms.NoteForm)
        and perms.get(RULE_OF_FORM.get(action, action))
    }
    if perms["add_approver"]:
        action_forms["add_approver"] = forms.AddApproverForm(auto_id="id_add_approver_%s")
        action_forms["forward"] = forms.ForwardForm(auto_id="id_forward_%s")
    if perms["progress"]:
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


@login_required
@require_POST
def follow(request, number: str):
    """Follow a request one may see (and hear when it is filed, taken on and ends), or stop: the
    same list as its CC (抄送), which its requester may also edit while it is a draft."""
    task = _task_or_404(request, number)
    if task.watchers.filter(pk=request.user.pk).exists():
        task.watchers.remove(request.user)
        messages.success(request, _("You no longer follow %(number)s.") % {"number": task.number})
    else:
        task.watchers.add(request.user)
        messages.success(
            request,
            _("You follow %(number)s: you will hear when it is taken on and when it ends.") % {"number": task.number},
        )
    return redirect("tasks:detail", number=task.number)


def _arguments(*names: str, **renamed: str) -> dict[str, str]:
    """A service's arguments, each named after the form field it comes from (or renamed=field)."""
    return {**{name: name for name in names}, **renamed}


# Each action of the request page: its form, its service, the service's arguments from the form's
# cleaned data, and what to tell the person.
STEPS = {
    "approve": (forms.OpinionForm, services.task_approve, _arguments("opinion"), gettext_lazy("Approved.")),
    "reject": (
        forms.OpinionReasonForm,
        services.task_reject,
        _arguments("opinion", "reason"),
        gettext_lazy("Rejected."),
    ),
    "return": (
        forms.OpinionReasonForm,
        services.task_return,
        _arguments("opinion", "reason"),
        gettext_lazy("Returned for revision."),
    ),
    "add_approver": (
        forms.AddApproverForm,
        services.task_add_approver,
        _arguments("person", "position", "comment"),
        gettext_lazy("%(name)s was added to the approval route (加签)."),
    ),
    "forward": (
        forms.ForwardForm,
        services.task_forward,
        _arguments("person", "comment"),
        gettext_lazy("Forwarded to %(name)s (转签), who now decides in your place."),
    ),
    "accept": (
        forms.AcceptForm,
        services.task_accept,
        _arguments("assignee", "estimate_hours", "note"),
        gettext_lazy("Accepted and assigned to %(name)s."),
    ),
    "reassign": (
        forms.AcceptForm,
        services.task_reassign,
        _arguments("assignee", "note"),
        gettext_lazy("Reassigned to %(name)s."),
    ),
    "decline": (forms.ReasonForm, services.task_decline, _arguments("reason", "comment"), gettext_lazy("Declined.")),
    "transfer": (
        forms.TransferForm,
        services.task_transfer,
        _arguments("department", "reason", "comment"),
        gettext_lazy("Transferred to %(department)s."),
    ),
    "progress": (
        forms.ProgressForm,
        services.task_progress,
        _arguments("percent", "note"),
        gettext_lazy("Progress posted."),
    ),
    "hold": (
        forms.HoldForm,
        services.task_hold,
        _arguments("reason", "waiting_on", "comment"),
        gettext_lazy("Put on hold."),
    ),
    "reopen": (forms.ReasonForm, services.task_reopen, _arguments("reason", "comment"), gettext_lazy("Reopened.")),
    "comment": (
        forms.CommentForm,
        services.task_comment,
        _arguments("body", attachments="files"),
        gettext_lazy("Comment added."),
    ),
    "submit": (forms.NoteForm, services.task_submit, _arguments(), gettext_lazy("Submitted.")),
    "resume": (forms.NoteForm, services.task_resume, _arguments("comment"), gettext_lazy("Resumed.")),
    "finish": (
        forms.NoteForm,
        services.task_finish,
        _arguments(note="comment"),
        gettext_lazy("Submitted for verification."),
    ),
    "confirm": (forms.NoteForm, services.task_confirm, _arguments("comment"), gettext_lazy("Confirmed done.")),
    "revise": (forms.NoteForm, services.task_revise, _arguments(), gettext_lazy("Back to draft: revise and submit.")),
    "cancel": (forms.NoteForm, services.task_cancel, _arguments("comment"), gettext_lazy("Cancelled.")),
    "withdraw": (
        forms.NoteForm,
        services.task_withdraw,
        _arguments("comment"),
        gettext_lazy("Withdrawn: a draft again, to edit and submit."),
    ),
    "urge": (forms.NoteForm, services.task_urge, _arguments("comment"), gettext_lazy("Urged.")),
}
# The rule that shows an action's form on the request page, where it is not the action's own name.
RULE_OF_FORM = {"return": "approve", "reject": "approve", "confirm": "verify", "reopen": "verify"}
# The forms that offer choices for one request (its department's people, other departments).
TASK_FORMS = (forms.AcceptForm, forms.TransferForm, forms.HoldForm)


def run_action(action: str, task: Task, by: User, post, files):
    """Validate the action's form and call its service. Returns (message, form-or-None).
    The request page's buttons and the API's steps (api/) both come here: one validation."""
    if action not in STEPS:
        raise Http404
    form_class = STEPS[action][0]
    form = form_class(post, files, **({"task": task} if form_class in TASK_FORMS else {}))
    if not form.is_valid():
        return None, form
    return do_step(action, task, by, form.cleaned_data), None


def do_step(action: str, task: Task, by: User, data: dict) -> str:
    """Call the action's service with its form's cleaned data; returns what to tell the person."""
    _form, service, arguments, done = STEPS[action]
    service(task=task, by=by, **{argument: data[field] for argument, field in arguments.items()})
    return done % {"name": data.get("assignee") or data.get("person"), "department": data.get("department")}


@login_required
@require_POST
def act(request, number: str, action: str):
    if action not in STEPS:
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
    return serve_upload(attachment.file, attachment.name, inline=request.GET.get("inline") == "1")


@login_required
@require_GET
def attachment_preview(request, number: str, pk: int):
    """The attachment in the page (a PDF, an image, a .docx through its PDF), with its download beside."""
    task = _task_or_404(request, number)
    attachment = get_object_or_404(Attachment, task=task, pk=pk)
    return upload_preview(
        request,
        source=attachment,
        kind=Attachment.PDF_KIND,
        name=attachment.name,
        download_url=reverse("tasks:download", args=[task.number, attachment.pk]),
        back_url=reverse("tasks:detail", args=[task.number]),
        back_label=task.number,
    )


@login_required
@require_GET
def mention_search(request, number: str):
    """People who may see the request whose login or name starts with q (for @mention autocomplete)."""
    task = _task_or_404(request, number)
    query = request.GET.get("q", "").strip()[:30]
    people = people_matching(query)[:30]
    found = [{"username": p.username, "name": p.name} for p in people if can(p, "view", task)][:8]
    return JsonResponse({"people": found})
