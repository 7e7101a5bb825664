from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import DirectorySync, ExternalIdentity, SecurityEvent
from core import exports
from core.admin import ReadOnlyAdmin


@admin.register(ExternalIdentity)
class ExternalIdentityAdmin(admin.ModelAdmin):
    list_display = ["user", "source", "subject", "distinguished_name", "last_seen_at"]
    list_filter = ["source"]
    search_fields = ["user__username", "user__display_name", "subject", "distinguished_name"]
    autocomplete_fields = ["user"]
    readonly_fields = ["created_at", "last_seen_at"]


@admin.register(DirectorySync)
class DirectorySyncAdmin(ReadOnlyAdmin):
    """Every run of the directory sync, with its counts: written by the sync, read here."""

    list_display = [
        "started_at",
        "dry_run",
        "status",
        "people_seen",
        "people_created",
        "people_updated",
        "people_deactivated",
        "departments_created",
        "departments_renamed",
    ]
    list_filter = ["status", "dry_run"]
    date_hierarchy = "started_at"


@admin.register(SecurityEvent)
class SecurityEventAdmin(ReadOnlyAdmin):
    """The security audit trail, as it happened: read, filtered and exported here, changed and
    deleted by nobody."""

    list_display = ["at", "kind", "method", "username", "user", "actor", "detail", "ip_address"]
    list_filter = ["kind", "method", "at"]
    search_fields = ["username", "user__display_name", "actor__display_name", "detail", "ip_address"]
    date_hierarchy = "at"
    list_select_related = ["user", "actor"]
    actions = ["export_csv", "export_xlsx"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def _export(self, queryset, fmt: str):
        headers = [_("at"), _("event"), _("method"), _("login typed"), _("person"), _("by"), _("detail")]
        headers += [_("IP address"), _("browser")]
        rows = [
            [
                timezone.localtime(event.at),
                event.get_kind_display(),
                event.get_method_display(),
                event.username,
                event.user.name if event.user else "",
                event.actor.name if event.actor else "",
                event.detail,
                event.ip_address or "",
                event.user_agent,
            ]
            for event in queryset.select_related("user", "actor").order_by("at")
        ]
        table = exports.Table("events", str(_("security events")), [str(h) for h in headers], rows)
        return exports.response(table, fmt, "security")

    @admin.action(description=_("Export the selected events (CSV)"), permissions=["view"])
    def export_csv(self, request, queryset):
        return self._export(queryset, "csv")

    @admin.action(description=_("Export the selected events (XLSX)"), permissions=["view"])
    def export_xlsx(self, request, queryset):
        return self._export(queryset, "xlsx")
