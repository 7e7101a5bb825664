from django.contrib import admin

from core.admin import ReadOnlyAdmin
from retention.models import RetentionRun


@admin.register(RetentionRun)
class RetentionRunAdmin(ReadOnlyAdmin):
    """The runs of `manage.py retention --apply`, read only: what was archived where and removed."""

    list_display = ["started_at", "status", "kinds", "archived", "removed", "archive_path"]
    list_filter = ["status"]

    def has_delete_permission(self, request, obj=None):
        return False
