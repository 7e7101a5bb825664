from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdmin
from notifications.models import Delivery, ImAccount, ImApp, ImRobot, NotificationPreference


@admin.register(ImRobot)
class ImRobotAdmin(admin.ModelAdmin):
    list_display = ["name", "department", "kind", "is_active"]
    list_filter = ["kind", "is_active", "department"]
    autocomplete_fields = ["department"]


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    """The outbox. Failed deliveries can be sent again."""

    list_display = ["created_at", "channel", "kind", "address", "status", "attempts", "sent_at"]
    list_filter = ["status", "channel", "kind"]
    search_fields = ["address", "subject", "key"]
    actions = ["retry_failed"]

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


class ImAppForm(forms.ModelForm):
    """The app's secret is written, never shown back: left empty on a change, the stored one stays."""

    secret = forms.CharField(
        label=_("app secret"),
        required=False,
        max_length=200,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("DingTalk AppSecret, WeCom Secret or Feishu App Secret. Leave empty to keep the stored one."),
    )

    class Meta:
        model = ImApp
        fields = ["kind", "app_id", "secret", "agent_id", "is_active"]

    def clean_secret(self):
        secret = self.cleaned_data.get("secret", "").strip()
        if secret:
            return secret
        if self.instance.pk and self.instance.secret:
            return self.instance.secret
        raise forms.ValidationError(gettext("Enter the app secret."))


@admin.register(ImApp)
class ImAppAdmin(admin.ModelAdmin):
    """The organisation's apps that send personal notices; the secret never leaves the server."""

    form = ImAppForm
    list_display = ["kind", "app_id", "agent_id", "is_active"]
    actions = ["match_by_mobile"]

    @admin.action(description=_("Find people on the platform by their mobile numbers"))
    def match_by_mobile(self, request, queryset):
        from notifications import workim

        for app in queryset:
            try:
                matched, unknown = workim.match_by_mobile(app)
            except (workim.ImError, OSError) as exc:
                self.message_user(
                    request,
                    gettext("%(app)s: the platform did not answer as expected (%(error)s).")
                    % {"app": app, "error": str(exc)[:200]},
                    messages.ERROR,
                )
                continue
            self.message_user(
                request,
                gettext("%(app)s: %(matched)s people matched; not found: %(unknown)s.")
                % {"app": app, "matched": matched, "unknown": ", ".join(unknown[:50]) or "—"},
            )


class ImAccountImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("UTF-8, the columns username, platform (dingtalk, wecom or feishu) and im_user_id."),
    )


@admin.register(ImAccount)
class ImAccountAdmin(admin.ModelAdmin):
    """People's IM user IDs: edited one by one, imported from a CSV file, or matched by mobile
    number from the IM app's page."""

    list_display = ["user", "kind", "im_user_id"]
    list_filter = ["kind"]
    search_fields = ["user__username", "user__display_name", "im_user_id"]
    autocomplete_fields = ["user"]
    change_list_template = "admin/notifications/imaccount/change_list.html"

    def get_urls(self):
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="notifications_imaccount_import"),
            *super().get_urls(),
        ]

    def import_view(self, request):
        from notifications import workim

        if not self.has_add_permission(request) or not self.has_change_permission(request):
            raise PermissionDenied
        form = ImAccountImportForm(request.POST or None, request.FILES or None)
        errors: list[str] = []
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > 2 * 1024 * 1024:
                errors = [gettext("The file is larger than 2 MB.")]
            else:
                try:
                    count = workim.import_accounts(upload.read())
                except workim.ImportRefused as exc:
                    errors = exc.errors
                else:
                    self.message_user(request, gettext("%(count)s IM user IDs imported.") % {"count": count})
                    return redirect("admin:notifications_imaccount_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "errors": errors,
            "title": gettext("Import IM user IDs"),
        }
        return render(request, "admin/notifications/imaccount/import.html", context)
