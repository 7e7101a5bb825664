"""Where people hold things: each workflow app's public hand-over module, and how the page names
what they hold. Every module offers `open_items_held_by(user)` -> [(role, row)],
`inactive_holder_ids()` and `reassign(role, row, from_user=, to_user=, by=)`."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from conflicts import handover as conflicts_handover
from departments import handover as departments_handover
from documents import handover as documents_handover
from tasks import handover as tasks_handover
from teams import handover as teams_handover

MODULES = (tasks_handover, departments_handover, documents_handover, teams_handover, conflicts_handover)

# The page's groups, in its order.
GROUPS = {
    "requests": _("Requests: handling, filed and approvals"),
    "delegations": _("Departments: delegations and seats"),
    "documents": _("Documents: drafts and review seats"),
    "teams": _("Collaboration teams"),
    "conflicts": _("Conflicts: mediation and arbitration"),
}

ROLES = {
    "assignee": ("requests", _("Handles")),
    "requester": ("requests", _("Filed (follows and verifies)")),
    "approver": ("requests", _("Approval waiting")),
    "delegate": ("delegations", _("Acts for")),
    "department_head": ("delegations", _("Heads")),
    "department_deputy": ("delegations", _("Deputy head of")),
    "drafter": ("documents", _("Drafts")),
    "document_reviewer": ("documents", _("Reviews drafts (核稿) of")),
    "team_lead": ("teams", _("Leads")),
    "team_member": ("teams", _("Member of")),
    "action_owner": ("teams", _("Action item")),
    "mediator": ("conflicts", _("Mediates")),
    "arbiter": ("conflicts", _("Arbitrates")),
}


# Seats that change who manages a department: only an administrator moves them.
ADMIN_ONLY = ("department_head", "department_deputy")


@dataclass
class Held:
    """One thing a person holds, as the hand-over page lists it."""

    role: str
    row: object
    module: object

    @property
    def key(self) -> str:
        return f"{self.role}-{self.row.pk}"

    def may_move(self, user) -> bool:
        return self.role not in ADMIN_ONLY or user.is_superuser

    @property
    def group(self) -> str:
        return ROLES[self.role][0]

    @property
    def role_label(self) -> str:
        return str(ROLES[self.role][1])

    @property
    def label(self) -> str:
        row = self.row
        if self.role in ("assignee", "requester"):
            return f"{row.number} {row.title}"
        if self.role == "approver":
            return f"{row.task.number} {row.task.title} · {row.display_step_name or row.step_order}"
        if self.role == "delegate":
            return f"{row.delegator.name} ({row.starts_on:%Y-%m-%d} – {row.ends_on:%Y-%m-%d})"
        if self.role in ("document_reviewer", "department_head", "department_deputy"):
            return row.display_name
        if self.role == "team_member":
            return f"{row.team.name} · {row.department.display_name}"
        if self.role == "action_owner":
            return f"{row.title} · {row.team.name}"
        if self.role in ("mediator", "arbiter"):
            return f"{row.number} {row.subject}"
        return str(row)

    @property
    def link(self) -> str:
        row = self.row
        if self.role in ("assignee", "requester"):
            return reverse("tasks:detail", args=[row.number])
        if self.role == "approver":
            return reverse("tasks:detail", args=[row.task.number])
        if self.role in ("document_reviewer", "department_head", "department_deputy"):
            return reverse("departments:department", args=[row.code])
        if self.role == "drafter":
            return reverse("documents:detail", args=[row.pk])
        if self.role == "team_lead":
            return reverse("teams:detail", args=[row.pk])
        if self.role in ("team_member", "action_owner"):
            return reverse("teams:detail", args=[row.team_id])
        if self.role in ("mediator", "arbiter"):
            return reverse("conflicts:detail", args=[row.pk])
        return ""


def held_by(person) -> list[Held]:
    """Everything `person` holds anywhere, in the page's order (a fixed number of queries)."""
    items = [Held(role, row, module) for module in MODULES for role, row in module.open_items_held_by(person)]
    order = list(GROUPS)
    return sorted(items, key=lambda item: order.index(item.group))


def inactive_holder_ids() -> set[int]:
    """Every deactivated person still holding something somewhere."""
    ids: set[int] = set()
    for module in MODULES:
        ids |= module.inactive_holder_ids()
    return ids
