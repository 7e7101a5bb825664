"""After sign-off: distribution, acknowledgements and reminders, archive, rendering."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core import rendering
from core.actions import log_action
from departments.models import Department, User
from departments.selectors import manager_acting_for
from documents.models import Acknowledgement, Document, DocumentAction
from documents.services.common import DocumentConflict, DocumentError, DocumentForbidden, _managers, _step, _tell


def document_distribute(*, document: Document, by: User) -> Document:
    with _step(document, by, Document.State.ISSUED, "distribute") as s:
        document = s.row
        departments = list(document.recipient_departments.all())
        if not departments:
            raise DocumentError(_("Choose the departments it is distributed to first."))
        document.distribute()
        s.save(DocumentAction.DISTRIBUTED)
        Acknowledgement.objects.bulk_create(
            [Acknowledgement(document=document, department=d) for d in departments], ignore_conflicts=True
        )
        _tell(
            document,
            [m for d in departments for m in _managers(d)],
            actor=by,
            event="distributed",
            message=lambda: (
                _("%(number)s “%(title)s” was issued to your department; please acknowledge it (签收).")
                % {"number": document.number.text, "title": document.title}
            ),
        )
    return document


def document_acknowledge(*, document: Document, by: User, department: Department) -> Acknowledgement:
    """签收 by a member of a recipient department; of a classified document, by the department's
    head (or whoever acts for them today) only: a member it was passed to reads it only."""
    from documents import rules

    if not rules.may_acknowledge_for(by, document, department):
        if document.named_only and by.memberships.filter(department=department).exists():
            raise DocumentForbidden(str(rules.ACKNOWLEDGE_CLASSIFIED))
        raise PermissionDenied
    acting_for = manager_acting_for(by, department)[1] if document.named_only else None
    with transaction.atomic():
        ack = (
            Acknowledgement.objects.select_for_update(of=("self",))
            .select_related("document")
            .filter(document=document, department=department)
            .first()
        )
        if ack is None:
            raise PermissionDenied
        if ack.at is not None:
            raise DocumentConflict(
                _("%(department)s has already acknowledged it.") % {"department": department.display_name}
            )
        ack.by, ack.at = by, timezone.now()
        ack.save(update_fields=["by", "at"])
        log_action(
            ack.document,
            actor=by,
            acting_for=acting_for,
            action=DocumentAction.ACKNOWLEDGED,
            data={"department": department.pk},
        )
    return ack


def _remind(document: Document, pending: list[Acknowledgement], by: User | None) -> int:
    now = timezone.now()
    people = [m for ack in pending for m in _managers(ack.department)]
    _tell(
        document,
        people,
        actor=by,
        event="acknowledge",
        message=lambda: (
            _("Reminder: %(number)s “%(title)s” still waits for your department to acknowledge it.")
            % {"number": document.number.text, "title": document.title}
        ),
    )
    Acknowledgement.objects.filter(pk__in=[a.pk for a in pending]).update(reminded_at=now)
    return len(pending)


def document_remind(*, document: Document, by: User) -> int:
    """The issuer reminds the departments that have not acknowledged yet; returns how many."""
    with _step(document, by, Document.State.DISTRIBUTED, "remind") as s:
        document = s.row
        pending = list(document.acknowledgements.filter(at__isnull=True).select_related("department"))
        if not pending:
            raise DocumentError(_("Every department has acknowledged it."))
        return _remind(document, pending, by)


def remind_unacknowledged(now=None) -> int:
    """Beat: once a working day, remind departments that have not acknowledged a document
    distributed to them a working day ago or more, each counted on the acknowledging department's
    own calendar and only in its working hours."""
    from departments.selectors import calendar_filter, working_calendars

    now = now or timezone.now()
    if not any(calendar.is_working_moment(now) for calendar in working_calendars().every()):
        return 0

    def due(calendar):
        if not calendar.is_working_moment(now):
            return None
        cutoff = calendar.subtract_working_hours(now, calendar.hours_per_day)
        return Q(document__issued_at__lte=cutoff) & ~Q(reminded_at__gt=cutoff)

    waiting = Acknowledgement.objects.filter(at__isnull=True, document__state=Document.State.DISTRIBUTED).filter(
        calendar_filter("department_id", due)
    )
    reminded = 0
    ids = sorted(set(waiting.values_list("document_id", flat=True)))
    for document in Document.objects.filter(pk__in=ids).select_related("number"):
        with transaction.atomic():
            pending = list(
                waiting.filter(document=document).select_for_update(of=("self",)).select_related("department")
            )
            if pending:
                reminded += _remind(document, pending, None)
    return reminded


def document_archive(*, document: Document, by: User, retention_years: int = 10) -> Document:
    with _step(document, by, Document.State.DISTRIBUTED, "archive") as s:
        document = s.row
        document.archive()
        document.retention_year = timezone.localdate().year + retention_years
        s.save(DocumentAction.ARCHIVED)
    return document


def document_render(*, document: Document, kind: str = "document"):
    """Queue the .docx of the document's current version (or its processing sheet)."""
    from documents.docx import file_version, sheet_version

    if kind == "processing_sheet":
        version = sheet_version(document, document.opinions.count())
    else:
        version = file_version(document)
    return rendering.request_file(document, kind, version=version)
