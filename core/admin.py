from django.contrib import admin
from django.contrib.contenttypes.admin import GenericTabularInline

from core.models import ActionLog, GeneratedFile

LOG_FIELDS = ["created_at", "actor", "acting_for", "action", "from_state", "to_state", "reason", "comment", "data"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows that the portal's steps write: the admin shows every field and adds none."""

    def get_readonly_fields(self, request, obj=None):
        opts = self.model._meta
        return self.readonly_fields or [f.name for f in (*opts.concrete_fields, *opts.many_to_many)]

    def has_add_permission(self, request):
        return False


class ReadOnlyInlineMixin:
    """An inline of rows the portal's steps write, listed read-only (the subclass names `fields`)."""

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False


class ReadOnlyInline(ReadOnlyInlineMixin, admin.TabularInline):
    pass


@admin.register(ActionLog)
class ActionLogAdmin(ReadOnlyAdmin):
    """The action log is written by the portal's steps only: here it is read."""

    list_display = ["created_at", "content_type", "object_id", "actor", "acting_for", "action", "to_state"]
    list_filter = ["content_type", "action"]
    list_select_related = ["content_type", "actor", "acting_for"]
    date_hierarchy = "created_at"
    readonly_fields = ["content_type", "object_id", *LOG_FIELDS]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ActionLogInline(ReadOnlyInlineMixin, GenericTabularInline):
    """An object's action log on its admin page, read-only."""

    model = ActionLog
    fields = LOG_FIELDS


@admin.register(GeneratedFile)
class GeneratedFileAdmin(ReadOnlyAdmin):
    """The rendering jobs, to see what failed and why."""

    list_display = ["kind", "object_id", "version", "status", "attempts", "seconds", "created_at"]
    list_filter = ["status", "kind"]
