from django.contrib import admin

from conflicts.models import Conflict, ConflictParty, ConflictSettings, Position
from core.admin import ActionLogInline, ReadOnlyAdmin, ReadOnlyInline


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


class PartyInline(ReadOnlyInline):
    model = ConflictParty
    fields = ["department", "agreed_at", "agreed_by"]


class PositionInline(ReadOnlyInline):
    model = Position
    fields = ["created_at", "department", "author", "acting_for", "text"]


@admin.register(Conflict)
class ConflictAdmin(ReadOnlyAdmin):
    """Read-only here: conflicts move through their page so every step is checked and logged."""

    list_display = ["number", "subject", "state", "mediator", "arbiter", "deadline_at", "raised_at"]
    list_filter = ["state", "resolution"]
    search_fields = ["subject", "decision"]
    inlines = [PartyInline, PositionInline, ActionLogInline]
