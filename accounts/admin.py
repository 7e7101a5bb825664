from django.contrib import admin

from accounts.models import DirectorySync, ExternalIdentity, SignInEvent
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


@admin.register(SignInEvent)
class SignInEventAdmin(ReadOnlyAdmin):
    """Sign-ins, failed sign-ins, lockouts and sign-outs, as they happened: read and filtered here."""

    list_display = ["at", "kind", "method", "username", "user", "ip_address"]
    list_filter = ["kind", "method", "at"]
    search_fields = ["username", "user__display_name", "ip_address"]
    date_hierarchy = "at"
    list_select_related = ["user"]
