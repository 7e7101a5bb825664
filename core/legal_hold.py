"""Legal hold (诉讼保全 / 冻结): a flag on requests and official documents that keeps them, and
everything under them, out of the retention command's reach for as long as it is set.

Placing or lifting the hold is a workflow step (core.workflow.step) logged on the object's
timeline with who, when and why; the models that carry it have two fields, `legal_hold` and
`legal_hold_reason`. The kernel knows no app: this works on any such model. The retention app's
pages (a permission's holders) and each app's admin call it.
"""

from collections.abc import Callable

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.workflow import StepConflict, step


class LegalHoldAction(models.TextChoices):
    PLACED = "legal_hold.placed", gettext_lazy("placed it under legal hold")
    LIFTED = "legal_hold.lifted", gettext_lazy("lifted its legal hold")


class LegalHoldConflict(StepConflict):
    """The hold is already where the person wanted it: placed twice, or lifted when there is none."""


def _already(row: models.Model, hold: bool) -> LegalHoldConflict:
    what = type(row)._meta.verbose_name
    if hold:
        return LegalHoldConflict(_("This %(what)s is already under legal hold.") % {"what": what})
    return LegalHoldConflict(_("This %(what)s is not under legal hold.") % {"what": what})


def set_legal_hold(
    target: models.Model,
    *,
    by,
    hold: bool,
    reason: str,
    rule: Callable[[object, models.Model], bool] | None = None,
    refuse_repeat: bool = False,
) -> bool:
    """Place (`hold=True`) or lift the legal hold on `target`, logging who and why. Returns whether
    anything changed: placing a hold twice changes and logs nothing, or, with `refuse_repeat`,
    raises LegalHoldConflict (a page's answer to a second click). `rule(by, row)` is asked on the
    locked row (StepForbidden when it says no)."""
    model = type(target)
    with step(model, target.pk, by=by, rule=rule, stale=lambda row: _already(row, hold), of=("self",)) as s:
        if s.row.legal_hold == hold:
            if refuse_repeat:
                raise _already(s.row, hold)
            return False
        kept = reason if hold else ""
        # An UPDATE of the two columns: the workflow's own fields (and their protected state) are
        # untouched and no auto_now stamp moves (retention reads `updated_at`).
        model._default_manager.filter(pk=target.pk).update(legal_hold=hold, legal_hold_reason=kept)
        s.row.legal_hold, s.row.legal_hold_reason = hold, kept
        target.legal_hold, target.legal_hold_reason = hold, kept
        s.log(LegalHoldAction.PLACED if hold else LegalHoldAction.LIFTED, to_state=s.from_state, comment=reason)
    return True
