"""A request's 事务单 as .docx, through the rendering service (core.rendering): its particulars, the
approval opinions of every round, and the whole timeline."""

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from core import rendering
from core.docx_layout import Sheet, SheetSection, render_sheet
from tasks.models import Attachment, Reason, Task
from tasks.rules import can_view
from tasks.selectors import answers_of


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def file_version(task: Task) -> str:
    """The sheet changes whenever something is logged on the request."""
    last = task.logs.order_by("-pk").values_list("pk", flat=True).first() or 0
    return f"{last}-{task.comments.count()}"


# An attached word-processing file's PDF, for its preview: whoever may see the request.
rendering.converter(
    Attachment.PDF_KIND,
    can_view=lambda user, attachment: can_view(user, attachment.task),
    upload=lambda attachment: (attachment.file, attachment.name),
)


@rendering.builder("request_form", can_view=can_view, filename=lambda task: f"{task.number}-事务单")
def request_form_docx(task: Task) -> bytes:
    approvals = [[_("Round"), _("Step"), _("Approver"), _("Decision"), _("Opinion"), _("Date")]]
    rows = task.approvals.select_related("approver", "decided_by", "added_by", "forwarded_from")
    for approval in rows.order_by("round", "step_order", "pk"):
        who = approval.approver.name
        if approval.decided_by_id and approval.decided_by_id != approval.approver_id:
            who = _("%(who)s (for %(whom)s)") % {"who": approval.decided_by.name, "whom": approval.approver.name}
        if approval.forwarded_from_id:
            who += " " + _("(forwarded from %(whom)s, 转签: %(why)s)") % {
                "whom": approval.forwarded_from.name,
                "why": approval.note,
            }
        elif approval.added_by_id:
            who += " " + _("(added by %(whom)s, 加签: %(why)s)") % {
                "whom": approval.added_by.name,
                "why": approval.note,
            }
        approvals.append(
            [
                str(approval.round),
                approval.step_name or str(approval.step_order),
                who,
                approval.get_decision_display(),
                approval.opinion,
                _when(approval.decided_at),
            ]
        )
    from tasks.selectors import timeline as events

    timeline = [[_("Date"), _("Who"), _("What"), _("Comment")]]
    reasons = dict(Reason.choices)
    for item in events(task):
        entry = item["obj"]
        if item["kind"] == "log":
            who = entry.actor.name if entry.actor_id else _("System")
            if entry.acting_for_id:
                who = _("%(who)s (for %(whom)s)") % {"who": who, "whom": entry.acting_for.name}
            what = entry.get_action_display()
            if entry.reason:
                what = f"{what}（{reasons.get(entry.reason, entry.reason)}）"
            timeline.append([_when(entry.created_at), who, what, entry.comment])
        elif item["kind"] == "comment":
            timeline.append([_when(entry.created_at), entry.author.name, _("commented"), entry.body])
        else:
            timeline.append([_when(entry.created_at), entry.uploaded_by.name, _("attached a file"), entry.name])
    fields = [
        (_("Number"), task.number),
        (_("Title"), task.title),
        (_("Request type"), task.request_type.display_name),
        (_("From"), f"{task.requesting_department.display_name} · {task.requester.name}"),
        (_("Lead department"), task.target_department.display_name),
        (_("Assignee"), task.assignee.name if task.assignee_id else ""),
        (_("State"), task.get_state_display()),
        (_("Priority"), task.get_priority_display()),
        (_("Filed"), _when(task.created_at)),
        (_("Due"), _when(task.due_at)),
        (_("Description"), task.description),
    ]
    # The version it was filed on, with people and departments by name, as its page shows them.
    fields += [(spec.display_label, "" if value is None else str(value)) for spec, value in answers_of(task)]
    sheet = Sheet(
        organ=settings.ORGANISATION_NAME,
        title=_("Request form (事务单)"),
        fields=fields,
        sections=[
            SheetSection(_("Approvals"), rows=approvals if len(approvals) > 1 else []),
            SheetSection(_("Timeline"), rows=timeline),
        ],
        footer=_("Printed %(when)s") % {"when": _when(timezone.now())},
    )
    if len(approvals) == 1:
        sheet.sections[0].paragraphs.append(_("No approval was needed."))
    return render_sheet(sheet)
