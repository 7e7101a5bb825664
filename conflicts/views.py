from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from conflicts import forms, selectors, services
from conflicts.docx import decision_file
from conflicts.models import Conflict
from conflicts.rules import can, can_raise_on_task, can_raise_on_team
from conflicts.services import ConflictError, ConflictStale
from departments.models import Membership
from tasks.models import Task
from tasks.selectors import acting_manager_department_ids, task_for_page
from teams.models import Team, TeamMember

PAGE_SIZE = 25
# Each action on a conflict: its form, the service it calls, and what the page says once done.
ACTIONS = {
    "position": (forms.PositionForm, services.conflict_add_position, gettext_lazy("Position recorded.")),
    "propose": (
        forms.ProposalForm,
        services.conflict_propose,
        gettext_lazy("Settlement proposed; each party is asked to agree."),
    ),
    "agree": (forms.AgreeForm, services.conflict_agree, gettext_lazy("Agreement recorded.")),
    "escalate": (forms.EscalateForm, services.conflict_escalate, gettext_lazy("Conflict escalated.")),
    "decide": (forms.DecisionForm, services.conflict_decide, gettext_lazy("Decision recorded; it is final.")),
    "withdraw": (forms.WithdrawForm, services.conflict_withdraw, gettext_lazy("Conflict withdrawn.")),
}


def _conflict_or_404(request, pk: int) -> Conflict:
    """The conflict if the user may see it; everyone else gets 404."""
    try:
        return selectors.conflict_for_page(request.user, pk)
    except Conflict.DoesNotExist:
        raise Http404 from None


def _errors(form) -> str:
    return " ".join(" ".join(errors) for errors in form.errors.values())


@login_required
@require_GET
def conflict_list(request):
    scope = "all" if request.GET.get("scope") == "all" else "mine"
    state = request.GET.get("state", "")
    conflicts = selectors.conflict_list(request.user, scope)
    if state in Conflict.State.values:
        conflicts = conflicts.filter(state=state)
    page = Paginator(conflicts, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "conflicts/conflict_list.html",
        {"page": page, "scope": scope, "state": state, "states": Conflict.State.choices},
    )


@login_required
@require_GET
def search(request):
    form = forms.SearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    page = Paginator(selectors.search_settled(request.user, query), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "conflicts/search.html", {"form": form, "page": page, "q": query})


@login_required
@require_http_methods(["GET", "POST"])
def raise_conflict(request, number: str):
    try:
        task = task_for_page(request.user, number)
    except Task.DoesNotExist:
        raise Http404 from None
    if not can_raise_on_task(request.user, task):
        raise PermissionDenied
    return _raise(request, task=task)


@login_required
@require_http_methods(["GET", "POST"])
def raise_on_team(request, pk: int):
    team = get_object_or_404(Team.objects.visible_to(request.user), pk=pk)
    if not can_raise_on_team(request.user, team):
        raise PermissionDenied
    return _raise(request, team=team)


def raise_form(user, data=None, *, task=None, team=None) -> forms.RaiseForm:
    """The raising form for a request or a team, bound to `data` when given: the departments it
    starts with and the ones the person speaks for. The page and the API (api/) both use it."""
    if task is not None:
        initial = [task.requesting_department_id, task.target_department_id]
        subject = task.title
    else:
        initial = list(TeamMember.objects.filter(team=team).values_list("department_id", flat=True).distinct())
        subject = ""
    own = set(Membership.objects.filter(user=user).values_list("department_id", flat=True))
    own |= set(acting_manager_department_ids(user))
    if team is not None:
        own |= set(TeamMember.objects.filter(team=team, user=user).values_list("department_id", flat=True))
    return forms.RaiseForm(data, speaks_for_ids=own, initial={"departments": initial, "subject": subject})


def _raise(request, *, task=None, team=None):
    form = raise_form(request.user, request.POST or None, task=task, team=team)
    if request.method == "POST" and form.is_valid():
        try:
            conflict = services.conflict_raise(by=request.user, task=task, team=team, **form.cleaned_data)
        except ConflictError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Conflict raised; the parties are in negotiation."))
            return redirect("conflicts:detail", pk=conflict.pk)
    return render(request, "conflicts/raise.html", {"form": form, "task": task, "team": team})


@login_required
@require_GET
def detail(request, pk: int):
    conflict = _conflict_or_404(request, pk)
    user = request.user
    perms = {action: can(user, action, conflict) for action in ACTIONS}
    roles = selectors.roles_of(user, conflict)
    parties = [party.department for party in conflict.parties.all() if party.department_id in roles.speaks_for]
    agreed = {party.department_id for party in conflict.parties.all() if party.agreed_at}
    # Each action's form gets ids of its own: several forms share field names ("text"), and a label
    # must focus the field of its own form.
    context = {
        "conflict": conflict,
        "perms": perms,
        "roles": roles,
        "parties": list(conflict.parties.all()),
        "positions": list(conflict.positions.all()),
        "timeline": selectors.timeline(conflict),
        "position_form": forms.PositionForm(parties=parties, auto_id="id_position_%s"),
        "proposal_form": forms.ProposalForm(parties=parties if not roles.holds else (), auto_id="id_propose_%s"),
        "agree_form": forms.AgreeForm(
            parties=[p for p in parties if p.pk not in agreed],
            initial={"seen_proposal_at": conflict.proposal_at.isoformat() if conflict.proposal_at else ""},
            auto_id="id_agree_%s",
        ),
        "escalate_form": forms.EscalateForm(parties=parties if not roles.holds else (), auto_id="id_escalate_%s"),
        "decision_form": forms.DecisionForm(auto_id="id_decide_%s"),
        "withdraw_form": forms.WithdrawForm(auto_id="id_withdraw_%s"),
        "decision_job": decision_file(conflict) if conflict.state == Conflict.State.RESOLVED else None,
    }
    return render(request, "conflicts/conflict_detail.html", context)


class InvalidInput(ConflictError):
    """The action's form refused the input; `form` has the message of each field."""

    def __init__(self, form):
        super().__init__(_errors(form))
        self.form = form


def run_action(action: str, conflict: Conflict, user, post, seen_state: str | None = None) -> str:
    """Take `action` (a key of ACTIONS) on the conflict: check the rule, validate the action's form
    and call its service; returns what the page says once done. The conflict page's buttons and
    the API's steps (api/) both come here. Raises ConflictStale when the conflict moved on past
    `seen_state` (or meanwhile), PermissionDenied when the rule refuses the person, InvalidInput
    for bad input and ConflictError when the service refuses the step."""
    if seen_state and seen_state != conflict.state:  # someone moved it on since the page was shown
        raise services.stale(conflict)
    if not can(user, action, conflict):
        raise PermissionDenied
    roles = selectors.roles_of(user, conflict)
    parties = [party.department for party in conflict.parties.all() if party.department_id in roles.speaks_for]
    form_class, service, done = ACTIONS[action]
    speaks = issubclass(form_class, forms.PartyForm)  # the form asks which party, the service takes its id
    form = form_class(post, parties=parties) if speaks else form_class(post)
    if not form.is_valid():
        raise InvalidInput(form)
    data = dict(form.cleaned_data)
    if speaks:
        data["department_id"] = data.pop("department", None)
    service(conflict=conflict, by=user, seen_state=seen_state or None, **data)
    return str(done)


@login_required
@require_POST
def act(request, pk: int, action: str):
    conflict = _conflict_or_404(request, pk)
    if action not in ACTIONS:
        raise Http404
    try:
        done = run_action(action, conflict, request.user, request.POST, request.POST.get("seen_state"))
    except ConflictStale as exc:
        messages.warning(request, str(exc))
    except ConflictError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)
    return redirect("conflicts:detail", pk=conflict.pk)
