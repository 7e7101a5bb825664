from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.admin import ActionLogInline, LegalHoldAdminMixin, ReadOnlyAdmin, ReadOnlyInline, ReadOnlyInlineMixin
from tasks.models import Approval, ApprovalStep, Attachment, RequestField, RequestType, Task

# A type's guide, fields and steps are versioned: they change only by publishing a version in the
# service catalogue (tasks.services.versions), so requests keep the form and route they were filed
# on and the settings history records each publish. Here they are shown, with a link to the editor.
VERSIONED = [
    "name",
    "name_en",
    "purpose",
    "purpose_en",
    "materials",
    "materials_en",
    "accept_sla_hours",
    "finish_sla_hours",
    "default_priority",
    "co_departments",
]


class RequestFieldInline(ReadOnlyInline):
    model = RequestField
    fields = ["order", "key", "label", "label_en", "kind", "required", "allow_negative", "choices", "help_text"]


class ApprovalStepInline(ReadOnlyInlineMixin, admin.StackedInline):
    model = ApprovalStep
    fields = [
        ("order", "name", "name_en", "mode", "hours"),
        ("approver", "department"),
        "users",
        ("condition_field", "condition_operator", "condition_value"),
    ]

    def get_readonly_fields(self, request, obj=None):
        return flatten_fieldsets([(None, {"fields": self.fields})])


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
        (
            _("Service guide (办事指南)"),
            {"fields": ["catalogue_link", "purpose", "purpose_en", "materials", "materials_en", "co_departments"]},
        ),
        (
            _("Promised time and dispatch"),
            {"fields": ["accept_sla_hours", "finish_sla_hours", "default_priority", "auto_assign", "skills"]},
        ),
    ]

    def get_readonly_fields(self, request, obj=None):
        # A new type is made here as before (the catalogue's "new type" is the better way); once it
        # exists, its versioned parts are edited in the catalogue only.
        return ["catalogue_link", *VERSIONED] if obj is not None else ["catalogue_link", "co_departments"]

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    @admin.display(description=_("Guide, form and approval route"))
    def catalogue_link(self, obj) -> str:
        if obj is None or obj.pk is None:
            return _("Create the type, then edit its guide, fields and steps in the service catalogue.")
        return format_html(
            '<a href="{}">{}</a>',
            reverse("catalogue:type", args=[obj.code]),
            _("Edit in the service catalogue (each publish is a new version)"),
        )


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
