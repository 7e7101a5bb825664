from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from departments.models import CalendarDay, Delegation, Department, Membership, Skill, User, WorkCalendar
from departments.services import department_ensure_manager_memberships

admin.site.site_header = _("Collab Portal administration")
admin.site.site_title = _("Collab Portal")
admin.site.index_title = _("Configure the organisation")


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["department"]
    fields = ["department", "role", "is_primary", "title"]


class DepartmentMembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", "role", "is_primary", "title"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "display_name", "job_title", "email", "can_sign_off", "is_staff", "is_active"]
    list_filter = ["is_active", "is_staff", "is_superuser", "can_sign_off", "memberships__department"]
    search_fields = ["username", "display_name", "first_name", "last_name", "email", "employee_no"]
    inlines = [MembershipInline]
    filter_horizontal = ["groups", "user_permissions", "skills"]
    fieldsets = BaseUserAdmin.fieldsets + (
        (
            _("In the organisation"),
            {"fields": ["display_name", "employee_no", "job_title", "phone", "language", "can_sign_off", "skills"]},
        ),
    )
    add_fieldsets = BaseUserAdmin.add_fieldsets + (
        (_("In the organisation"), {"fields": ["display_name", "job_title", "email"]}),
    )


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "parent", "head", "accepts_requests", "is_active", "sort_order"]
    list_filter = ["is_active", "accepts_requests", "parent"]
    search_fields = ["code", "name", "name_en"]
    # Searched as one types: a list of every person (2,000 in a large organisation) per field is no choice.
    autocomplete_fields = ["parent", "head", "deputies", "document_reviewers", "administrators"]
    inlines = [DepartmentMembershipInline]
    fieldsets = [
        (None, {"fields": ["code", "name", "name_en", "parent", "sort_order", "is_active"]}),
        (_("Managers"), {"fields": ["head", "deputies", "document_reviewers", "administrators"]}),
        (_("What it handles"), {"fields": ["accepts_requests", "handles", "handles_en"]}),
    ]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        department_ensure_manager_memberships(department=form.instance)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "department", "role", "is_primary", "title"]
    list_filter = ["role", "is_primary", "department"]
    search_fields = ["user__username", "user__display_name", "department__name", "department__code"]
    autocomplete_fields = ["user", "department"]


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en"]
    search_fields = ["name", "name_en"]


@admin.register(Delegation)
class DelegationAdmin(admin.ModelAdmin):
    list_display = ["delegator", "delegate", "starts_on", "ends_on", "is_active", "reason"]
    list_filter = ["is_active"]
    search_fields = ["delegator__username", "delegator__display_name", "delegate__username", "delegate__display_name"]
    autocomplete_fields = ["delegator", "delegate"]
    date_hierarchy = "starts_on"


@admin.register(WorkCalendar)
class WorkCalendarAdmin(admin.ModelAdmin):
    list_display = ["name", "morning_start", "morning_end", "afternoon_start", "afternoon_end", "workdays"]

    def has_add_permission(self, request):
        # One calendar for the organisation (pk=1): edit it, do not add another.
        return super().has_add_permission(request) and not WorkCalendar.objects.exists()


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "name", "department"]
    list_filter = ["kind", ("department", admin.EmptyFieldListFilter), "department"]
    list_select_related = ["department"]
    autocomplete_fields = ["department"]
    search_fields = ["name"]
    date_hierarchy = "date"
