from django.contrib import admin

from conflicts.models import Conflict, ConflictParty, ConflictSettings, Position
from core.admin import ActionLogInline


@admin.register(ConflictSettings)
class ConflictSettingsAdmin(admin.ModelAdmin):
    """One row: the deadlines of each level in working days and the arbiter."""

    list_display = ["__str__", "negotiation_days", "mediation_days", "arbitration_days", "arbiter"]
    autocomplete_fields = ["arbiter"]

    def has_add_permission(self, request):
        return not ConflictSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        obj.pk = 1
        super().save_model(request, obj, form, change)


class PartyInline(admin.TabularInline):
    model = ConflictParty
    extra = 0
    fields = ["department", "agreed_at", "agreed_by"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class PositionInline(admin.TabularInline):
    model = Position
    extra = 0
    fields = ["created_at", "department", "author", "acting_for", "text"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Conflict)
class ConflictAdmin(admin.ModelAdmin):
    """Read-only here: conflicts move through their page so every step is checked and logged."""

    list_display = ["number", "subject", "state", "mediator", "arbiter", "deadline_at", "raised_at"]
    list_filter = ["state", "resolution"]
    search_fields = ["subject", "decision"]
    readonly_fields = [field.name for field in Conflict._meta.fields]
    inlines = [PartyInline, PositionInline, ActionLogInline]

    def has_add_permission(self, request):
        return False
