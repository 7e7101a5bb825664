"""Use cases of official documents: the workflow from draft to archive, rendering, and the
document-number register (文号): take a number at issue, reserve one (占号), issue a reserved one,
void one (退号) with a reason, and audit a register for gaps."""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from departments.models import Department, User
from departments.selectors import manager_acting_for, signer_acting_for
from documents.docx_layout import Block, OfficialDocument, check, render
from documents.models import (
    Acknowledgement,
    Document,
    DocumentKind,
    DocumentNumber,
    NumberSequence,
    Opinion,
    RenderJob,
    format_number,
)


class NumberError(Exception):
    """A register action that cannot be done; the message is for the user."""


def _register(kind: str, prefix: str, year: int) -> NumberSequence:
    """The register row, locked for this transaction (created on first use)."""
    if kind not in DocumentKind.values:
        raise NumberError(_("Unknown document kind."))
    prefix = prefix.strip()
    if not prefix:
        raise NumberError(_("A register needs a prefix, e.g. the department's short name."))
    NumberSequence.objects.bulk_create([NumberSequence(kind=kind, prefix=prefix, year=year)], ignore_conflicts=True)
    return NumberSequence.objects.select_for_update().get(kind=kind, prefix=prefix, year=year)


def number_take(
    *, kind: str, prefix: str, by: User, subject: str = "", year: int | None = None, reserve: bool = False
) -> DocumentNumber:
    """The next number of the register, issued now (at sign-off) or reserved for later.
    Yearly rollover: each year's register starts again at 1."""
    year = year or timezone.localdate().year
    with transaction.atomic():
        sequence = _register(kind, prefix, year)
        sequence.last += 1
        sequence.save(update_fields=["last"])
        return DocumentNumber.objects.create(
            sequence=sequence,
            number=sequence.last,
            text=format_number(sequence.prefix, year, sequence.last),
            status=DocumentNumber.Status.RESERVED if reserve else DocumentNumber.Status.ISSUED,
            subject=subject[:200],
            taken_by=by,
        )


def number_reserve(*, kind: str, prefix: str, by: User, subject: str = "", year: int | None = None) -> DocumentNumber:
    if not by.is_superuser:
        raise PermissionDenied
    return number_take(kind=kind, prefix=prefix, by=by, subject=subject, year=year, reserve=True)


def number_issue_reserved(*, number: DocumentNumber, by: User, subject: str) -> DocumentNumber:
    """A reserved number is used for the document it was kept for."""
    with transaction.atomic():
        number = DocumentNumber.objects.select_for_update().get(pk=number.pk)
        if number.status != DocumentNumber.Status.RESERVED:
            raise NumberError(_("%(number)s is not reserved.") % {"number": number.text})
        number.status = DocumentNumber.Status.ISSUED
        number.subject = subject[:200]
        number.save(update_fields=["status", "subject"])
    return number


def number_void(*, number: DocumentNumber, by: User, reason: str) -> DocumentNumber:
    """退号: the number is withdrawn for good, with a reason; it stays in the register."""
    if not by.is_superuser:
        raise PermissionDenied
    reason = reason.strip()
    if not reason:
        raise NumberError(_("Say why the number is voided."))
    with transaction.atomic():
        number = DocumentNumber.objects.select_for_update().get(pk=number.pk)
        if number.status == DocumentNumber.Status.VOIDED:
            raise NumberError(_("%(number)s is already voided.") % {"number": number.text})
        number.status = DocumentNumber.Status.VOIDED
        number.reason = reason[:300]
        number.voided_by = by
        number.voided_at = timezone.now()
        number.save(update_fields=["status", "reason", "voided_by", "voided_at"])
    return number


@dataclass
class Gap:
    number: int
    text: str
    status: str  # "voided", "reserved" or "missing"
    reason: str


def gap_audit(sequence: NumberSequence) -> list[Gap]:
    """Every number from 1 to the last taken that is not an issued document, and why."""
    taken = {n.number: n for n in sequence.numbers.all()}
    gaps = []
    for value in range(1, sequence.last + 1):
        entry = taken.get(value)
        if entry is not None and entry.status == DocumentNumber.Status.ISSUED:
            continue
        gaps.append(
            Gap(
                number=value,
                text=format_number(sequence.prefix, sequence.year, value),
                status=entry.status if entry else "missing",
                reason=entry.reason if entry else _("No record of this number."),
            )
        )
    return gaps


# The document workflow (DESIGN §4): draft → review → countersign → sign-off → issue → distribute → archive.


class DocumentError(Exception):
    """A document action that cannot be done; the message is for the user."""


class DocumentConflict(DocumentError):
    """Someone already moved the document on."""


def _lock(document: Document) -> Document:
    return Document.objects.select_for_update().get(pk=document.pk)


def _expect(document: Document, *states: str) -> None:
    if document.state not in states:
        raise DocumentConflict(
            _("This document was already handled; it is now “%(state)s”.")
            % {"state": Document.State(document.state).label}
        )


def _manager(by: User, department: Department) -> User | None:
    """Raise unless `by` manages `department` (or acts today for one who does); returns who they act for."""
    ok, acting_for = manager_acting_for(by, department)
    if not ok:
        raise PermissionDenied
    return acting_for


def prefix_of(department: Department) -> str:
    """The department's short name used in document numbers: 销售部 → 销售."""
    name = department.name.strip()
    return name[:-1] if name.endswith("部") and len(name) > 2 else name


def document_create(
    *,
    by: User,
    kind: str,
    title: str,
    recipients: str,
    body: str,
    cc: str = "",
    urgency: str = Document.Urgency.NORMAL,
    secrecy: str = Document.Secrecy.INTERNAL,
    countersign_departments=(),
    recipient_departments=(),
) -> Document:
    department = by.primary_department
    if department is None:
        raise DocumentError(_("You belong to no department, so you cannot draft a document."))
    if kind not in DocumentKind.values:
        raise DocumentError(_("Unknown document kind."))
    with transaction.atomic():
        document = Document.objects.create(
            kind=kind,
            title=title.strip(),
            recipients=recipients.strip(),
            cc=cc.strip(),
            body=body,
            urgency=urgency,
            secrecy=secrecy,
            department=department,
            drafter=by,
        )
        document.countersign_departments.set([d for d in countersign_departments if d.pk != department.pk])
        document.recipient_departments.set(recipient_departments)
    return document


def document_edit(*, document: Document, by: User, title: str, recipients: str, body: str, cc: str = "") -> Document:
    """Every saved edit is a new version; only the drafter edits, and only a draft."""
    with transaction.atomic():
        document = _lock(document)
        _expect(document, Document.State.DRAFT)
        if by.pk != document.drafter_id:
            raise PermissionDenied
        document.title, document.recipients, document.body, document.cc = title.strip(), recipients.strip(), body, cc
        document.version += 1
        document.save()
    return document


def document_submit(*, document: Document, by: User) -> Document:
    with transaction.atomic():
        document = _lock(document)
        _expect(document, Document.State.DRAFT)
        if by.pk != document.drafter_id:
            raise PermissionDenied
        document.submit()
        document.save()
    return document


def document_withdraw(*, document: Document, by: User) -> Document:
    """撤回: the drafter takes the document back before it is reviewed."""
    with transaction.atomic():
        document = _lock(document)
        _expect(document, Document.State.REVIEWING)
        if by.pk != document.drafter_id:
            raise PermissionDenied
        document.withdraw()
        document.save()
    return document


def _opinion(document: Document, stage: str, department: Department, by: User, acting_for, decision: str, text: str):
    Opinion.objects.create(
        document=document,
        stage=stage,
        department=department,
        author=by,
        acting_for=acting_for,
        decision=decision,
        text=text,
        version=document.version,
    )


def _send_back(document: Document, text: str) -> None:
    if not text.strip():
        raise DocumentError(_("Say why the document goes back to the drafter."))
    document.send_back()


def document_review(*, document: Document, by: User, agree: bool, text: str = "") -> Document:
    """核稿 by the drafting department's manager: pass on, or return to the drafter."""
    with transaction.atomic():
        document = _lock(document)
        _expect(document, Document.State.REVIEWING)
        acting_for = _manager(by, document.department)
        if agree:
            if document.countersign_departments.exists():
                document.to_countersign()
            else:
                document.to_sign_off()
        else:
            _send_back(document, text)
        document.save()
        _opinion(
            document,
            Opinion.Stage.REVIEW,
            document.department,
            by,
            acting_for,
            Opinion.Decision.AGREE if agree else Opinion.Decision.RETURN,
            text,
        )
    return document


def document_countersign(
    *, document: Document, by: User, department: Department, agree: bool, text: str = ""
) -> Document:
    """会签 by each chosen department; any disagreement returns the draft, all agreeing sends it on."""
    with transaction.atomic():
        document = _lock(document)
        _expect(document, Document.State.COUNTERSIGNING)
        if not document.countersign_departments.filter(pk=department.pk).exists():
            raise PermissionDenied
        acting_for = _manager(by, department)
        done = document.opinions.filter(
            stage=Opinion.Stage.COUNTERSIGN, version=document.version, department=department
        )
        if done.exists():
            raise DocumentConflict(
                _("%(department)s has already countersigned this version.") % {"department": department.display_name}
            )
        if agree:
            _opinion(document, Opinion.Stage.COUNTERSIGN, department, by, acting_for, Opinion.Decision.AGREE, text)
            agreed = (
                document.opinions.filter(
                    stage=Opinion.Stage.COUNTERSIGN, version=document.version, decision=Opinion.Decision.AGREE
                )
                .values("department")
                .distinct()
                .count()
            )
            if agreed >= document.countersign_departments.count():
                document.to_sign_off()
        else:
            _send_back(document, text)
            _opinion(document, Opinion.Stage.COUNTERSIGN, department, by, acting_for, Opinion.Decision.DISAGREE, text)
        document.save()
    return document


def document_sign_off(*, document: Document, by: User, agree: bool = True, text: str = "") -> Document:
    """签发 by a leader with sign-off right (or their delegate): the number is taken now and the
    final .docx rendered; or the leader returns the draft."""
    with transaction.atomic():
        document = _lock(document)
        _expect(document, Document.State.PENDING_ISSUE)
        may_sign, acting_for = signer_acting_for(by)
        if not may_sign:
            raise PermissionDenied
        if agree:
            document.number = number_take(
                kind=document.kind, prefix=prefix_of(document.department), by=by, subject=document.title
            )
            document.signed_by = acting_for or by
            document.issue()
        else:
            _send_back(document, text)
        document.save()
        _opinion(
            document,
            Opinion.Stage.SIGN_OFF,
            document.department,
            by,
            acting_for,
            Opinion.Decision.AGREE if agree else Opinion.Decision.RETURN,
            text,
        )
        if agree:
            document_render(document=document)
    return document


def document_distribute(*, document: Document, by: User) -> Document:
    with transaction.atomic():
        document = _lock(document)
        _expect(document, Document.State.ISSUED)
        if by.pk != document.drafter_id:
            _manager(by, document.department)
        departments = list(document.recipient_departments.all())
        if not departments:
            raise DocumentError(_("Choose the departments it is distributed to first."))
        document.distribute()
        document.save()
        Acknowledgement.objects.bulk_create(
            [Acknowledgement(document=document, department=d) for d in departments], ignore_conflicts=True
        )
    return document


def document_acknowledge(*, document: Document, by: User, department: Department) -> Acknowledgement:
    """签收 by a member of a recipient department."""
    if not by.memberships.filter(department=department).exists():
        raise PermissionDenied
    with transaction.atomic():
        ack = Acknowledgement.objects.select_for_update().filter(document=document, department=department).first()
        if ack is None:
            raise PermissionDenied
        if ack.at is not None:
            raise DocumentConflict(
                _("%(department)s has already acknowledged it.") % {"department": department.display_name}
            )
        ack.by, ack.at = by, timezone.now()
        ack.save(update_fields=["by", "at"])
    return ack


def document_archive(*, document: Document, by: User, retention_years: int = 10) -> Document:
    with transaction.atomic():
        document = _lock(document)
        _expect(document, Document.State.DISTRIBUTED)
        _manager(by, document.department)
        document.archive()
        document.retention_year = timezone.localdate().year + retention_years
        document.save()
    return document


def document_spec(document: Document) -> OfficialDocument:
    """What the layout renderer needs, from a document."""
    blocks = [Block("paragraph", part.strip()) for part in document.body.split("\n\n") if part.strip()]
    return OfficialDocument(
        organ=f"{settings.ORGANISATION_NAME}{document.department.name}文件",
        number=document.number.text if document.number_id else _("(number assigned at sign-off)"),
        title=document.title,
        recipients=document.recipients,
        body=blocks,
        issuer=f"{settings.ORGANISATION_NAME}{document.department.name}",
        issued_on=timezone.localdate(document.issued_at) if document.issued_at else timezone.localdate(),
        cc=document.cc,
        urgency=document.get_urgency_display() if document.urgency != "normal" else "",
        confidentiality=document.get_secrecy_display() if document.secrecy == "secret" else "",
    )


def document_render(*, document: Document) -> RenderJob:
    """Queue the rendering of the document's current version (once per version)."""
    job, _created = RenderJob.objects.get_or_create(document=document, version=document.version)
    if job.status == RenderJob.Status.FAILED:
        RenderJob.objects.filter(pk=job.pk).update(status=RenderJob.Status.QUEUED, error="")

    def enqueue():
        from documents.tasks import render_document

        try:
            render_document.apply_async(args=[job.pk], retry=False)
        except Exception:  # noqa: BLE001, S110 - the job stays queued; "render again" re-queues it
            pass

    transaction.on_commit(enqueue)
    return job


def render_job_run(job_id: int) -> str:
    """Claim a queued job, render and check the .docx, keep it; on failure the previous version stays."""
    claimed = RenderJob.objects.filter(pk=job_id, status=RenderJob.Status.QUEUED).update(
        status=RenderJob.Status.RENDERING, attempts=F("attempts") + 1
    )
    if claimed != 1:
        return "not claimed"
    job = RenderJob.objects.select_related("document__department", "document__number").get(pk=job_id)
    try:
        data = render(document_spec(job.document))
        problems = check(data)
        job.file.save(f"{job.document.pk}-v{job.version}.docx", ContentFile(data), save=False)
    except Exception as exc:  # noqa: BLE001 - recorded on the job, shown with a retry button
        RenderJob.objects.filter(pk=job.pk).update(
            status=RenderJob.Status.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
        raise
    RenderJob.objects.filter(pk=job.pk).update(
        status=RenderJob.Status.READY, file=job.file.name, problems=problems, finished_at=timezone.now()
    )
    return "ready"
