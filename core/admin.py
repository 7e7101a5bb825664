from django import forms
from django.contrib import admin
from django.contrib.contenttypes.admin import GenericTabularInline
from django.utils.translation import gettext_lazy as _

from core.legal_hold import set_legal_hold
from core.models import ActionLog, GeneratedFile

LOG_FIELDS = ["created_at", "actor", "acting_for", "action", "from_state", "to_state", "reason", "comment", "data"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows that the portal's steps write: the admin shows every field and adds none."""

    def get_readonly_fields(self, request, obj=None):
        opts = self.model._meta
        return self.readonly_fields or [f.name for f in (*opts.concrete_fields, *opts.many_to_many)]

    def has_add_permission(self, request):
        return False


class LegalHoldAdminMixin:
    """On a read-only admin of rows that carry a legal hold: the hold and its reason are the two
    fields an admin may change; saving places or lifts the hold through `set_legal_hold`, which
    logs who, when and why on the object's timeline (nothing else of the row is saved)."""

    legal_hold_fields = ["legal_hold", "legal_hold_reason"]

    def get_readonly_fields(self, request, obj=None):
        return [name for name in super().get_readonly_fields(request, obj) if name not in self.legal_hold_fields]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)

        class LegalHoldForm(form):
            def clean(self):
                cleaned = super().clean()
                if cleaned.get("legal_hold") and not (cleaned.get("legal_hold_reason") or "").strip():
                    raise forms.ValidationError(_("Say why the legal hold is placed (a case or an order)."))
                return cleaned

        return LegalHoldForm

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)
            return
        set_legal_hold(obj, by=request.user, hold=bool(obj.legal_hold), reason=(obj.legal_hold_reason or "").strip())


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
