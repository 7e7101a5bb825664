"""Classified documents (秘密 and above): passing one to named readers (传阅), and the log of who
opened it. Who is named is documents.selectors.named_readers_condition; who may pass, rules."""

from django.utils.translation import gettext as _

from core.workflow import step
from departments.models import User
from documents.models import Document, DocumentAction, DocumentOpening, DocumentReader
from documents.rules import can
from documents.services.common import DocumentError, _tell, conflict

OPEN = [state for state in Document.State.values if state != Document.State.ARCHIVED]


def document_pass_to(*, document: Document, by: User, people) -> list[DocumentReader]:
    """A person named for a classified document names colleagues who may then read it. Logged on
    the document's timeline with the names; each new reader is told (without the title)."""
    if not document.named_only:
        raise DocumentError(_("Only a classified document is passed to named readers."))
    people = [p for p in people if p.pk != by.pk]
    if not people:
        raise DocumentError(_("Choose at least one colleague to pass it to."))
    if any(not p.is_active for p in people):
        raise DocumentError(_("Only active people can be named as readers."))
    # Passing on is not a step of the workflow: any state but archived, whatever moved meanwhile.
    with step(
        Document,
        document.pk,
        by=by,
        expect=OPEN,
        rule=lambda user, locked: can(user, "pass_to", locked),
        stale=conflict,
    ) as s:
        document = s.row
        already = set(DocumentReader.objects.filter(document=document).values_list("user_id", flat=True))
        new = [p for p in people if p.pk not in already]
        if not new:
            raise DocumentError(_("They may already read it."))
        readers = DocumentReader.objects.bulk_create(
            [DocumentReader(document=document, user=p, passed_by=by) for p in new]
        )
        s.log(
            DocumentAction.PASSED,
            comment=", ".join(p.name for p in new),
            data={"readers": [p.pk for p in new]},
        )
        _tell(document, new, actor=by, event="passed", message="")
    return readers


def document_opened(*, document: Document, by: User, what: str, detail: str = "") -> None:
    """Log one opening of a classified document (its page, a download, a comparison, the API);
    ordinary documents are not logged. One INSERT."""
    if document.named_only:
        DocumentOpening.objects.create(document=document, user=by, what=what, detail=detail[:200])
