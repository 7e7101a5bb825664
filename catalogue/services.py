"""Edits of a request type's draft: each changes one part of the draft under the row's lock,
through tasks' request_type_save_draft (which checks the editor's right and logs the edit)."""

from django.utils.translation import gettext as _

from departments.models import User
from tasks.models import RequestType
from tasks.services import TaskError, condition_problems, request_type_save_draft


def _edit(request_type: RequestType, by: User, change, comment: str) -> RequestType:
    return request_type_save_draft(request_type=request_type, by=by, change=change, comment=comment)


def guide_update(*, request_type: RequestType, by: User, guide: dict) -> RequestType:
    def change(draft):
        draft["guide"] = {**draft.get("guide", {}), **guide}

    return _edit(request_type, by, change, _("guide"))


def field_save(*, request_type: RequestType, by: User, field: dict, key: str | None = None) -> RequestType:
    """Add a field (key None) or replace the field `key`."""

    def change(draft):
        fields = draft.setdefault("fields", [])
        if key is None:
            if any(f["key"] == field["key"] for f in fields):
                raise TaskError(_("Another field of this type already has this key."))
            fields.append(field)
        else:
            field["key"] = key
            fields[_field_position(fields, key)] = field
            _check_conditions(draft)

    return _edit(request_type, by, change, key or field["key"])


def field_delete(*, request_type: RequestType, by: User, key: str) -> RequestType:
    def change(draft):
        fields = draft.get("fields", [])
        del fields[_field_position(fields, key)]
        steps = [n for n, step in enumerate(draft.get("steps", []), start=1) if step.get("condition_field") == key]
        if steps:
            raise TaskError(
                _("Step %(steps)s reads this field in its condition: change that condition first.")
                % {"steps": ", ".join(map(str, steps))}
            )

    return _edit(request_type, by, change, key)


def field_move(*, request_type: RequestType, by: User, key: str, up: bool) -> RequestType:
    def change(draft):
        fields = draft.get("fields", [])
        _swap(fields, _field_position(fields, key), up)

    return _edit(request_type, by, change, key)


def step_save(*, request_type: RequestType, by: User, step: dict, number: int | None = None) -> RequestType:
    """Add a step at the end (number None) or replace step `number` (counted from 1)."""

    def change(draft):
        steps = draft.setdefault("steps", [])
        if number is None:
            steps.append(step)
        else:
            steps[_step_position(steps, number)] = step
        _check_conditions(draft)

    return _edit(request_type, by, change, str(number or ""))


def step_delete(*, request_type: RequestType, by: User, number: int) -> RequestType:
    def change(draft):
        steps = draft.get("steps", [])
        del steps[_step_position(steps, number)]

    return _edit(request_type, by, change, str(number))


def step_move(*, request_type: RequestType, by: User, number: int, up: bool) -> RequestType:
    def change(draft):
        steps = draft.get("steps", [])
        _swap(steps, _step_position(steps, number), up)

    return _edit(request_type, by, change, str(number))


def _swap(rows: list, position: int, up: bool) -> None:
    other = position - 1 if up else position + 1
    if 0 <= other < len(rows):
        rows[position], rows[other] = rows[other], rows[position]


def _field_position(fields: list, key: str) -> int:
    for position, field in enumerate(fields):
        if field["key"] == key:
            return position
    raise TaskError(_("The draft has no such field any more: someone may have changed it meanwhile."))


def _step_position(steps: list, number: int) -> int:
    if not 1 <= number <= len(steps):
        raise TaskError(_("The draft has no such step any more: someone may have changed it meanwhile."))
    return number - 1


def _check_conditions(draft: dict) -> None:
    """A field changed under a condition (its kind, its choices) must still fit the condition."""
    if problems := condition_problems(draft):
        raise TaskError(" ".join(problems))
