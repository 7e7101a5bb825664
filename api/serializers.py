"""What the API says of each object: read from the rows the selectors give (no queries of their
own), and the shapes of the step bodies for the schema."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tasks.models import Approval, Priority, Reason, Task


class PersonRef(serializers.Serializer):
    username = serializers.CharField()
    name = serializers.CharField()


class DepartmentRef(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    code = serializers.CharField()
    name = serializers.CharField(source="display_name")


class RequestTypeRef(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField(source="display_name")


class RequestRow(serializers.Serializer):
    """A request as the lists show it (the columns selectors.rows_of reads, nothing more)."""

    number = serializers.CharField()
    title = serializers.CharField()
    state = serializers.ChoiceField(choices=Task.State.choices)
    state_label = serializers.CharField(source="get_state_display")
    priority = serializers.ChoiceField(choices=Priority.choices)
    confidential = serializers.BooleanField()
    request_type = RequestTypeRef()
    requesting_department = DepartmentRef()
    target_department = DepartmentRef()
    requester = PersonRef()
    assignee = PersonRef(allow_null=True)
    submitted_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    url = serializers.SerializerMethodField()

    def get_url(self, task) -> str:
        return reverse("api:request", args=[task.number])


class FieldValue(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    kind = serializers.CharField()
    value = serializers.JSONField(allow_null=True)


class TimelineEntry(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["log", "comment", "file"])
    at = serializers.DateTimeField()
    actor = PersonRef(allow_null=True)
    action = serializers.CharField(required=False)
    action_label = serializers.CharField(required=False)
    from_state = serializers.CharField(required=False)
    to_state = serializers.CharField(required=False)
    reason = serializers.CharField(required=False)
    comment = serializers.CharField(required=False)
    acting_for = PersonRef(allow_null=True, required=False)
    body = serializers.CharField(required=False)
    name = serializers.CharField(required=False)
    size = serializers.IntegerField(required=False)
    download = serializers.CharField(required=False)


def _person(user) -> dict | None:
    return {"username": user.username, "name": user.name} if user else None


def timeline_entries(task: Task, items: list[dict]) -> list[dict]:
    """selectors.timeline's items as TimelineEntry data."""
    entries = []
    for item in items:
        obj = item["obj"]
        if item["kind"] == "log":
            entries.append(
                {
                    "kind": "log",
                    "at": item["at"],
                    "actor": _person(obj.actor),
                    "acting_for": _person(obj.acting_for),
                    "action": obj.action,
                    "action_label": obj.get_action_display(),
                    "from_state": obj.from_state,
                    "to_state": obj.to_state,
                    "reason": obj.reason,
                    "comment": obj.comment,
                }
            )
        elif item["kind"] == "comment":
            entries.append({"kind": "comment", "at": item["at"], "actor": _person(obj.author), "body": obj.body})
        else:
            entries.append(
                {
                    "kind": "file",
                    "at": item["at"],
                    "actor": _person(obj.uploaded_by),
                    "name": obj.name,
                    "size": obj.size,
                    "download": reverse("tasks:download", args=[task.number, obj.pk]),
                }
            )
    return entries


class ApprovalEntry(serializers.Serializer):
    step_order = serializers.IntegerField()
    step_name = serializers.CharField()
    approver = PersonRef()
    decision = serializers.CharField()
    decided_by = PersonRef(allow_null=True)
    opinion = serializers.CharField()
    decided_at = serializers.DateTimeField(allow_null=True)
    added_by = PersonRef(allow_null=True, help_text="Who added this approver (加签) or forwarded the step (转签).")
    forwarded_from = PersonRef(allow_null=True, help_text="Whose approval this was before it was forwarded (转签).")
    note = serializers.CharField(help_text="Why the approver was added or the step forwarded.")


class RequestDetail(RequestRow):
    """A request as its page shows it: fields, approvals of this round, timeline, and the steps the
    caller may take now (tasks.rules, as the page's buttons)."""

    description = serializers.CharField()
    progress = serializers.IntegerField()
    wanted_by = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    fields = FieldValue(many=True, source="api_fields")
    approvals = ApprovalEntry(many=True, source="api_approvals")
    timeline = TimelineEntry(many=True, source="api_timeline")
    allowed_steps = serializers.ListField(child=serializers.CharField(), source="api_allowed")
    legal_hold = serializers.BooleanField(read_only=True, help_text="Kept from retention (set on the portal's page).")
    legal_hold_reason = serializers.CharField(read_only=True, help_text="Why it is under legal hold; empty when not.")


# Step bodies (for the schema; the tasks forms validate them, as on the request page).


class OpinionBody(serializers.Serializer):
    opinion = serializers.CharField(required=False, max_length=2000)
    seen_state = serializers.CharField(required=False, help_text="The state the caller saw; 409 if it moved on.")


class ReasonBody(serializers.Serializer):
    reason = serializers.ChoiceField(choices=Reason.choices)
    comment = serializers.CharField(required=False, max_length=2000)
    seen_state = serializers.CharField(required=False)


class ForwardBody(serializers.Serializer):
    person = serializers.IntegerField(help_text="The person's id (an active person, not the requester).")
    comment = serializers.CharField(max_length=2000, help_text="Why.")
    seen_state = serializers.CharField(required=False)


class AddApproverBody(ForwardBody):
    position = serializers.ChoiceField(
        choices=Approval.Position.choices,
        help_text="before: they decide first; after: they decide next; alongside: the same step, both decide.",
    )


class AssignBody(serializers.Serializer):
    assignee = serializers.IntegerField(help_text="The person's id (a member of the handling department).")
    estimate_hours = serializers.DecimalField(required=False, max_digits=6, decimal_places=1)
    note = serializers.CharField(required=False, max_length=2000)
    seen_state = serializers.CharField(required=False)


class TransferBody(ReasonBody):
    department = serializers.IntegerField(help_text="The department's id.")


class HoldBody(ReasonBody):
    waiting_on = serializers.IntegerField(required=False, help_text="The department waited on (its id).")


class ProgressBody(serializers.Serializer):
    percent = serializers.IntegerField(min_value=0, max_value=100)
    note = serializers.CharField(required=False, max_length=2000)
    seen_state = serializers.CharField(required=False)


class NoteBody(serializers.Serializer):
    comment = serializers.CharField(required=False, max_length=2000)
    seen_state = serializers.CharField(required=False)


class CommentBody(serializers.Serializer):
    body = serializers.CharField(required=False, max_length=5000)
    files = serializers.ListField(child=serializers.FileField(), required=False)


class StepResult(serializers.Serializer):
    message = serializers.CharField()
    request = RequestDetail(allow_null=True, help_text="Null when the step took the request out of the caller's sight.")


class FileBody(serializers.Serializer):
    """Filing a request: the filing form's fields; the type's own fields under `fields`."""

    request_type = serializers.SlugField(help_text="The request type's code (GET /api/v1/request-types/).")
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, max_length=10000)
    fields = serializers.DictField(required=False, help_text="The type's fields by key, as its schema says.")
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    wanted_by = serializers.DateField(required=False)
    confidential = serializers.BooleanField(required=False)
    co_departments = serializers.ListField(child=serializers.IntegerField(), required=False)
    watchers = serializers.ListField(child=serializers.CharField(), required=False, help_text="Usernames.")
    submit = serializers.BooleanField(required=False, help_text="Submit at once (else a draft).")


@extend_schema_field({"type": "object", "additionalProperties": True})
class JSONSchemaField(serializers.JSONField):
    pass


class ErrorBody(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
