"""The organisation's workbook as stored: every row of every sheet, in the layout the import reads
back (imports.spreadsheet), so that an exported workbook imports as no change."""

from departments.models import Department, Membership, Skill, User
from imports.services import Role
from imports.spreadsheet import LIST_SEPARATOR, write_workbook
from tasks.models import RequestType


def _role(membership: Membership, deputies: set) -> str:
    if membership.department.head_id == membership.user_id:
        return Role.HEAD
    if (membership.department_id, membership.user_id) in deputies:
        return Role.DEPUTY
    return Role.MANAGER if membership.role == Membership.Role.MANAGER else Role.MEMBER


def export_tables() -> dict[str, list[list]]:
    """Every row of the workbook, as stored (a fixed number of queries)."""
    skill_names = dict(Skill.objects.values_list("pk", "name"))
    departments = list(Department.objects.order_by("sort_order", "code"))
    code_of = {department.pk: department.code for department in departments}
    people = list(User.objects.order_by("username"))
    person_skills: dict[int, list[str]] = {}
    for user_id, skill_id in User.skills.through.objects.values_list("user_id", "skill_id"):
        person_skills.setdefault(user_id, []).append(skill_names[skill_id])
    type_skills: dict[int, list[str]] = {}
    for type_id, skill_id in RequestType.skills.through.objects.values_list("requesttype_id", "skill_id"):
        type_skills.setdefault(type_id, []).append(skill_names[skill_id])
    deputies = set(Department.deputies.through.objects.values_list("department_id", "user_id"))
    memberships = Membership.objects.select_related("user", "department").order_by("user__username", "department__code")

    def listed(names) -> str:
        return f"{LIST_SEPARATOR} ".join(sorted(names))

    return {
        "skills": [[skill.name, skill.name_en] for skill in Skill.objects.order_by("name")],
        "departments": [
            [
                d.code,
                d.name,
                d.name_en,
                code_of.get(d.parent_id, ""),
                d.sort_order,
                d.accepts_requests,
                d.is_active,
                d.handles,
                d.handles_en,
            ]
            for d in departments
        ],
        "people": [
            [
                p.username,
                p.display_name,
                p.email,
                p.employee_no,
                p.job_title,
                p.phone,
                p.can_sign_off,
                p.is_active,
                listed(person_skills.get(p.pk, [])),
            ]
            for p in people
        ],
        "memberships": [
            [m.user.username, m.department.code, _role(m, deputies), m.is_primary, m.title] for m in memberships
        ],
        "request_types": [
            [
                t.code,
                code_of[t.department_id],
                t.name,
                t.name_en,
                t.purpose,
                t.purpose_en,
                t.materials,
                t.materials_en,
                t.accept_sla_hours,
                t.finish_sla_hours,
                t.default_priority,
                t.auto_assign,
                listed(type_skills.get(t.pk, [])),
                t.is_active,
                t.sort_order,
            ]
            for t in RequestType.objects.order_by("code")
        ],
    }


def export_workbook() -> bytes:
    return write_workbook(export_tables())
