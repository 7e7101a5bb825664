"""Use cases of official documents: the workflow from draft to archive, rendering, and the
document-number register (文号): take a number at issue, reserve one (占号), issue a reserved one,
void one (退号) with a reason, and audit a register for gaps."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core import rendering
from core.actions import log_action
from core.uploads import UploadRejected, check_upload
from core.workflow import StepConflict, StepError, step
from departments.models import Department, User
from departments.selectors import manager_acting_for, signer_acting_for
from documents.models import (
    Acknowledgement,
    Document,
    DocumentAction,
    DocumentAttachment,
    DocumentKind,
    DocumentNumber,
    DocumentTemplate,
    DocumentVersion,
    IncomingDocument,
    IncomingRoute,
    NumberSequence,
    Opinion,
    format_number,
)
from documents.usertemplates import MAX_BYTES, TemplateRejected, inspect
from notifications.services import notify


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
        if Document.objects.filter(number=number).exists():
            raise NumberError(_("%(number)s belongs to an issued document.") % {"number": number.text})
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
# Each step goes through core.workflow.step: the row locked, the state checked, the rule of
# documents/rules.py asked.


class DocumentError(StepError):
    """A document action that cannot be done; the message is for the user."""


class DocumentConflict(DocumentError, StepConflict):
    """Someone already moved the document on."""


def _step(document: Document, by: User, state: str, rule):
    """A step on the document (core.workflow.step): its row locked, still in `state`, allowed by
    `rule` (an action of documents.rules.can, or a function of documents/rules.py)."""
    from documents import rules

    if isinstance(rule, str):
        action = rule

        def rule(user, locked):
            return rules.can(user, action, locked)

    return step(Document, document.pk, by=by, expect=[state], rule=rule, stale=conflict)


def conflict(document: Document) -> DocumentConflict:
    """The message for someone whose click came after another person moved the document on:
    who did it (the signer, for a sign-off) and where it is now."""
    state = Document.State(document.state).label
    last = document.opinions.select_related("author").order_by("-created_at", "-pk").first()
    if last is None:
        return DocumentConflict(_("This document was already handled; it is now “%(state)s”.") % {"state": state})
    if last.stage == Opinion.Stage.SIGN_OFF and last.decision == Opinion.Decision.AGREE:
        return DocumentConflict(
            _("This document was already signed off by %(who)s; it is now “%(state)s”.")
            % {"who": last.author.name, "state": state}
        )
    return DocumentConflict(
        _("This document was already handled by %(who)s; it is now “%(state)s”.")
        % {"who": last.author.name, "state": state}
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


def _people_and_delegates(people) -> list[User]:
    """Those concerned, plus whoever acts for each of them today."""
    from departments.selectors import delegate_for

    result = list(people)
    for person in list(result):
        delegate = delegate_for(person)
        if delegate is not None:
            result.append(delegate)
    return result


def _managers(department: Department) -> list[User]:
    from tasks.services import managers_of

    return _people_and_delegates(managers_of(department))


def _signers() -> list[User]:
    return _people_and_delegates(User.objects.filter(can_sign_off=True, is_active=True).order_by("username"))


def _tell(document: Document, people, *, actor: User | None, event: str, message) -> None:
    """Notify `people` about this document (in-app, and e-mail/robots by their preferences)."""
    notify(
        people,
        path=reverse("documents:detail", args=[document.pk]),
        actor=actor,
        kind=f"document.{event}",
        message=message,
    )


def _keep_version(document: Document, by: User) -> DocumentVersion:
    return DocumentVersion.objects.create(
        document=document,
        number=document.version,
        title=document.title,
        recipients=document.recipients,
        cc=document.cc,
        body=document.body,
        saved_by=by,
    )


def _attach(document: Document, by: User, uploads) -> None:
    """Keep the files that go with a draft; a file of a refused type or size refuses the save."""
    from tasks.services import storage_failed

    for upload in uploads:
        try:
            check_upload(upload)
        except UploadRejected as exc:
            raise DocumentError(str(exc)) from None
        try:
            DocumentAttachment.objects.create(
                document=document, file=upload, name=upload.name[:200], size=upload.size, uploaded_by=by
            )
        except OSError as exc:
            raise DocumentError(storage_failed(exc)) from None


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
    template=None,
    attachments=(),
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
            template=template,
        )
        document.countersign_departments.set([d for d in countersign_departments if d.pk != department.pk])
        document.recipient_departments.set(recipient_departments)
        _keep_version(document, by)
        _attach(document, by, attachments)
        log_action(document, actor=by, action=DocumentAction.DRAFTED)
    return document


def document_edit(
    *,
    document: Document,
    by: User,
    title: str,
    kind: str | None = None,
    recipients: str,
    body: str,
    cc: str = "",
    urgency: str | None = None,
    secrecy: str | None = None,
    countersign_departments=None,
    recipient_departments=None,
    template=None,
    attachments=(),
) -> Document:
    """Only the drafter edits, and only a draft. A change of the text is a new version (留痕)."""
    with _step(document, by, Document.State.DRAFT, "edit") as s:
        document = s.row
        text = (title.strip(), recipients.strip(), body, cc.strip())
        changed = text != (document.title, document.recipients, document.body, document.cc)
        document.title, document.recipients, document.body, document.cc = text
        if kind is not None and kind not in DocumentKind.values:
            raise DocumentError(_("Unknown document kind."))
        document.kind = kind or document.kind
        document.urgency = urgency or document.urgency
        document.secrecy = secrecy or document.secrecy
        document.template = template
        if changed:
            document.version += 1
        document.save()
        if countersign_departments is not None:
            document.countersign_departments.set([d for d in countersign_departments if d.pk != document.department_id])
        if recipient_departments is not None:
            document.recipient_departments.set(recipient_departments)
        if changed:
            _keep_version(document, by)
        _attach(document, by, attachments)
        log_action(
            document,
            actor=by,
            action=DocumentAction.EDITED,
            from_state=document.state,
            data={"version": document.version},
        )
    return document


def document_submit(*, document: Document, by: User) -> Document:
    with _step(document, by, Document.State.DRAFT, "submit") as s:
        document = s.row
        document.submit()
        s.save(DocumentAction.SUBMITTED)
        _tell(
            document,
            _managers(document.department) + list(document.department.document_reviewers.filter(is_active=True)),
            actor=by,
            event="review",
            message=lambda: (
                _("%(who)s asks you to review the draft “%(title)s” (核稿).")
                % {"who": by.name, "title": document.title}
            ),
        )
    return document


def document_withdraw(*, document: Document, by: User) -> Document:
    """撤回: the drafter takes the document back before it is reviewed."""
    with _step(document, by, Document.State.REVIEWING, "withdraw") as s:
        document = s.row
        document.withdraw()
        s.save(DocumentAction.WITHDRAWN)
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


def _send_back(document: Document, by: User, text: str) -> None:
    if not text.strip():
        raise DocumentError(_("Say why the document goes back to the drafter."))
    document.send_back()
    document.returned_version = document.version
    _tell(
        document,
        [document.drafter],
        actor=by,
        event="returned",
        message=lambda: (
            _("%(who)s returned “%(title)s”: %(reason)s")
            % {"who": by.name, "title": document.title, "reason": text.strip()}
        ),
    )


def _to_sign_off(document: Document, by: User) -> None:
    """Ready for a leader: render the draft at once so its layout check waits on the sign-off page."""
    document.to_sign_off()
    from documents.docx import file_version

    rendering.request_file(document, "document", version=file_version(document))
    _tell(
        document,
        _signers(),
        actor=by,
        event="sign_off",
        message=lambda: (
            _("“%(title)s” from %(department)s waits for your sign-off (签发).")
            % {"title": document.title, "department": document.department.display_name}
        ),
    )


def document_review(*, document: Document, by: User, agree: bool, text: str = "") -> Document:
    """核稿 by the drafting department's manager: pass on, or return to the drafter."""
    with _step(document, by, Document.State.REVIEWING, "review") as s:
        document = s.row
        if document.department.document_reviewers.filter(pk=by.pk).exists():
            acting_for = None  # a named reviewer (核稿人) reviews in their own right
        else:
            acting_for = _manager(by, document.department)
        if agree:
            departments = list(document.countersign_departments.all())
            if departments:
                document.to_countersign()
                _tell(
                    document,
                    [m for d in departments for m in _managers(d)],
                    actor=by,
                    event="countersign",
                    message=lambda: (
                        _("“%(title)s” from %(department)s waits for your department's countersign (会签).")
                        % {"title": document.title, "department": document.department.display_name}
                    ),
                )
            else:
                _to_sign_off(document, by)
        else:
            _send_back(document, by, text)
        s.save(DocumentAction.REVIEWED if agree else DocumentAction.RETURNED, acting_for=acting_for, comment=text)
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
    from documents.rules import may_countersign_for

    def rule(user: User, locked: Document) -> bool:
        return may_countersign_for(user, locked, department)

    with _step(document, by, Document.State.COUNTERSIGNING, rule) as s:
        document = s.row
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
                _to_sign_off(document, by)
        else:
            _send_back(document, by, text)
            _opinion(document, Opinion.Stage.COUNTERSIGN, department, by, acting_for, Opinion.Decision.DISAGREE, text)
        s.save(
            DocumentAction.COUNTERSIGNED if agree else DocumentAction.RETURNED,
            acting_for=acting_for,
            comment=text,
            data={"department": department.pk},
        )
    return document


def reserved_numbers_for(document: Document):
    """Numbers reserved (占号) in the register this document would take its number from."""
    return DocumentNumber.objects.filter(
        status=DocumentNumber.Status.RESERVED,
        sequence__kind=document.kind,
        sequence__prefix=prefix_of(document.department),
        sequence__year=timezone.localdate().year,
    ).order_by("number")


def document_sign_off(
    *, document: Document, by: User, agree: bool = True, text: str = "", reserved: DocumentNumber | None = None
) -> Document:
    """签发 by a leader with sign-off right (or their delegate): the number is taken now (or a
    number reserved for it is used) and the final .docx rendered; or the leader returns the draft."""
    with _step(document, by, Document.State.PENDING_ISSUE, "sign_off") as s:
        document = s.row
        acting_for = signer_acting_for(by)[1]
        if agree and reserved is not None:
            if not reserved_numbers_for(document).filter(pk=reserved.pk).exists():
                raise DocumentError(_("%(number)s is not reserved in this register.") % {"number": reserved.text})
            document.number = number_issue_reserved(number=reserved, by=by, subject=document.title)
        elif agree:
            document.number = number_take(
                kind=document.kind, prefix=prefix_of(document.department), by=by, subject=document.title
            )
        if agree:
            document.signed_by = acting_for or by
            document.issue()
        else:
            _send_back(document, by, text)
        s.save(
            DocumentAction.ISSUED if agree else DocumentAction.RETURNED,
            acting_for=acting_for,
            comment=text,
            data={"number": document.number.text} if agree else None,
        )
        signer = acting_for or by  # the opinion is the signing leader's, in their own department
        _opinion(
            document,
            Opinion.Stage.SIGN_OFF,
            signer.primary_department or document.department,
            by,
            acting_for,
            Opinion.Decision.AGREE if agree else Opinion.Decision.RETURN,
            text,
        )
        if agree:
            from documents.docx import file_version

            rendering.request_file(document, "document", version=file_version(document))
            _tell(
                document,
                [document.drafter],
                actor=by,
                event="issued",
                message=lambda: (
                    _("“%(title)s” was signed off as %(number)s; distribute it now.")
                    % {"title": document.title, "number": document.number.text}
                ),
            )
    return document


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
    """签收 by a member of a recipient department."""
    if not by.memberships.filter(department=department).exists():
        raise PermissionDenied
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
        log_action(ack.document, actor=by, action=DocumentAction.ACKNOWLEDGED, data={"department": department.pk})
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
    distributed to them a working day ago or more."""
    from departments.selectors import working_calendar

    now = now or timezone.now()
    calendar = working_calendar()
    if not calendar.is_working_moment(now):
        return 0
    cutoff = calendar.subtract_working_hours(now, calendar.hours_per_day)
    reminded = 0
    documents = Document.objects.filter(
        state=Document.State.DISTRIBUTED, acknowledgements__at__isnull=True, issued_at__lte=cutoff
    ).distinct()
    for document in documents.select_related("number"):
        with transaction.atomic():
            pending = list(
                document.acknowledgements.select_for_update()
                .filter(at__isnull=True)
                .exclude(reminded_at__gt=cutoff)
                .select_related("department")
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


# Received documents (收文)


def incoming_type(department: Department):
    """The request type a department handles received documents with, made on first use; admins
    may then change its deadlines, assignment and approval chain like any other type."""
    from tasks.models import RequestType

    request_type, _created = RequestType.objects.get_or_create(
        code=f"incoming-{department.code}"[:40],
        defaults={
            "department": department,
            "name": "收文办理",
            "name_en": "Handle a received document",
            "purpose": "办理外单位来文：阅知、落实并回复。",
            "purpose_en": "Handle a document received from outside: read it, act on it, answer it.",
            "accept_sla_hours": 4,
            "finish_sla_hours": 24,
            "is_active": True,
        },
    )
    return request_type


def incoming_register(
    *,
    by: User,
    title: str,
    source: str,
    file,
    departments,
    their_number: str = "",
    dated=None,
    received_on=None,
    urgency: str = Document.Urgency.NORMAL,
    summary: str = "",
) -> IncomingDocument:
    """Register a received document and route it: each department gets a request to handle it,
    in its inbox like any other. All of it is saved, or none of it."""
    from documents.rules import may_register_incoming
    from tasks.services import TaskError, storage_failed, task_create

    if not may_register_incoming(by):
        raise PermissionDenied
    departments = list(departments)
    if not departments:
        raise DocumentError(_("Choose at least one department to handle it."))
    try:
        check_upload(file)
    except UploadRejected as exc:
        raise DocumentError(str(exc)) from None
    priority = {"urgent": 3, "extra_urgent": 4}.get(urgency)
    with transaction.atomic():
        try:
            incoming = IncomingDocument.objects.create(
                title=title.strip(),
                source=source.strip(),
                their_number=their_number.strip(),
                dated=dated,
                received_on=received_on or timezone.localdate(),
                urgency=urgency,
                summary=summary,
                file=file,
                registered_by=by,
            )
        except OSError as exc:
            raise DocumentError(storage_failed(exc)) from None
        path = reverse("documents:incoming_detail", args=[incoming.pk])
        for department in departments:
            description = "\n".join(
                line
                for line in (
                    f"{_('From')}: {incoming.source}" + (f" {incoming.their_number}" if incoming.their_number else ""),
                    incoming.summary,
                    f"{_('Received document')}: {path}",
                )
                if line
            )
            try:
                task = task_create(
                    by=by,
                    request_type=incoming_type(department),
                    title=f"【收文】{incoming.title}"[:200],
                    description=description,
                    priority=priority,
                    submit=True,
                )
            except TaskError as exc:
                raise DocumentError(str(exc)) from None
            IncomingRoute.objects.create(incoming=incoming, department=department, task=task)
    return incoming


# Templates


def template_upload(*, by: User | None, name: str, kind: str, upload) -> DocumentTemplate:
    """Check an uploaded .docx template (type, size, content, macros, placeholders) and keep it."""
    try:
        check_upload(upload, extensions=["docx"], max_bytes=MAX_BYTES)
    except UploadRejected as exc:
        raise DocumentError(str(exc)) from None
    data = upload.read()
    try:
        placeholders = inspect(upload.name, data)
    except TemplateRejected as exc:
        raise DocumentError(str(exc)) from None
    template = DocumentTemplate(name=name.strip(), kind=kind, placeholders=placeholders, uploaded_by=by)
    template.file.save(upload.name.rsplit("/", 1)[-1], ContentFile(data), save=False)
    template.save()
    return template
