from django.contrib import admin

from webhooks.models import Delivery, Endpoint


@admin.register(Endpoint)
class EndpointAdmin(admin.ModelAdmin):
    """Endpoints are managed on their own pages (/webhooks/), which check the address and who may
    allow private ones; the admin only lists them, read-only, for support."""

    list_display = ["name", "url", "department", "status", "failures", "created_at"]
    list_filter = ["status", "department"]
    search_fields = ["name", "url"]
    exclude = ["secret", "previous_secret"]
    readonly_fields = [
        "name",
        "url",
        "department",
        "events",
        "allow_private",
        "status",
        "paused_reason",
        "failures",
        "previous_secret_until",
        "created_by",
        "created_at",
    ]

    def has_add_permission(self, request):
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "endpoint", "event", "status", "attempts", "response_code", "sent_at"]
    list_filter = ["status", "event"]
    search_fields = ["message_id", "key"]
    readonly_fields = [f.name for f in Delivery._meta.concrete_fields]

    def has_add_permission(self, request):
        return False
