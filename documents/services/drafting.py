"""Drafting a document: create, edit, submit, withdraw; uploading templates."""

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from core.actions import log_action
from core.uploads import UploadRejected
from departments.models import User
from documents.models import Document, DocumentAction, DocumentKind, DocumentTemplate
from documents.services.common import DocumentError, _attach, _keep_version, _managers, _step, _tell
from documents.usertemplates import TemplateRejected, check_template_upload
from notifications.actors import step_actor

KEEP = object()  # document_edit: the period kept secret stays as it is


def checked_secrecy(secrecy: str, years: int | None) -> int | None:
    """The level must be one of the choices, and its 保密期限 within what the law allows for it
    (Document.LONGEST_TERM); an ordinary document has none."""
    if secrecy not in Document.Secrecy.values:
        raise DocumentError(_("Unknown level of confidentiality."))
    if secrecy not in Document.NAMED_ONLY:
        return None
    longest = Document.LONGEST_TERM[secrecy]
    if years is not None and not 1 <= years <= longest:
        raise DocumentError(
            _("A %(level)s document is kept secret for 1 to %(years)s years.")
            % {"level": Document.MARKS[secrecy], "years": longest}
        )
    return years


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
    secrecy_years: int | None = None,
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
    secrecy_years = checked_secrecy(secrecy, secrecy_years)
    with transaction.atomic():
        document = Document.objects.create(
            kind=kind,
            title=title.strip(),
            recipients=recipients.strip(),
            cc=cc.strip(),
            body=body,
            urgency=urgency,
            secrecy=secrecy,
            secrecy_years=secrecy_years,
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
    secrecy_years=KEEP,
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
        years = document.secrecy_years if secrecy_years is KEEP else secrecy_years
        document.secrecy_years = checked_secrecy(document.secrecy, years)
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
        s.log(DocumentAction.EDITED, data={"version": document.version})
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
                % {"who": step_actor(by), "title": document.title}
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


# Templates


def template_upload(*, by: User | None, name: str, kind: str, upload) -> DocumentTemplate:
    """Check an uploaded .docx template (type, size, content, macros, placeholders) and keep it."""
    try:
        data, placeholders = check_template_upload(upload)
    except (UploadRejected, TemplateRejected) as exc:
        raise DocumentError(str(exc)) from None
    template = DocumentTemplate(name=name.strip(), kind=kind, placeholders=placeholders, uploaded_by=by)
    template.file.save(upload.name.rsplit("/", 1)[-1], ContentFile(data), save=False)
    template.save()
    return template
