from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import ActionLogInline, LegalHoldAdminMixin, ReadOnlyAdmin, ReadOnlyInline
from tasks.models import Approval, ApprovalStep, Attachment, RequestField, RequestType, Task


class RequestFieldInline(admin.TabularInline):
    model = RequestField
    extra = 0
    fields = ["order", "key", "label", "label_en", "kind", "required", "allow_negative", "choices", "help_text"]


class ApprovalStepInline(admin.StackedInline):
    model = ApprovalStep
    extra = 0
    autocomplete_fields = ["department", "users"]
    fields = [
        ("order", "name", "name_en", "mode", "hours"),
        ("approver", "department"),
        "users",
        ("condition_field", "condition_operator", "condition_value"),
    ]


@admin.register(RequestType)
class RequestTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "department", "accept_sla_hours", "finish_sla_hours", "auto_assign", "is_active"]
    list_filter = ["department", "is_active", "auto_assign"]
    search_fields = ["code", "name", "name_en"]
    autocomplete_fields = ["department"]
    filter_horizontal = ["skills"]
    inlines = [RequestFieldInline, ApprovalStepInline]
    fieldsets = [
        (None, {"fields": ["department", "code", "name", "name_en", "sort_order", "is_active"]}),
        (_("Service guide (办事指南)"), {"fields": ["purpose", "purpose_en", "materials", "materials_en"]}),
        (
            _("Promised time and dispatch"),
            {"fields": ["accept_sla_hours", "finish_sla_hours", "default_priority", "auto_assign", "skills"]},
        ),
    ]


class ApprovalInline(ReadOnlyInline):
    model = Approval
    fields = [
        "round",
        "step_order",
        "step_name",
        "step_name_en",
        "approver",
        "decision",
        "decided_by",
        "decided_at",
        "opinion",
        "added_by",
        "forwarded_from",
        "note",
    ]


@admin.register(Task)
class TaskAdmin(LegalHoldAdminMixin, ReadOnlyAdmin):
    """Read-mostly: requests change through the portal's actions, which log and notify; an admin
    places or lifts a legal hold here."""

    list_display = ["number", "title", "state", "requesting_department", "target_department", "assignee", "due_at"]
    list_filter = ["state", "target_department", "request_type", "priority", "confidential", "legal_hold"]
    search_fields = ["number", "title"]
    date_hierarchy = "created_at"
    list_select_related = ["requesting_department", "target_department", "assignee"]
    inlines = [ApprovalInline, ActionLogInline]


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ["name", "task", "size", "uploaded_by", "created_at"]
    search_fields = ["name", "task__number"]
    raw_id_fields = ["task"]
    readonly_fields = ["file", "name", "size", "task", "uploaded_by", "field_key", "created_at"]
