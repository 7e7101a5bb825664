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
