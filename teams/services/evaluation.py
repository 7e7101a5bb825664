"""Goals and evaluation: criteria, readings, scores."""

from collections.abc import Iterable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from core.actions import log_action
from departments.models import User
from teams.models import EvaluationCriterion, MetricReading, Team, TeamAction
from teams.services.common import TeamError, _step
from teams.services.lifecycle import _transition


def goal_attainment(team: Team, value: Decimal | None) -> Decimal | None:
    """How far the metric went from the baseline towards the target, in % (may exceed 100 or be negative)."""
    if value is None or team.target_value == team.baseline:
        return None
    ratio = (Decimal(value) - team.baseline) / (team.target_value - team.baseline) * 100
    return ratio.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def weighted_score(criteria: Iterable[EvaluationCriterion]) -> Decimal:
    total = sum((Decimal(c.weight) * Decimal(c.score) for c in criteria), Decimal(0)) / 100
    return total.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def team_evaluate(*, team: Team, by: User, scores: dict[int, Decimal], summary: str = "") -> Team:
    """The lead scores each criterion (0–100); the weighted result and goal attainment are recorded."""
    with _step(team, by, "evaluate") as s:
        locked = s.row
        criteria = list(locked.criteria.all())
        if not criteria:
            raise TeamError(_("The team has no evaluation criteria to score."))
        for criterion in criteria:
            score = scores.get(criterion.pk)
            if score is None:
                raise TeamError(_("Score every criterion."))
            if not Decimal(0) <= Decimal(score) <= Decimal(100):
                raise TeamError(_("A score is from 0 to 100."))
            criterion.score = Decimal(score)
        EvaluationCriterion.objects.bulk_update(criteria, ["score"])
        locked.evaluation_score = weighted_score(criteria)
        locked.goal_attainment = goal_attainment(locked, locked.current_value)
        locked.evaluation_summary = summary.strip()
        return _transition(s, "evaluate", TeamAction.EVALUATED, summary)


def criteria_set(*, team: Team, by: User, rows: list[tuple[str, int]]) -> list[EvaluationCriterion]:
    """Replace the evaluation criteria; the weights must sum to 100."""
    rows = [(name.strip(), int(weight)) for name, weight in rows if name.strip()]
    if not rows:
        raise TeamError(_("Give at least one criterion."))
    if any(weight < 1 or weight > 100 for _n, weight in rows):
        raise TeamError(_("A weight is a percentage from 1 to 100."))
    total = sum(weight for _n, weight in rows)
    if total != 100:
        raise TeamError(_("The weights add up to %(total)s; they must add up to 100.") % {"total": total})
    with _step(team, by, "criteria") as s:
        locked = s.row
        locked.criteria.all().delete()
        created = EvaluationCriterion.objects.bulk_create(
            [EvaluationCriterion(team=locked, name=name[:120], weight=weight) for name, weight in rows]
        )
        log_action(locked, actor=by, acting_for=s.acting_for, action=TeamAction.PLAN, comment=_("evaluation criteria"))
    return created


def reading_add(*, team: Team, by: User, value: Decimal, measured_on: date, note: str = "") -> MetricReading:
    """Record a reading of the metric; the latest reading by date becomes the current value."""
    if measured_on > timezone.localdate():
        raise TeamError(_("A reading cannot be in the future."))
    with _step(team, by, "contribute") as s:
        locked = s.row
        reading = MetricReading.objects.create(
            team=locked, value=value, measured_on=measured_on, note=note.strip()[:200], recorded_by=by
        )
        latest = locked.readings.order_by("-measured_on", "-recorded_at", "-pk").first()
        locked.current_value = latest.value
        locked.save(update_fields=["current_value", "updated_at"])
        log_action(
            locked, actor=by, acting_for=s.acting_for, action=TeamAction.READING, comment=f"{measured_on}: {value}"
        )
    return reading
