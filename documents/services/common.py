"""Errors, the step wrapper, who is told, versions and attachments: what every use case shares."""

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext as _

from core.previews import request_pdf
from core.uploads import UploadRejected, check_upload
from core.workflow import StepConflict, StepError, StepForbidden, step
from departments.models import Department, User
from departments.selectors import manager_acting_for
from documents.models import Document, DocumentAttachment, DocumentVersion, Opinion
from notifications.services import notify

# The document workflow (DESIGN §4): draft → review → countersign → sign-off → issue → distribute → archive.
# Each step goes through core.workflow.step: the row locked, the state checked, the rule of
# documents/rules.py asked.


class DocumentError(StepError):
    """A document action that cannot be done; the message is for the user."""


class DocumentConflict(DocumentError, StepConflict):
    """Someone already moved the document on."""


class DocumentForbidden(DocumentError, StepForbidden):
    """This person may not take this step; the message says why (a 403 where it is not shown)."""


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
        message = _("This document was already signed off by %(who)s; it is now “%(state)s”.")
    else:
        message = _("This document was already handled by %(who)s; it is now “%(state)s”.")
    return DocumentConflict(message % {"who": last.author.name, "state": state})


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


def classified_message(document: Document, event: str) -> str:
    """What a notice says of a classified document (秘密 and above): its number or id and what
    happened, never its title. Notices travel by e-mail and IM, outside the portal's own rule of
    who may read it; the title waits behind the link, where that rule decides."""
    words = {
        "review": _("waits for your review (核稿)"),
        "returned": _("was returned to the drafter"),
        "sign_off": _("waits for your sign-off (签发)"),
        "countersign": _("waits for your department's countersign (会签)"),
        "issued": _("was signed off and issued"),
        "distributed": _("was issued to your department; please acknowledge it (签收)"),
        "acknowledge": _("still waits for your department to acknowledge it"),
        "passed": _("was passed to you to read"),
        "handed_over": _("was handed over to you"),
    }
    reference = document.number.text if document.number_id else f"#{document.pk}"
    return _("Classified document %(reference)s %(what)s. Its title is shown in the portal only.") % {
        "reference": reference,
        "what": words.get(event, _("has news for you")),
    }


def _tell(document: Document, people, *, actor: User | None, event: str, message) -> None:
    """Notify `people` about this document (in-app, and e-mail/robots by their preferences); a
    notice asking for a step carries its decision links (documents/decide.py). A classified
    document's notice names no title (classified_message)."""
    from documents.decide import LINKS

    if document.named_only:

        def message():
            return classified_message(document, event)

    notify(
        people,
        path=reverse("documents:detail", args=[document.pk]),
        actor=actor,
        kind=f"document.{event}",
        message=message,
        target=document,
        decide=LINKS.get(event, ()),
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
            attachment = DocumentAttachment.objects.create(
                document=document, file=upload, name=upload.name[:200], size=upload.size, uploaded_by=by
            )
        except OSError as exc:
            raise DocumentError(storage_failed(exc)) from None
        request_pdf(attachment, DocumentAttachment.PDF_KIND, attachment.name)  # made after the commit
