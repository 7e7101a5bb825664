"""Team pages: thin views that parse, authorise (teams.rules), call one service and redirect."""

from datetime import timedelta
from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import rendering
from tasks.models import Task
from tasks.services import TaskError
from teams import forms, selectors, services
from teams.docx import minutes_version, team_version
from teams.ical import build_feed
from teams.meetings import describe
from teams.models import ActionItem, CalendarFeed, Team
from teams.rules import can
from teams.services import TeamError


def _team_or_404(request, pk: int, *, may: str = "") -> Team:
    """The team if the user may see it (outsiders of a private team get 404 on every team URL),
    and, with `may`, take that action on it (else 403)."""
    try:
        team = selectors.team_for_page(request.user, pk)
    except Team.DoesNotExist:
        raise Http404 from None
    if may:
        _require(request, may, team)
    return team


def _require(request, action: str, team: Team) -> None:
    if not can(request.user, action, team):
        raise PermissionDenied


def _back(team: Team, anchor: str = ""):
    return redirect(reverse("teams:detail", args=[team.pk]) + (f"#{anchor}" if anchor else ""))


def _errors(form) -> str:
    parts = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        parts.append(f"{label}: {' '.join(errors)}" if label else " ".join(errors))
    return " ".join(parts)


def _act(request, back, run, done: str = "", form=None):
    """A button's step: check `form` (what is wrong becomes the message), call the service `run`
    with the form's data, say why it refused or `done`, and return `back` (a redirect)."""
    if form is not None and not form.is_valid():
        messages.error(request, _errors(form))
        return back
    try:
        run(**(form.cleaned_data if form is not None else {}))
    except TeamError as error:
        messages.error(request, str(error))
    else:
        if done:
            messages.success(request, done)
    return back


def _submitted(request, form, run, done: str = "") -> bool:
    """Whether `form` was posted valid and the service `run` took it (then `done` is said); when
    not, the form shows why."""
    if request.method != "POST" or not form.is_valid():
        return False
    try:
        run()
    except TeamError as error:
        form.add_error(None, str(error))
        return False
    if done:
        messages.success(request, done)
    return True


@login_required
@require_GET
def team_list(request):
    state = request.GET.get("state", "")
    if state not in Team.State.values:
        state = ""
    mine = request.GET.get("mine") == "1"
    return render(
        request,
        "teams/team_list.html",
        {
            "teams": selectors.teams_for_list(request.user, state=state, mine=mine)[:200],
            "states": Team.State.choices,
            "state": state,
            "mine": mine,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def team_form(request, pk: int | None = None):
    """The team's form and its members' formset: a new team, or the changes to team `pk`."""
    team = _team_or_404(request, pk, may="manage") if pk is not None else None
    initial = (
        [{"user": m.user_id, "department": m.department_id, "role": m.role} for m in team.members.all()] if team else []
    )
    form = forms.TeamForm(request.POST or None, instance=team, user=request.user)
    members = forms.MemberFormSet(request.POST or None, prefix="m", initial=initial)
    if request.method == "POST" and form.is_valid() and members.is_valid():
        data = form.cleaned_data
        values = {"by": request.user, "values": data, "members": forms.members_from(members), "lead": data.get("lead")}
        try:
            if team is None:
                team = services.team_create(**values)
                done = _("Team created. Next: plan the milestones and meetings.")
            else:
                services.team_update(team=team, **values)
                done = _("Team saved.")
        except TeamError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, done)
            return _back(team)
    return render(request, "teams/team_form.html", {"form": form, "members": members, "team": team})


# The actions the team page offers, each as can_<action> in its context.
PAGE_ACTIONS = ("manage", "contribute", "start", "complete", "evaluate", "cancel", "documents")


@login_required
@require_GET
def team_detail(request, pk: int):
    team = _team_or_404(request, pk)
    user = request.user
    context = selectors.team_page(team, user)
    context.update(
        team=team,
        cadence=describe(team),
        **{f"can_{action}": can(user, action, team) for action in PAGE_ACTIONS},
        reading_form=forms.ReadingForm(initial={"measured_on": timezone.localdate()}),
        cancel_form=forms.CancelForm(),
        meeting_form=forms.MeetingAddForm(),
        link_form=forms.LinkRequestForm(team=team),
        criteria_total=sum(c.weight for c in context["criteria"]),
    )
    if context["can_documents"]:
        context["plan_job"] = rendering.latest(team, "team_plan")
        context["evaluation_job"] = rendering.latest(team, "team_evaluation")
    return render(request, "teams/team_detail.html", context)


@login_required
@require_POST
def team_transition(request, pk: int, action: str):
    team = _team_or_404(request, pk, may=action)
    run = partial(run_transition, action, team, request.user, request.POST, team.state)
    return _act(request, _back(team), run, _("Done."))


class InvalidTransition(TeamError):
    """The step's form refused the input; `form` has the message of each field."""

    def __init__(self, form):
        super().__init__(_errors(form))
        self.form = form


TRANSITIONS = {
    "start": (None, services.team_start),
    "complete": (forms.CompleteForm, services.team_complete),
    "cancel": (forms.CancelForm, services.team_cancel),
}


def run_transition(action: str, team: Team, by, post, seen_state: str) -> None:
    """Start, complete or cancel `team` (the team page's buttons and the API's steps both come
    here): validate the step's form and call its service. Raises Http404 for an unknown step,
    InvalidTransition for bad input and TeamError when the service refuses the step; who may is
    the caller's rule check."""
    if action not in TRANSITIONS:
        raise Http404
    form_class, service = TRANSITIONS[action]
    data = {}
    if form_class is not None:
        form = form_class(post)
        if not form.is_valid():
            raise InvalidTransition(form)
        data = form.cleaned_data
    service(team=team, by=by, seen_state=seen_state, **data)


@login_required
@require_POST
def reading_add(request, pk: int):
    team = _team_or_404(request, pk, may="contribute")
    add = partial(services.reading_add, team=team, by=request.user)
    return _act(request, _back(team, "progress"), add, _("Reading recorded."), forms.ReadingForm(request.POST))


def _criteria_set(request, team: Team, form):
    """The step that replaces the team's evaluation criteria with the lines of `form`."""
    return lambda: services.criteria_set(team=team, by=request.user, rows=form.cleaned_data["lines"])


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit(request, pk: int):
    team = _team_or_404(request, pk, may="manage")
    plan_form = forms.PlanForm(request.POST if "plan" in request.POST else None, instance=team)
    lines = "\n".join(f"{c.name} = {c.weight}" for c in team.criteria.all())
    criteria_form = forms.CriteriaForm(request.POST if "criteria" in request.POST else None, initial={"lines": lines})

    def plan_set():
        services.plan_set(team=team, by=request.user, values=plan_form.cleaned_data)
        services.meetings_generate(team=Team.objects.get(pk=team.pk))

    set_criteria = _criteria_set(request, team, criteria_form)

    if "plan" in request.POST and plan_form.is_valid():
        if _submitted(request, plan_form, plan_set, _("Communication plan saved.")):
            return _back(team, "meetings")
    elif "criteria" in request.POST and _submitted(
        request, criteria_form, set_criteria, _("Evaluation criteria saved.")
    ):
        return _back(team, "evaluation")
    return render(
        request, "teams/plan_form.html", {"team": team, "plan_form": plan_form, "criteria_form": criteria_form}
    )


@login_required
@require_http_methods(["GET", "POST"])
def milestone_edit(request, pk: int, milestone_pk: int | None = None):
    team = _team_or_404(request, pk, may="manage")
    milestone = None
    if milestone_pk is not None:
        milestone = get_object_or_404(team.milestones, pk=milestone_pk)
    form = forms.MilestoneForm(request.POST or None, instance=milestone, team=team)

    def save():
        depends_on = form.cleaned_data["depends_on"]
        services.milestone_save(
            team=team, by=request.user, values=form.cleaned_data, depends_on=depends_on, milestone=milestone
        )

    if _submitted(request, form, save, _("Milestone saved.")):
        return _back(team, "plan")
    return render(request, "teams/milestone_form.html", {"team": team, "form": form, "milestone": milestone})


@login_required
@require_POST
def milestone_delete(request, pk: int, milestone_pk: int):
    team = _team_or_404(request, pk, may="manage")
    milestone = get_object_or_404(team.milestones, pk=milestone_pk)
    return _act(request, _back(team, "plan"), partial(services.milestone_delete, milestone=milestone, by=request.user))


@login_required
@require_http_methods(["GET", "POST"])
def request_file(request, pk: int):
    team = _team_or_404(request, pk, may="contribute")
    form = forms.FileRequestForm(request.POST or None, team=team, initial={"milestone": request.GET.get("milestone")})
    if request.method == "POST" and form.is_valid():
        try:
            link = services.team_request_file(team=team, by=request.user, **form.cleaned_data)
        except (TeamError, TaskError) as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Request %(number)s filed under the team.") % {"number": link.task.number})
            return _back(team, "requests")
    return render(request, "teams/request_form.html", {"team": team, "form": form})


@login_required
@require_POST
def request_link(request, pk: int):
    team = _team_or_404(request, pk, may="contribute")

    def link(number: str, milestone):
        task = Task.objects.filter(number=number.strip()).first()
        if task is None:
            raise TeamError(_("No request with this number that you can see."))
        services.team_request_link(team=team, by=request.user, task=task, milestone=milestone)

    form = forms.LinkRequestForm(request.POST, team=team)
    return _act(request, _back(team, "requests"), link, _("Request linked."), form)


@login_required
@require_POST
def meetings_generate(request, pk: int):
    team = _team_or_404(request, pk, may="manage")
    created = services.meetings_generate(team=team)
    messages.success(request, _("%(n)s meeting(s) scheduled from the cadence.") % {"n": len(created)})
    return _back(team, "meetings")


@login_required
@require_POST
def meeting_add(request, pk: int):
    team = _team_or_404(request, pk, may="manage")
    form = forms.MeetingAddForm(request.POST)
    if not form.is_valid():
        messages.error(request, _errors(form))
        return _back(team, "meetings")
    try:
        meeting = services.meeting_add(team=team, by=request.user, **form.cleaned_data)
    except TeamError as error:
        messages.error(request, str(error))
        return _back(team, "meetings")
    return redirect("teams:meeting", pk=team.pk, meeting_pk=meeting.pk)


# What a meeting's record form edits besides attendance and "held".
RECORDED = ("agenda", "minutes", "decisions")


@login_required
@require_http_methods(["GET", "POST"])
def meeting_detail(request, pk: int, meeting_pk: int):
    team = _team_or_404(request, pk)
    meeting = get_object_or_404(team.meetings, pk=meeting_pk)
    page = selectors.meeting_page(meeting)
    initial = {key: getattr(meeting, key) for key in RECORDED}
    initial["held"] = meeting.status == meeting.Status.HELD
    if not meeting.agenda and meeting.status == meeting.Status.SCHEDULED:
        initial["agenda"] = services.agenda_with_overdue(team, on=timezone.localtime(meeting.starts_at).date())
    form = forms.MeetingRecordForm(request.POST or None, attendance=page["attendance"], initial=initial)
    if request.method == "POST":
        _require(request, "contribute", team)

    def record():
        data = {key: form.cleaned_data[key] for key in (*RECORDED, "held")}
        services.meeting_record(meeting=meeting, by=request.user, attendance=form.attendance(), **data)

    if _submitted(request, form, record, _("Meeting saved.")):
        return redirect("teams:meeting", pk=team.pk, meeting_pk=meeting.pk)
    perms = {f"can_{action}": can(request.user, action, team) for action in ("contribute", "manage", "documents")}
    return render(
        request,
        "teams/meeting_detail.html",
        {
            "team": team,
            "meeting": meeting,
            "form": form,
            "action_form": forms.ActionForm(team=team, initial={"due_on": timezone.localdate() + timedelta(days=7)}),
            **perms,
            "minutes_job": rendering.latest(meeting, "minutes") if perms["can_documents"] else None,
            **page,
        },
    )


@login_required
@require_POST
def meeting_cancel(request, pk: int, meeting_pk: int):
    team = _team_or_404(request, pk, may="manage")
    meeting = get_object_or_404(team.meetings, pk=meeting_pk)
    return _act(request, _back(team, "meetings"), partial(services.meeting_cancel, meeting=meeting, by=request.user))


@login_required
@require_POST
def action_add(request, pk: int, meeting_pk: int):
    team = _team_or_404(request, pk, may="contribute")
    meeting = get_object_or_404(team.meetings, pk=meeting_pk)
    back = redirect("teams:meeting", pk=team.pk, meeting_pk=meeting.pk)
    add = partial(services.action_add, meeting=meeting, by=request.user)
    return _act(request, back, add, _("Action item added."), forms.ActionForm(request.POST, team=team))


def _action_reply(request, team: Team, item: ActionItem, error: str = "", done: str = ""):
    """After a step on an action item: its row for htmx to swap in place, else the meeting page
    with what went wrong or `done`."""
    if request.headers.get("HX-Request"):
        item = team.action_items.select_related("owner", "department", "task").get(pk=item.pk)
        context = {"a": item, "team": team, "error": error, "can_contribute": can(request.user, "contribute", team)}
        return render(request, "teams/_action_item.html", context)
    if error:
        messages.error(request, error)
    elif done:
        messages.success(request, done)
    return redirect("teams:meeting", pk=team.pk, meeting_pk=item.meeting_id)


def _action_of(team: Team, action_pk: int) -> ActionItem:
    return get_object_or_404(team.action_items.select_related("meeting", "department", "owner"), pk=action_pk)


@login_required
@require_POST
def action_request(request, pk: int, action_pk: int):
    team = _team_or_404(request, pk, may="contribute")
    item = _action_of(team, action_pk)
    error = done = ""
    try:
        task = services.action_to_request(item=item, by=request.user)
    except TeamError as exc:
        error = str(exc)
    else:
        done = _("Request %(number)s filed for the action item.") % {"number": task.number}
    return _action_reply(request, team, item, error, done)


@login_required
@require_POST
def action_done(request, pk: int, action_pk: int):
    team = _team_or_404(request, pk)
    item = _action_of(team, action_pk)
    if not (can(request.user, "contribute", team) or item.owner_id == request.user.pk):
        raise PermissionDenied
    error = ""
    try:
        services.action_done(item=item, by=request.user)
    except TeamError as exc:
        error = str(exc)
    return _action_reply(request, team, item, error)


@login_required
@require_http_methods(["GET", "POST"])
def team_evaluate(request, pk: int):
    team = _team_or_404(request, pk, may="evaluate")
    criteria = list(team.criteria.all())
    if not criteria:
        # Completed without criteria: set them here first.
        criteria_form = forms.CriteriaForm(request.POST or None)
        if _submitted(request, criteria_form, _criteria_set(request, team, criteria_form)):
            return redirect("teams:evaluate", pk=team.pk)
        return render(request, "teams/evaluate_form.html", {"team": team, "form": criteria_form, "criteria": []})
    form = forms.EvaluationForm(request.POST or None, criteria=criteria)

    def evaluate():
        services.team_evaluate(team=team, by=request.user, scores=form.scores(), summary=form.cleaned_data["summary"])

    if _submitted(request, form, evaluate, _("Evaluation recorded.")):
        return _back(team, "evaluation")
    return render(request, "teams/evaluate_form.html", {"team": team, "form": form, "criteria": criteria})


DOCUMENT_KINDS = {"plan": "team_plan", "evaluation": "team_evaluation"}


@login_required
@require_POST
def team_document(request, pk: int, kind: str):
    """Queue the 协作计划 (plan) or the evaluation report .docx for rendering."""
    team = _team_or_404(request, pk, may="documents")
    if kind not in DOCUMENT_KINDS:
        raise Http404
    if kind == "evaluation" and team.state != Team.State.EVALUATED:
        messages.error(request, _("The evaluation report exists once the team is evaluated."))
        return _back(team, "evaluation")
    rendering.request_file(team, DOCUMENT_KINDS[kind], version=team_version(team))
    messages.success(request, _("The file is being generated."))
    return _back(team, "documents")


@login_required
@require_POST
def minutes_document(request, pk: int, meeting_pk: int):
    team = _team_or_404(request, pk, may="documents")
    meeting = get_object_or_404(team.meetings, pk=meeting_pk)
    rendering.request_file(meeting, "minutes", version=minutes_version(meeting))
    messages.success(request, _("The file is being generated."))
    return redirect("teams:meeting", pk=team.pk, meeting_pk=meeting.pk)


# Calendar feed


@login_required
@require_GET
def calendar_settings(request):
    feed = CalendarFeed.objects.filter(user=request.user).first()
    url = request.build_absolute_uri(reverse("teams:feed", args=[feed.token])) if feed and feed.is_active else ""
    return render(request, "teams/calendar.html", {"feed": feed, "url": url})


@login_required
@require_POST
def calendar_rotate(request):
    services.feed_rotate(user=request.user)
    messages.success(request, _("A new calendar address was made; the old one no longer works."))
    return redirect("teams:calendar")


@login_required
@require_POST
def calendar_revoke(request):
    services.feed_revoke(user=request.user)
    messages.success(request, _("The calendar address no longer works."))
    return redirect("teams:calendar")


@require_GET
def calendar_feed(request, token: str):
    """The .ics feed: the secret token is the credential (calendar apps cannot log in)."""
    feed = CalendarFeed.objects.filter(token=token, is_active=True).select_related("user").first()
    if feed is None or not feed.user.is_active:
        raise Http404
    response = HttpResponse(build_feed(feed.user, request), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="collab-portal.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response
