from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from api import services
from api.models import AccessToken


@admin.register(AccessToken)
class AccessTokenAdmin(admin.ModelAdmin):
    """Everyone's tokens, to revoke one that leaked. Tokens are made on the profile page only: the
    secret is shown to its owner there, once."""

    list_display = ("name", "user", "prefix", "scope", "created_at", "expires_at", "last_used_at", "revoked_at")
    list_filter = ("scope", ("revoked_at", admin.EmptyFieldListFilter))
    search_fields = ("name", "prefix", "user__username", "user__display_name")
    list_select_related = ("user",)
    readonly_fields = ("user", "name", "scope", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at")
    exclude = ("secret_hash",)
    actions = ["revoke"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        count = 0
        for token in queryset.filter(revoked_at__isnull=True):
            services.token_revoke(token=token, by=request.user)
            count += 1
        self.message_user(
            request,
            _("Tokens revoked: %(count)d.") % {"count": count},
            messages.SUCCESS,
        )
