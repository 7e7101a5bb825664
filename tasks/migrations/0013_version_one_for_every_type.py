"""Every request type gets a published version 1 holding its guide, fields and steps as they are,
and every request filed so far points at it (in batches, so a large register is not one UPDATE)."""

from django.db import migrations
from django.utils import timezone

BATCH = 5000


def _snapshot(request_type, fields, steps) -> dict:
    # The shape of tasks.selectors.versions.snapshot_of (kept here: a migration runs on the historic models).
    def number(value):
        return None if value is None else str(value)

    return {
        "guide": {
            "name": request_type.name,
            "name_en": request_type.name_en,
            "purpose": request_type.purpose,
            "purpose_en": request_type.purpose_en,
            "materials": request_type.materials,
            "materials_en": request_type.materials_en,
            "default_priority": request_type.default_priority,
            "accept_sla_hours": str(request_type.accept_sla_hours),
            "finish_sla_hours": str(request_type.finish_sla_hours),
            "confidential": request_type.confidential,
            "filing_departments": [],  # new in 0012: nothing named yet
            "co_departments": [],  # new in 0015 (kept in step with snapshot_of); older snapshots lack it: none
        },
        "fields": [
            {
                "key": f.key,
                "label": f.label,
                "label_en": f.label_en,
                "kind": f.kind,
                "required": f.required,
                "allow_negative": f.allow_negative,
                "choices": f.choices,
                "help_text": f.help_text,
                "min_value": number(f.min_value),
                "max_value": number(f.max_value),
                "pattern": f.pattern,
            }
            for f in fields
        ],
        "steps": [
            {
                "name": s.name,
                "name_en": s.name_en,
                "approver": s.approver,
                "department": s.department_id,
                "users": sorted(u.pk for u in s.users.all()),
                "mode": s.mode,
                "condition_field": s.condition_field,
                "condition_operator": s.condition_operator,
                "condition_value": number(s.condition_value),
                "condition_choices": s.condition_choices,
                "hours": s.hours,
            }
            for s in steps
        ],
    }


def forwards(apps, schema_editor):
    RequestType = apps.get_model("tasks", "RequestType")
    RequestTypeVersion = apps.get_model("tasks", "RequestTypeVersion")
    Task = apps.get_model("tasks", "Task")
    now = timezone.now()
    for request_type in RequestType.objects.filter(current_version__isnull=True):
        fields = request_type.fields.order_by("order", "pk")
        steps = request_type.steps.order_by("order", "pk").prefetch_related("users")
        version = RequestTypeVersion.objects.create(
            request_type=request_type, number=1, published_at=now, snapshot=_snapshot(request_type, fields, steps)
        )
        RequestType.objects.filter(pk=request_type.pk).update(current_version=version)
        while True:
            ids = list(
                Task.objects.filter(request_type=request_type, type_version__isnull=True).values_list("pk", flat=True)[
                    :BATCH
                ]
            )
            if not ids:
                break
            Task.objects.filter(pk__in=ids).update(type_version=version)


class Migration(migrations.Migration):
    dependencies = [("tasks", "0012_request_type_versions")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
