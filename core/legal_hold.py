"""Legal hold (诉讼保全 / 冻结): a flag on requests and official documents that keeps them, and
everything under them, out of the retention command's reach for as long as it is set.

Placing or lifting the hold is logged on the object's timeline with who, when and why; the models
that carry it have two fields, `legal_hold` and `legal_hold_reason`. The kernel knows no app: this
works on any such model, and each app's admin calls it.
"""

from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from core.actions import log_action


class LegalHoldAction(models.TextChoices):
    PLACED = "legal_hold.placed", _("placed it under legal hold")
    LIFTED = "legal_hold.lifted", _("lifted its legal hold")


def set_legal_hold(target: models.Model, *, by, hold: bool, reason: str) -> bool:
    """Place (`hold=True`) or lift the legal hold on `target`, logging who and why. Returns whether
    anything changed (placing a hold twice changes nothing and logs nothing)."""
    model = type(target)
    with transaction.atomic():
        row = model.objects.select_for_update().only("pk", "legal_hold").get(pk=target.pk)
        if row.legal_hold == hold:
            return False
        # An UPDATE of the two columns: the workflow's own fields (and their protected state) are untouched.
        model.objects.filter(pk=target.pk).update(legal_hold=hold, legal_hold_reason=reason if hold else "")
        target.legal_hold, target.legal_hold_reason = hold, reason if hold else ""
        log_action(
            target,
            actor=by,
            action=LegalHoldAction.PLACED if hold else LegalHoldAction.LIFTED,
            to_state=getattr(target, "state", "") or "",
            from_state=getattr(target, "state", "") or "",
            comment=reason,
        )
    return True
