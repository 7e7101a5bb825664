"""Use cases of a conflict's life. Each step goes through core.workflow.step: lock the row, check
the conflict is still where the user saw it (else ConflictStale: "already handled"), ask the rule
of conflicts/rules.py, run the transition, write the log and the notifications in the same
transaction.

Settlement: a settlement is the text on the table (proposed by a party, or by the mediator at
mediation) once every party has agreed to it; proposing a new text clears earlier agreements.
Escalate now: any party may declare negotiation or mediation failed and escalate at once; the
mediator may refer the conflict to arbitration. When no neutral mediator exists, negotiation
escalates straight to arbitration.
"""

from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from conflicts import selectors
from conflicts.docx import request_decision_file
from conflicts.models import Conflict, ConflictAction, ConflictParty, ConflictSettings, Position
from conflicts.rules import can_raise_on_task, can_raise_on_team, conflict_rules
from core.actions import log_action
from core.workflow import StepConflict, StepError, step
from departments.models import Department, User
from notifications.actors import step_actor
from notifications.services import notify
from tasks.models import Task
from tasks.services import managers_of

S = Conflict.State
MAX_TEXT = 5000


class ConflictError(StepError):
    """A conflict action that cannot be done; the message is for the user."""


class ConflictStale(ConflictError, StepConflict):
    """Someone else already moved the conflict on; the page should reload."""


def _step(conflict: Conflict, by: User, action: str, *states: str, seen_state: str | None = None, refused=None):
    """A step on the conflict (core.workflow.step): its row locked, still in one of `states`,
    allowed by the rule `action` of conflicts/rules.py."""
    return step(
        Conflict,
        conflict.pk,
        by=by,
        expect=states,
        seen_state=seen_state,
        rule=conflict_rules[action],
        stale=stale,
        refused=refused,
    )


def stale(conflict: Conflict) -> ConflictStale:
    return ConflictStale(
        _("This conflict was already handled; it is now “%(state)s”.") % {"state": conflict.get_state_display()}
    )


def _text(text: str, message: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ConflictError(message)
    if len(text) > MAX_TEXT:
        raise ConflictError(_("Keep it under %(count)s characters.") % {"count": MAX_TEXT})
    return text


def link(conflict: Conflict) -> str:
    return f"/conflicts/{conflict.pk}/"


def _parties(conflict: Conflict) -> list[Department]:
    return [party.department for party in conflict.parties.select_related("department")]


def _party_managers(conflict: Conflict) -> list[User]:
    people: list[User] = []
    for department in _parties(conflict):
        people += managers_of(department)
    return people


def _everyone(conflict: Conflict) -> list[User]:
    """The parties' managers, whoever raised it and the current holder."""
    return [*_party_managers(conflict), conflict.raised_by, conflict.holder]


def _speaking_department(by: User, conflict: Conflict, department_id: int | None) -> tuple[Department, User | None]:
    """The party `by` speaks for here (the one chosen, or their only one) and whom they act for."""
    speaks_for = selectors.roles_of(by, conflict).speaks_for
    if not speaks_for:
        raise PermissionDenied
    if department_id is None:
        if len(speaks_for) > 1:
            raise ConflictError(_("Choose the party you speak for."))
        department_id = next(iter(speaks_for))
    if department_id not in speaks_for:
        raise PermissionDenied
    return Department.objects.get(pk=department_id), speaks_for[department_id]


def _state_position(conflict: Conflict, by: User, department: Department, acting_for, text: str, **fields) -> Position:
    """Record a party's position and write it in the conflict's log."""
    position = Position.objects.create(
        conflict=conflict, department=department, author=by, acting_for=acting_for, text=text, **fields
    )
    data = {"department": department.pk}
    log_action(conflict, actor=by, acting_for=acting_for, action=ConflictAction.POSITION, data=data, comment=text)
    return position


def conflict_raise(
    *,
    by: User,
    departments: Iterable[Department],
    subject: str,
    position: str,
    task: Task | None = None,
    team=None,
) -> Conflict:
    """Raise a conflict about a request or a team between two or more departments, with the
    raiser's position (which is the position of the raiser's own department among the parties)."""
    if (task is None) == (team is None):
        raise ValueError("A conflict is about either a request or a team.")
    departments = list({department.pk: department for department in departments}.values())
    subject = (subject or "").strip()
    if not subject:
        raise ConflictError(_("Say what the conflict is about."))
    position = _text(position, _("State your department's position."))
    if len(departments) < 2:
        raise ConflictError(_("Name at least two departments in disagreement."))
    if any(not department.is_active for department in departments):
        raise ConflictError(_("Only active departments can be parties."))
    with transaction.atomic():
        if task is not None:
            task = Task.objects.select_for_update().get(pk=task.pk)
            if not can_raise_on_task(by, task):
                raise PermissionDenied
        else:
            team = type(team).objects.select_for_update().get(pk=team.pk)
            if not can_raise_on_team(by, team):
                raise PermissionDenied
        now = timezone.now()
        settings = ConflictSettings.current()
        conflict = Conflict.objects.create(
            subject=subject[:200],
            task=task,
            team=team,
            raised_by=by,
            raised_at=now,
            level_started_at=now,
            deadline_at=selectors.level_deadline(now, settings.negotiation_days, [d.pk for d in departments]),
        )
        ConflictParty.objects.bulk_create([ConflictParty(conflict=conflict, department=d) for d in departments])
        roles = selectors.roles_of(by, conflict)
        own = [department for department in departments if department.pk in roles.speaks_for]
        if not own:
            raise ConflictError(_("Name your own department among the parties: your position is its position."))
        department = own[0]
        log_action(
            conflict, actor=by, action=ConflictAction.RAISED, data={"department": department.pk}, comment=position
        )
        _state_position(conflict, by, department, roles.speaks_for[department.pk], position, created_at=now)
        notify(
            _party_managers(conflict),
            path=link(conflict),
            actor=by,
            kind="conflict.raised",
            message=lambda: (
                _("%(who)s raised a conflict with your department: %(subject)s")
                % {"who": step_actor(by), "subject": conflict.subject}
            ),
        )
    return conflict


def conflict_add_position(
    *, conflict: Conflict, by: User, text: str, department_id: int | None = None, seen_state: str | None = None
) -> Position:
    text = _text(text, _("Write the position."))
    with _step(conflict, by, "position", *Conflict.OPEN_STATES, seen_state=seen_state) as s:
        conflict = s.row
        department, acting_for = _speaking_department(by, conflict, department_id)
        position = _state_position(conflict, by, department, acting_for, text)
        notify(
            _everyone(conflict),
            path=link(conflict),
            actor=by,
            kind="conflict.position",
            message=lambda: (
                _("%(department)s stated its position on %(subject)s")
                % {"department": department.display_name, "subject": conflict.subject}
            ),
        )
    return position


def conflict_propose(
    *, conflict: Conflict, by: User, text: str, department_id: int | None = None, seen_state: str | None = None
) -> Conflict:
    """Put a settlement on the table. Earlier agreements lapse; a party proposing it agrees to it."""
    text = _text(text, _("Write the settlement you propose."))
    with _step(conflict, by, "propose", S.NEGOTIATION, S.MEDIATION, seen_state=seen_state) as s:
        conflict = s.row
        roles = selectors.roles_of(by, conflict)
        now = timezone.now()
        conflict.proposal, conflict.proposal_by, conflict.proposal_at = text, by, now
        conflict.save(update_fields=["proposal", "proposal_by", "proposal_at"])
        conflict.parties.update(agreed_at=None, agreed_by=None)
        department, acting_for = None, roles.holds_for
        if roles.speaks_for and not (roles.holds and department_id is None):
            department, acting_for = _speaking_department(by, conflict, department_id)
        log_action(
            conflict,
            actor=by,
            acting_for=acting_for,
            action=ConflictAction.PROPOSED,
            data={"department": department.pk} if department else None,
            comment=text,
        )
        if department is not None:
            conflict.parties.filter(department=department).update(agreed_at=now, agreed_by=by)
        notify(
            _everyone(conflict),
            path=link(conflict),
            actor=by,
            kind="conflict.proposed",
            message=lambda: (
                _("%(who)s proposed a settlement of %(subject)s; does your department agree?")
                % {"who": step_actor(by, acting_for), "subject": conflict.subject}
            ),
        )
        _settle_if_all_agree(conflict, by)
    return conflict


def conflict_agree(
    *,
    conflict: Conflict,
    by: User,
    department_id: int | None = None,
    seen_proposal_at: str = "",
    seen_state: str | None = None,
) -> Conflict:
    """The party `by` speaks for agrees to the settlement on the table; the last agreement settles it."""

    def refused(conflict: Conflict) -> ConflictStale | None:
        """A party whose every department has agreed clicked again (or a colleague was quicker)."""
        speaks_for = selectors.roles_of(by, conflict).speaks_for
        if speaks_for and not conflict.parties.filter(department_id__in=speaks_for, agreed_at__isnull=True).exists():
            return ConflictStale(_("Your department has already agreed."))
        return None

    with _step(conflict, by, "agree", S.NEGOTIATION, S.MEDIATION, seen_state=seen_state, refused=refused) as s:
        conflict = s.row
        roles = selectors.roles_of(by, conflict)
        if seen_proposal_at and (conflict.proposal_at is None or seen_proposal_at != conflict.proposal_at.isoformat()):
            raise ConflictStale(_("The settlement on the table has changed; read it again before agreeing."))
        if department_id is None:  # one party of theirs left to agree: that one
            waiting = conflict.parties.filter(department_id__in=roles.speaks_for, agreed_at__isnull=True).values_list(
                "department_id", flat=True
            )
            department_id = waiting[0] if len(waiting) == 1 else None
        department, acting_for = _speaking_department(by, conflict, department_id)
        party = conflict.parties.select_for_update().get(department=department)
        if party.agreed_at is not None:
            raise ConflictStale(_("%(department)s has already agreed.") % {"department": department.display_name})
        party.agreed_at, party.agreed_by = timezone.now(), by
        party.save(update_fields=["agreed_at", "agreed_by"])
        log_action(
            conflict, actor=by, acting_for=acting_for, action=ConflictAction.AGREED, data={"department": department.pk}
        )
        if not _settle_if_all_agree(conflict, by):
            notify(
                _everyone(conflict),
                path=link(conflict),
                actor=by,
                kind="conflict.agreed",
                message=lambda: (
                    _("%(department)s agreed to the settlement of %(subject)s")
                    % {"department": department.display_name, "subject": conflict.subject}
                ),
            )
    return conflict


def _settle_if_all_agree(conflict: Conflict, by: User) -> bool:
    if conflict.parties.filter(agreed_at__isnull=True).exists():
        return False
    from_state = conflict.state
    conflict.settle()
    conflict.decision = conflict.proposal
    conflict.save()
    log_action(conflict, actor=by, action=ConflictAction.SETTLED, from_state=from_state, comment=conflict.decision)
    request_decision_file(conflict)  # a worker renders the .docx after the commit
    notify(
        [*_party_managers(conflict), conflict.raised_by, conflict.mediator],
        path=link(conflict),
        actor=by,
        kind="conflict.settled",
        message=lambda: _("Every party agreed: %(subject)s is settled.") % {"subject": conflict.subject},
    )
    return True


def _escalate(conflict: Conflict, *, actor: User | None, acting_for: User | None, text: str, automatic: bool) -> None:
    """Move the conflict one level up (mediation, or arbitration when no neutral mediator exists)
    and tell the new holder. The caller holds the row lock."""
    settings = ConflictSettings.current()
    parties = _parties(conflict)
    from_state = conflict.state
    mediator = selectors.choose_mediator(parties, team=conflict.team) if conflict.state == S.NEGOTIATION else None
    if mediator is not None:
        conflict.to_mediation()
        conflict.mediator = mediator
        days = settings.mediation_days
    else:
        conflict.to_arbitration()
        conflict.arbiter = selectors.choose_arbiter(parties)
        days = settings.arbitration_days
    owing = selectors.holder_departments(conflict.holder)
    conflict.deadline_at = selectors.level_deadline(conflict.level_started_at, days, owing)
    conflict.save()
    action = ConflictAction.AUTO_ESCALATED if automatic else ConflictAction.ESCALATED
    log_action(conflict, actor=actor, acting_for=acting_for, action=action, from_state=from_state, comment=text)
    holder = conflict.holder

    def message() -> str:
        values = {
            "subject": conflict.subject,
            "deadline": timezone.localtime(conflict.deadline_at).strftime("%Y-%m-%d %H:%M"),
        }
        if conflict.state == S.MEDIATION:
            return _("You are asked to mediate the conflict %(subject)s by %(deadline)s.") % values
        return _("You are asked to arbitrate the conflict %(subject)s by %(deadline)s.") % values

    notify([holder], path=link(conflict), actor=actor, kind="conflict.escalated", message=message)

    def told() -> str:
        values = {"subject": conflict.subject, "level": conflict.get_state_display()}
        if actor is None:
            return _("The conflict %(subject)s went to %(level)s.") % values
        return _("%(who)s took the conflict %(subject)s to %(level)s.") % {
            **values,
            "who": step_actor(actor, acting_for),
        }

    notify(
        [*_party_managers(conflict), conflict.raised_by],
        path=link(conflict),
        actor=actor,
        kind="conflict.escalated",
        message=told,
    )


def conflict_escalate(
    *, conflict: Conflict, by: User, text: str = "", department_id: int | None = None, seen_state: str | None = None
) -> Conflict:
    """Escalate now: a party declares this level failed, or the mediator refers it to arbitration."""
    text = _text(text, _("Say why the conflict cannot be settled at this level."))
    with _step(conflict, by, "escalate", S.NEGOTIATION, S.MEDIATION, seen_state=seen_state) as s:
        conflict = s.row
        roles = selectors.roles_of(by, conflict)
        acting_for = roles.holds_for if roles.holds else None
        if not roles.holds:
            acting_for = _speaking_department(by, conflict, department_id)[1]
        _escalate(conflict, actor=by, acting_for=acting_for, text=text, automatic=False)
    return conflict


def conflict_auto_escalate(*, conflict_id: int, now: datetime | None = None) -> bool:
    """Escalate one conflict whose level deadline has passed. Idempotent: under the row lock it
    re-checks the state and the deadline, so two workers never escalate it twice."""
    with transaction.atomic():
        conflict = _locked_if_due(conflict_id, now, Conflict.ESCALATING_STATES)
        if conflict is None:
            return False
        _escalate(conflict, actor=None, acting_for=None, text="", automatic=True)
    return True


def _locked_if_due(conflict_id: int, now: datetime | None, states) -> Conflict | None:
    """The conflict, locked, when it is in one of `states` and its level's deadline has passed."""
    conflict = Conflict.objects.select_for_update().filter(pk=conflict_id).first()
    if conflict is None or conflict.state not in states:
        return None
    if conflict.deadline_at is None or conflict.deadline_at > (now or timezone.now()):
        return None
    return conflict


def escalate_due(now: datetime | None = None) -> int:
    """Escalate every negotiation or mediation past its deadline, and tell each arbiter once when
    an arbitration's deadline has passed (there is no level above). Returns how many escalated."""
    now = now or timezone.now()
    due = Conflict.objects.filter(state__in=Conflict.ESCALATING_STATES, deadline_at__lte=now).values_list(
        "pk", flat=True
    )
    moved = sum(conflict_auto_escalate(conflict_id=pk, now=now) for pk in list(due))
    late = Conflict.objects.filter(state=S.ARBITRATION, deadline_at__lte=now, reminded_at__isnull=True).values_list(
        "pk", flat=True
    )
    for pk in list(late):
        remind_arbiter(conflict_id=pk, now=now)
    return moved


def remind_arbiter(*, conflict_id: int, now: datetime | None = None) -> bool:
    """Tell the arbiter (once, under the row lock) that the arbitration deadline has passed."""
    now = now or timezone.now()
    with transaction.atomic():
        conflict = _locked_if_due(conflict_id, now, [S.ARBITRATION])
        if conflict is None or conflict.reminded_at is not None:
            return False
        conflict.reminded_at = now
        conflict.save(update_fields=["reminded_at"])
        notify(
            [conflict.arbiter],
            path=link(conflict),
            actor=None,
            kind="conflict.overdue",
            message=lambda: (
                _("The arbitration of %(subject)s is past its deadline; the parties wait for your decision.")
                % {"subject": conflict.subject}
            ),
        )
    return True


def conflict_decide(*, conflict: Conflict, by: User, text: str, seen_state: str | None = None) -> Conflict:
    """The arbiter's decision: final and binding."""
    text = _text(text, _("Write the decision."))
    with _step(conflict, by, "decide", S.ARBITRATION, seen_state=seen_state) as s:
        conflict = s.row
        roles = selectors.roles_of(by, conflict)
        conflict.arbitrate()
        conflict.decision, conflict.decided_by, conflict.decided_for = text, by, roles.holds_for
        s.save(ConflictAction.DECIDED, acting_for=roles.holds_for, comment=text)
        request_decision_file(conflict)
        notify(
            [*_party_managers(conflict), conflict.raised_by, conflict.mediator],
            path=link(conflict),
            actor=by,
            kind="conflict.decided",
            message=lambda: (
                _("%(who)s decided the conflict %(subject)s as its arbiter.")
                % {"who": step_actor(by, roles.holds_for), "subject": conflict.subject}
            ),
        )
    return conflict


def conflict_withdraw(*, conflict: Conflict, by: User, text: str = "", seen_state: str | None = None) -> Conflict:
    text = _text(text, _("Say why the conflict is withdrawn."))
    with _step(conflict, by, "withdraw", *Conflict.OPEN_STATES, seen_state=seen_state) as s:
        conflict = s.row
        holder = conflict.holder
        conflict.withdraw()
        s.save(ConflictAction.WITHDRAWN, comment=text)
        notify(
            [*_party_managers(conflict), holder],
            path=link(conflict),
            actor=by,
            kind="conflict.withdrawn",
            message=lambda: (
                _("%(who)s withdrew the conflict %(subject)s.") % {"who": step_actor(by), "subject": conflict.subject}
            ),
        )
    return conflict
