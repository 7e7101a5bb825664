"""Taking a document's step from a link in an e-mail or IM message (notifications.decisions):
核稿, 会签 and 签发 (agree or return to the drafter) and 签收.

The link names the step and the decision ("countersign.agree"); the page shows the document's
essentials with that decision chosen, and the POST spends the link and calls the same service as
the document page's buttons in one transaction: the same rule, row lock and "already handled"
answer apply, and a refused step leaves the link usable."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.workflow import StepConflict, StepError
from departments.models import Department
from documents import rules, selectors, services
from documents.body import to_html
from documents.models import Document, DocumentOpening
from documents.views import take_step
from notifications import decisions

AGREE, RETURN = gettext_lazy("Agree"), gettext_lazy("Return to the drafter")
OPINION_STEPS = ("review", "countersign", "sign_off")
ACTIONS = {
    **{f"{step}.{choice}": label for step in OPINION_STEPS for choice, label in (("agree", AGREE), ("return", RETURN))},
    "acknowledge": gettext_lazy("Acknowledge receipt (签收)"),
}
# What each notice offers as links (documents.services._tell).
LINKS = {step: (f"{step}.agree", f"{step}.return") for step in OPINION_STEPS} | {"distributed": ("acknowledge",)}


class StepForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"), choices=[("agree", AGREE), ("return", RETURN)], widget=forms.RadioSelect
    )
    text = forms.CharField(
        label=gettext_lazy("Opinion"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Needed to return it to the drafter."),
    )
    department = forms.ModelChoiceField(label=gettext_lazy("For department"), queryset=Department.objects.none())

    def __init__(self, *args, departments=None, **kwargs):
        super().__init__(*args, **kwargs)
        if departments is None:
            del self.fields["department"]
        else:
            self.fields["department"].queryset = Department.objects.filter(pk__in=[d.pk for d in departments])
            self.fields["department"].initial = departments[0].pk if departments else None


class AcknowledgeForm(forms.Form):
    pass


class _Spent(Exception):
    """Another post of the same link got there first."""


def load(pk: int) -> Document | None:
    return Document.objects.select_related("department", "drafter", "number").filter(pk=pk).first()


def _already_decided(request, document: Document):
    document.refresh_from_db(fields=["state"])
    return decisions.refusal(
        request,
        _("This step was already taken; the document is now “%(state)s”. Nothing was changed.")
        % {"state": document.get_state_display()},
        409,
        path=reverse("documents:detail", args=[document.pk]),
        title=document.title,
    )


def _take(step: str, document: Document, by, data: dict) -> str:
    if step == "acknowledge":
        departments = rules.acknowledge_departments_for(by, document)
        if not departments:
            raise PermissionDenied
        for department in departments:
            services.document_acknowledge(document=document, by=by, department=department)
        return _("Done.")
    return take_step(step, document, by, {**data, "agree": data["decision"] == "agree"})[0]


def decision_page(request, link, document: Document):
    user = request.user
    if not selectors.visible_documents(user).filter(pk=document.pk).exists():
        return decisions.refusal(request, _("What this link was for no longer exists."), 404)
    if request.method == "GET":
        services.document_opened(document=document, by=user, what=DocumentOpening.What.PAGE, detail="decide")
    step, _dot, choice = link.action.partition(".")
    if not rules.can(user, step, document):
        return _already_decided(request, document)
    bound = request.POST if request.method == "POST" else None
    if step == "acknowledge":
        form = AcknowledgeForm(bound)
    else:
        departments = rules.countersign_departments_for(user, document) if step == "countersign" else None
        form = StepForm(bound, departments=departments, initial={"decision": choice})
    if bound is not None and form.is_valid():
        try:
            with transaction.atomic():
                if not decisions.spend(link):
                    raise _Spent
                done = _take(step, document, user, form.cleaned_data)
        except _Spent:
            return decisions.refusal(request, _("This link was already used. Nothing was changed."), 410)
        except (StepConflict, PermissionDenied):
            return _already_decided(request, document)
        except StepError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, done)
            return redirect("documents:detail", pk=document.pk)
    context = {
        "document": document,
        "body_html": to_html(document.body),
        "form": form,
        "action_label": ACTIONS[link.action],
        "acknowledge": step == "acknowledge",
    }
    return render(request, "documents/decide.html", context, status=400 if bound is not None else 200)


decisions.register(Document, view=decision_page, actions=ACTIONS, load=load)
