"""Deciding an approval, or a department's acceptance, from a link in an e-mail or IM message
(notifications.decisions).

The notifications app checks the link (the signed-in person's own, unused, unexpired) and hands
it here. GET shows the request's essentials and the opinion box with the link's decision chosen;
POST spends the link and calls the same service as the request page's buttons, in one
transaction, so the same rule, row lock and "already handled" answer apply and a refused step
leaves the link usable."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.workflow import StepConflict, StepError
from notifications import decisions
from tasks import forms as task_forms
from tasks import selectors
from tasks.models import Reason, Task
from tasks.notices import task_path
from tasks.rules import can
from tasks.views.request_page import do_step

ACTIONS = {
    "approve": gettext_lazy("Approve"),
    "reject": gettext_lazy("Reject"),
    "return": gettext_lazy("Return for revision"),
    "accept": gettext_lazy("Accept and assign"),
    "decline": gettext_lazy("Decline"),
}
# Each link's action belongs to a step, asked of the rule named first.
STEPS = {"approve": ("approve", "reject", "return"), "accept": ("accept", "decline")}
STEP_OF = {action: step for step, actions in STEPS.items() for action in actions}


def _reason(help_text) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=gettext_lazy("Reason"), choices=[("", "—")] + Reason.choices, required=False, help_text=help_text
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=gettext_lazy("Decision"), choices=ACTIONS.items(), widget=forms.RadioSelect)
    reason = _reason(gettext_lazy("Needed to reject or return."))
    opinion = forms.CharField(
        label=gettext_lazy("Opinion"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") in ("reject", "return") and not cleaned.get("reason"):
            self.add_error("reason", _("Choose a reason."))
        return cleaned


class AcceptanceForm(task_forms.AcceptForm):
    """Accept (with the assignee) or decline (with a reason), as the request page's two forms."""

    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        choices=[(a, ACTIONS[a]) for a in STEPS["accept"]],
        widget=forms.RadioSelect,
    )
    reason = _reason(gettext_lazy("Needed to decline."))

    field_order = ["decision", "assignee", "estimate_hours", "note", "reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].required = False

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "accept" and not cleaned.get("assignee"):
            self.add_error("assignee", _("Choose who does it."))
        if cleaned.get("decision") == "decline" and not cleaned.get("reason"):
            self.add_error("reason", _("Choose a reason."))
        return cleaned


class _Spent(Exception):
    """Another post of the same link got there first."""


def load(pk: int) -> Task | None:
    return (
        Task.objects.select_related("request_type", "requester", "requesting_department", "target_department")
        .filter(pk=pk)
        .first()
    )


def _already_decided(request, task: Task):
    task.refresh_from_db(fields=["state"])
    return decisions.refusal(
        request,
        _("This step was already decided; the request is now “%(state)s”. Nothing was changed.")
        % {"state": task.get_state_display()},
        409,
        path=task_path(task),
        title=f"{task.number} {task.title}",
    )


def decision_page(request, link, task: Task):
    user = request.user
    if not can(user, "view", task):
        return decisions.refusal(request, _("What this link was for no longer exists."), 404)
    step = STEP_OF[link.action]
    if not can(user, step, task):
        return _already_decided(request, task)
    bound = request.POST if request.method == "POST" else None
    if step == "accept":
        suggested = next(
            (c for c in selectors.workload(task.target_department, task.request_type) if c.suggested), None
        )
        initial = {"decision": link.action, "assignee": suggested.user.pk if suggested else None}
        form = AcceptanceForm(bound, task=task, initial=initial)
    else:
        form = DecisionForm(bound, initial={"decision": link.action})
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                if not decisions.spend(link):
                    raise _Spent
                data = form.cleaned_data  # the step as the request page takes it; a decline's comment is the note
                done = do_step(data["decision"], task, user, {"comment": data.get("note", ""), **data})
        except _Spent:
            return decisions.refusal(request, _("This link was already used. Nothing was changed."), 410)
        except (StepConflict, PermissionDenied):
            return _already_decided(request, task)
        except StepError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, done)
            return redirect(task_path(task))
    context = {
        "task": task,
        "form": form,
        "fields": selectors.answers_of(task),
        # With who added or forwarded each approver and why (加签, 转签): often why this person was asked.
        "approvals": list(
            task.approvals.filter(round=task.approval_round).select_related(
                "approver", "decided_by", "added_by", "forwarded_from"
            )
        )
        if step == "approve"
        else [],
        "action_label": ACTIONS[link.action],
    }
    return render(request, "tasks/decide.html", context, status=400 if bound is not None else 200)


decisions.register(Task, view=decision_page, actions=ACTIONS, load=load)
