"""What requests tell the notifications app (imported by TasksConfig.ready()): the kinds of
notice a person can choose e-mail for, and the requests part of the daily digest."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from notifications import digests, kinds


def task_path(task) -> str:
    """The request's page, where its notices lead."""
    return f"/requests/{task.number}/"


kinds.register("approval", gettext_lazy("Something waits for my approval"), order=10, email_by_default=True)
kinds.register(
    "inbox",
    gettext_lazy("A request waits for my department to accept it"),
    order=20,
    email_by_default=True,
    robots_by_default=True,
)
kinds.register("assigned", gettext_lazy("A request was assigned to me"), order=30, email_by_default=True)
kinds.register("verify", gettext_lazy("A result waits for my verification"), order=40, email_by_default=True)
kinds.register(
    "status",
    gettext_lazy("My request moved on (approved, accepted, declined…)"),
    order=50,
    events=[
        "approved",
        "rejected",
        "returned",
        "accepted",
        "declined",
        "transferred",
        "held",
        "progress",
        "confirmed",
        "reopened",
        "cancelled",
        "auto_closed",
    ],
)
kinds.register("watching", gettext_lazy("A request I am on CC for or follow was filed, taken on or ended"), order=55)
kinds.register("mention", gettext_lazy("Someone mentioned me"), order=60, email_by_default=True)
kinds.register("comment", gettext_lazy("A comment on a request of mine"), order=70)
kinds.register(
    "reminder",
    gettext_lazy("Reminders: due soon, overdue, waiting too long"),
    order=80,
    email_by_default=True,
    events=["urged", "due_soon", "overdue", "stale", "approval_overdue", "accept_overdue"],
)
kinds.register(
    "escalation",
    gettext_lazy("Escalations to me as a manager"),
    order=90,
    email_by_default=True,
    robots_by_default=True,
)


def digest_sections(person) -> list[digests.Section]:
    """What waits on the person among requests, as the home page shows it."""
    from tasks import selectors

    board = selectors.dashboard(person)

    def items(tasks):
        return [digests.Item(t.number, t.title, task_path(t), t.due_at) for t in tasks]

    return [
        digests.Section(
            _("Waiting for my approval"),
            [digests.Item(a.task.number, a.task.title, task_path(a.task)) for a in board["to_approve"]],
        ),
        digests.Section(_("Waiting for my department to accept"), items(board["to_accept"])),
        digests.Section(_("Waiting for me to verify"), items(board["to_verify"])),
        digests.Section(_("Overdue"), items(board["overdue"])),
        digests.Section(_("Due this week"), items(board["due_this_week"])),
        digests.Section(_("Assigned to me"), items(board["assigned"])),
        digests.Section(_("My open requests"), items(board["my_open"])),
    ]


digests.register(digest_sections)
