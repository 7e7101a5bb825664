"""How a notice names the person who took a step: "X", or "X (for Y)" when X took it as Y's
delegate (departments.selectors.acting_for; the action log's `acting_for`).

The one place every app's notices name an actor, so a delegate's step reads the same in the
notices to the requester, the next approver, followers, a document's drafter or a conflict's
parties as on the timeline. The name is rendered when the notice's text is, inside `notify`'s
per-recipient `translation.override`, so each person reads it in their own language:

    notify(people, actor=by, message=lambda: _("%(who)s returned it") % {"who": step_actor(by, holder)})
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class StepActor:
    """A person as a notice names them; `str()` gives the text in the active language."""

    actor: object
    acting_for: object = None

    def __str__(self) -> str:
        name = self.actor.name if self.actor is not None else _("The system")
        if self.acting_for is None or self.actor is None or self.acting_for.pk == self.actor.pk:
            return name
        return _("%(who)s (for %(whom)s)") % {"who": name, "whom": self.acting_for.name}


def step_actor(actor, acting_for=None) -> StepActor:
    """`actor`, taking the step of `acting_for` (None: their own)."""
    return StepActor(actor, acting_for)


def logged_actor(entry) -> StepActor:
    """Who took the step an action log entry records, and for whom."""
    return StepActor(entry.actor, entry.acting_for)
