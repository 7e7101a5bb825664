"""Review, countersigning and sign-off."""

from django.utils.translation import gettext as _

from core import rendering
from departments.models import Department, User
from departments.selectors import signer_acting_for
from documents.models import Document, DocumentAction, DocumentNumber, Opinion
from documents.rules import review_holder
from documents.services.common import (
    DocumentConflict,
    DocumentError,
    _manager,
    _managers,
    _signers,
    _step,
    _tell,
    prefix_of,
)
from documents.services.numbers import number_issue_reserved, number_take, reserved_numbers_for
from notifications.actors import step_actor


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


def _send_back(document: Document, by: User, text: str, acting_for: User | None) -> None:
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
            % {"who": step_actor(by, acting_for), "title": document.title, "reason": text.strip()}
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
        # The rule let `by` review as a manager or a named reviewer (核稿人), or for one of them.
        acting_for = review_holder(by, document.department)[1]
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
            _send_back(document, by, text, acting_for)
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
            _send_back(document, by, text, acting_for)
            _opinion(document, Opinion.Stage.COUNTERSIGN, department, by, acting_for, Opinion.Decision.DISAGREE, text)
        s.save(
            DocumentAction.COUNTERSIGNED if agree else DocumentAction.RETURNED,
            acting_for=acting_for,
            comment=text,
            data={"department": department.pk},
        )
    return document


def document_sign_off(
    *, document: Document, by: User, agree: bool = True, text: str = "", reserved: DocumentNumber | None = None
) -> Document:
    """签发 by a leader with sign-off right (or their delegate): the number is taken now (or a
    number reserved for it is used) and the final .docx rendered; or the leader returns the draft."""
    with _step(document, by, Document.State.PENDING_ISSUE, "sign_off") as s:
        document = s.row
        acting_for = signer_acting_for(by)[1]
        # The number register (and its admin pages) is read by people not named for a classified
        # document: it records the document's id there, not its title.
        subject = f"#{document.pk}（{Document.MARKS[document.secrecy]}）" if document.named_only else document.title
        if agree and reserved is not None:
            if not reserved_numbers_for(document).filter(pk=reserved.pk).exists():
                raise DocumentError(_("%(number)s is not reserved in this register.") % {"number": reserved.text})
            document.number = number_issue_reserved(number=reserved, by=by, subject=subject)
        elif agree:
            document.number = number_take(
                kind=document.kind, prefix=prefix_of(document.department), by=by, subject=subject
            )
        if agree:
            document.signed_by = acting_for or by
            document.issue()
        else:
            _send_back(document, by, text, acting_for)
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
                    _("%(who)s signed off “%(title)s” as %(number)s; distribute it now.")
                    % {"who": step_actor(by, acting_for), "title": document.title, "number": document.number.text}
                ),
            )
    return document
