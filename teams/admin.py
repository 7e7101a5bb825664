from django.contrib import admin

from core.admin import ActionLogInline
from teams.models import CalendarFeed, EvaluationCriterion, Meeting, Milestone, StrategicGoal, Team, TeamMember


@admin.register(StrategicGoal)
class StrategicGoalAdmin(admin.ModelAdmin):
    list_display = ["title", "title_en", "is_active", "sort_order"]
    list_editable = ["is_active", "sort_order"]
    search_fields = ["title", "title_en"]


class TeamMemberInline(admin.TabularInline):
    model = TeamMember
    extra = 0
    autocomplete_fields = ["user"]


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0
    fields = ["title", "starts_on", "due_on", "department", "status"]


class CriterionInline(admin.TabularInline):
    model = EvaluationCriterion
    extra = 0


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    """Teams are run from their own pages; the admin is for looking and fixing data."""

    list_display = ["name", "lead", "state", "private", "strategic_goal", "deadline"]
    list_filter = ["state", "private", "strategic_goal"]
    search_fields = ["name", "goal"]
    readonly_fields = ["state"]
    autocomplete_fields = ["lead", "created_by"]
    inlines = [TeamMemberInline, MilestoneInline, CriterionInline, ActionLogInline]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["team", "starts_at", "status", "reminded_at"]
    list_filter = ["status"]
    date_hierarchy = "starts_at"


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    list_display = ["user", "is_active", "created_at", "rotated_at"]
    exclude = ["token"]
    list_filter = ["is_active"]
