from django.contrib import admin
from django.contrib.contenttypes.admin import GenericTabularInline

from core.models import ActionLog, GeneratedFile

LOG_FIELDS = ["created_at", "actor", "acting_for", "action", "from_state", "to_state", "reason", "comment", "data"]


@admin.register(ActionLog)
class ActionLogAdmin(admin.ModelAdmin):
    """The action log is written by the portal's steps only: here it is read."""

    list_display = ["created_at", "content_type", "object_id", "actor", "acting_for", "action", "to_state"]
    list_filter = ["content_type", "action"]
    list_select_related = ["content_type", "actor", "acting_for"]
    date_hierarchy = "created_at"
    readonly_fields = ["content_type", "object_id", *LOG_FIELDS]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ActionLogInline(GenericTabularInline):
    """An object's action log on its admin page, read-only."""

    model = ActionLog
    ct_field = "content_type"
    ct_fk_field = "object_id"
    extra = 0
    can_delete = False
    fields = LOG_FIELDS
    readonly_fields = LOG_FIELDS

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(GeneratedFile)
class GeneratedFileAdmin(admin.ModelAdmin):
    """The rendering jobs, to see what failed and why."""

    list_display = ["kind", "object_id", "version", "status", "attempts", "seconds", "created_at"]
    list_filter = ["status", "kind"]
    readonly_fields = [f.name for f in GeneratedFile._meta.concrete_fields]

    def has_add_permission(self, request):
        return False
