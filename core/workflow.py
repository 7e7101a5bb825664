"""The workflow step: the one way a person moves a request, document, team or conflict on.

Every human step has the same shape (DESIGN §3): lock the row, check it is still where the user
saw it, ask the rule, run the django-fsm transition, save, write the action log, tell people.
`step()` does the parts that are the same everywhere; the service does the rest::

    with step(Task, task.pk, by=user, expect=[S.PENDING_ACCEPTANCE], seen_state=seen_state,
              rule=task_rules["decline"], stale=conflict) as s:
        s.row.decline()                                   # the transition: state and timestamps
        s.save(TaskAction.DECLINED, reason=reason)        # save() and log_action(...)
        notify(...)                                       # notices for the people concerned

The contract:

- Everything runs in one `transaction.atomic()` (joining the caller's): an error raised anywhere
  in the block leaves nothing half-saved.
- `s.row` is the row read again under its lock (`select_for_update(of=of)`). Pass a queryset
  instead of a model to read the related rows the step needs in the same query, and
  `of=("self",)` to lock only the row itself.
- When the row's state is not in `expect`, or differs from `seen_state` (the state the user saw
  on the page), `stale(row)` is raised: the app's StepConflict saying who moved it on and where
  it is now ("already handled"). Of two people clicking at once, the second waits for the lock
  and then gets this.
- Then `rule(by, row)` decides: a django-rules predicate or a function of the app's rules.py,
  where the rule is written once. When it says no, `refused(row)` may return a more telling
  error of the app's; otherwise StepForbidden (a PermissionDenied: 403).
- `s.save(action, ...)` saves the row (only `update_fields` when given) and writes
  `log_action(...)` from the state the row was in when it was locked, naming `s.acting_for` (the
  holder a delegate acts for, from the step's `acting_for`) unless told otherwise.
- Notices go through `notifications.notify` inside the block: they are outbox rows that commit or
  roll back with the step, and their e-mails and robot posts leave only after the commit. Other
  slow work is queued with `s.on_commit(fn)`.
"""

from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import rules
from django.core.exceptions import PermissionDenied
from django.db import models, transaction

from core.actions import log_action


class StepError(Exception):
    """A step that cannot be done; the message is for the user. Each app's error subclasses it."""


class StepConflict(StepError):
    """Someone else moved the object on meanwhile; the page should show its current state."""


class StepForbidden(StepError, PermissionDenied):
    """The rule does not let this person take this step (a 403 when a view does not catch it)."""


@dataclass
class Step:
    """The locked row of a step in progress, and the state it was in when locked."""

    row: models.Model
    by: object
    from_state: str
    # The person whose step `by` takes as their delegate (None: their own); the log names them.
    acting_for: object = None

    def save(self, action: str, *, update_fields: Collection[str] | None = None, **log):
        """Save the row and write the step's action log entry; `log` goes to log_action
        (comment, reason, acting_for, data…). Returns the log entry."""
        if update_fields is not None:
            # A step is a change: its auto_now stamps (a request's updated_at) are saved with the
            # fields named, for whoever reads what changed since a moment (the reminder sweep).
            stamps = [f.name for f in self.row._meta.concrete_fields if getattr(f, "auto_now", False)]
            update_fields = [*update_fields, *(name for name in stamps if name not in update_fields)]
        self.row.save(update_fields=update_fields)
        return self.log(action, **log)

    def log(self, action: str, **log):
        """Write the action log entry of a step that saved its row itself (or changed none)."""
        log.setdefault("actor", self.by)
        log.setdefault("acting_for", self.acting_for)
        log.setdefault("from_state", self.from_state)
        return log_action(self.row, action=action, **log)

    def on_commit(self, fn: Callable[[], None]) -> None:
        """Run `fn` once the step's transaction has committed (never if it rolls back)."""
        transaction.on_commit(fn)


@contextmanager
def step(
    model: type[models.Model] | models.QuerySet,
    pk,
    *,
    by,
    expect: Collection[str] | None = None,
    seen_state: str | None = None,
    rule: Callable[[object, models.Model], bool] | None = None,
    stale: Callable[[models.Model], StepConflict],
    refused: Callable[[models.Model], Exception | None] | None = None,
    of: tuple[str, ...] = (),
    acting_for: Callable[[object, models.Model], object] | None = None,
) -> Iterator[Step]:
    """Take one workflow step on the row `pk` of `model` for the person `by` (see the module's
    docstring for the contract). `expect=None` accepts any state; `rule=None` asks no rule.
    `acting_for(by, row)`, asked once the rule allowed the step, names the holder whose step a
    delegate takes (the app's rules.py knows whose step it is); the step's log names them."""
    queryset = model if isinstance(model, models.QuerySet) else model._default_manager.all()
    with transaction.atomic():
        row = queryset.select_for_update(of=of).get(pk=pk)
        state = getattr(row, "state", "") or ""
        if (expect is not None and state not in expect) or (seen_state and seen_state != state):
            raise stale(row)
        if rule is not None and not _allows(rule, by, row):
            raise (refused and refused(row)) or StepForbidden()
        holder = acting_for(by, row) if acting_for is not None else None
        yield Step(row=row, by=by, from_state=state, acting_for=holder)


def _allows(rule, by, row) -> bool:
    # A django-rules predicate is asked through test(), which gives combined predicates their context.
    return bool(rule.test(by, row) if isinstance(rule, rules.Predicate) else rule(by, row))
