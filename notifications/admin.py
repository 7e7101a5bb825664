from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from notifications.models import Delivery, ImRobot, NotificationPreference


@admin.register(ImRobot)
class ImRobotAdmin(admin.ModelAdmin):
    list_display = ["name", "department", "kind", "is_active"]
    list_filter = ["kind", "is_active", "department"]
    autocomplete_fields = ["department"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """The outbox. Failed deliveries can be sent again."""

    list_display = ["created_at", "channel", "kind", "address", "status", "attempts", "sent_at"]
    list_filter = ["status", "channel", "kind"]
    search_fields = ["address", "subject", "key"]
    readonly_fields = [f.name for f in Delivery._meta.concrete_fields]
    actions = ["retry_failed"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Send the selected failed deliveries again"))
    def retry_failed(self, request, queryset):
        from notifications.delivery import retry

        count = retry(queryset)
        self.message_user(request, _("%(count)s deliveries queued again.") % {"count": count})


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "digest_enabled", "digest_time", "last_digest_on"]
    search_fields = ["user__username", "user__display_name"]
    autocomplete_fields = ["user"]
