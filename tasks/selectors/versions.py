"""Request type versions: a type's guide, fields and steps as one JSON snapshot, and back again as
unsaved rows the filing form and the approval route take as they take the live ones."""

from decimal import Decimal

from django.db.models import prefetch_related_objects

from departments.models import Department, User
from tasks.models import ApprovalStep, RequestField, RequestType, RequestTypeVersion

GUIDE_KEYS = (
    "name",
    "name_en",
    "purpose",
    "purpose_en",
    "materials",
    "materials_en",
    "default_priority",
    "accept_sla_hours",
    "finish_sla_hours",
    "confidential",
)
FIELD_KEYS = (
    "key",
    "label",
    "label_en",
    "kind",
    "required",
    "allow_negative",
    "choices",
    "help_text",
    "min_value",
    "max_value",
    "pattern",
)
STEP_KEYS = (
    "name",
    "name_en",
    "approver",
    "mode",
    "condition_field",
    "condition_operator",
    "condition_value",
    "condition_choices",
    "hours",
)
DECIMALS = {"accept_sla_hours", "finish_sla_hours", "min_value", "max_value", "condition_value"}


def _plain(key: str, value):
    if key in DECIMALS:
        return None if value is None else str(value)
    return value


def guide_of(request_type: RequestType) -> dict:
    guide = {key: _plain(key, getattr(request_type, key)) for key in GUIDE_KEYS}
    guide["filing_departments"] = sorted(d.pk for d in request_type.filing_departments.all()) if request_type.pk else []
    guide["co_departments"] = sorted(d.pk for d in request_type.co_departments.all()) if request_type.pk else []
    return guide


def field_dict(field: RequestField) -> dict:
    return {key: _plain(key, getattr(field, key)) for key in FIELD_KEYS}


def step_dict(step: ApprovalStep) -> dict:
    data = {key: _plain(key, getattr(step, key)) for key in STEP_KEYS}
    data["department"] = step.department_id
    data["users"] = sorted(u.pk for u in step.users.all()) if step.pk else list(getattr(step, "snapshot_user_ids", []))
    return data


def snapshot_of(request_type: RequestType) -> dict:
    """The live guide, fields and steps of a type, as a version keeps them."""
    return {
        "guide": guide_of(request_type),
        "fields": [field_dict(f) for f in request_type.fields.order_by("order", "pk")],
        "steps": [step_dict(s) for s in request_type.steps.order_by("order", "pk").prefetch_related("users")],
    }


def guide_only_snapshot(request_type: RequestType) -> dict:
    """The snapshot of a type that has its guide alone, with no fields, steps or departments named
    (one just created by the workbook import), read from the instance without a query."""
    guide = {key: _plain(key, getattr(request_type, key)) for key in GUIDE_KEYS}
    guide.update(filing_departments=[], co_departments=[])
    return {"guide": guide, "fields": [], "steps": []}


def draft_of(request_type: RequestType) -> dict:
    """The working copy the catalogue edits: the unpublished draft, or the live type."""
    return request_type.draft if request_type.draft is not None else snapshot_of(request_type)


def _decimal(value):
    return None if value in (None, "") else Decimal(str(value))


def fields_from(snapshot: dict, request_type: RequestType | None = None) -> list[RequestField]:
    """Unsaved fields, in order, from a snapshot."""
    specs = []
    for order, data in enumerate(snapshot.get("fields", []), start=1):
        values = {key: data.get(key) for key in FIELD_KEYS if key in data}
        for key in ("min_value", "max_value"):
            values[key] = _decimal(values.get(key))
        specs.append(RequestField(request_type=request_type, order=order, **values))
    return specs


def steps_from(snapshot: dict, request_type: RequestType) -> list[ApprovalStep]:
    """Unsaved approval steps, in order, from a snapshot, with their named department (and its
    head) and people loaded, as approval_route needs them: two queries whatever the number."""
    rows = snapshot.get("steps", [])
    department_ids = {data.get("department") for data in rows if data.get("department")}
    user_ids = {pk for data in rows for pk in data.get("users") or []}
    departments = Department.objects.select_related("head").in_bulk(department_ids) if department_ids else {}
    users = User.objects.in_bulk(user_ids) if user_ids else {}
    steps = []
    for order, data in enumerate(rows, start=1):
        values = {key: data.get(key) for key in STEP_KEYS if key in data}
        values["condition_value"] = _decimal(values.get("condition_value"))
        step = ApprovalStep(request_type=request_type, order=order, **values)
        step.department = departments.get(data.get("department"))
        step.snapshot_user_ids = [pk for pk in data.get("users") or [] if pk in users]
        step.snapshot_users = [users[pk] for pk in step.snapshot_user_ids]
        steps.append(step)
    return steps


def co_department_ids(request_type: RequestType, version_id: int | None = None) -> list[int]:
    """The co-handling departments (协办) a request of the type gets whatever its filer ticks: the
    published type's, or (`version_id` an earlier version, a draft filed on it) that version's.
    No query for a live type without any (most); one for a type with some, read once per instance."""
    if version_id is not None and version_id != request_type.current_version_id:
        version = RequestTypeVersion.objects.filter(pk=version_id, request_type=request_type).only("snapshot").first()
        ids = version.snapshot.get("guide", {}).get("co_departments") or [] if version else []
    elif request_type.pk and request_type.co_handled:
        prefetch_related_objects([request_type], "co_departments")  # the filing form and service share it
        ids = [d.pk for d in request_type.co_departments.all()]
    else:
        ids = []
    return [pk for pk in ids if pk != request_type.department_id]


def versions_of(request_type: RequestType) -> list[RequestTypeVersion]:
    return list(request_type.versions.select_related("published_by").order_by("-number"))
