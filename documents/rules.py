"""Who may do what with an official document now. Views and templates ask `can`; the services
check the same conditions again under a row lock."""

from django.contrib.auth.models import Permission
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.request_cache import per_request
from departments.models import User
from departments.selectors import holders_acting_for, manager_acting_for, signer_acting_for
from documents.models import Acknowledgement, Document, Opinion

S = Document.State


def is_signer(user: User) -> bool:
    return signer_acting_for(user)[0]


@per_request
def is_classified_registry(user: User) -> bool:
    """The 机要 office reads every classified document: the "view_classified" permission given to
    the person or one of their groups. Asked of the grant itself, not `has_perm`, which says yes to
    every admin: being an admin does not name anyone for a classified document."""
    if not user.is_authenticated or not user.is_active:
        return False
    return Permission.objects.filter(
        Q(user=user) | Q(group__user=user), codename="view_classified", content_type__app_label="documents"
    ).exists()


def named_by_role(user: User, document: Document) -> bool:
    """Whether `user` is named for this classified document by what they do with it (not only
    because someone passed it to them), or is the 机要 office below 绝密: they may pass it on."""
    from documents.selectors import named_readers_condition

    return (is_classified_registry(user) and not document.strictest) or Document.objects.filter(
        named_readers_condition(user, passed=False), pk=document.pk
    ).exists()


def may_pass_on(user: User, document: Document) -> bool:
    """传阅: whoever is named for a classified document by role. A 绝密 one only the leader who
    signed it and, once distributed, the recipient departments' heads (or whoever acts for one
    today) pass on: the drafting side, the reviewers, the countersigners and the 机要 office
    read it without widening its circle."""
    if not document.strictest:
        return named_by_role(user, document)
    if document.signed_by_id == user.pk:
        return True
    return document.state == S.DISTRIBUTED and any(
        manager_acting_for(user, department)[0] for department in document.recipient_departments.all()
    )


def passed_only(user: User, document: Document) -> bool:
    """Whether `user` reads this classified document only because someone passed it to them."""
    return document.named_only and not named_by_role(user, document)


def may_take_files(user: User, document: Document) -> bool:
    """The .docx, its PDF, the processing sheet and the attachments: everyone who may see the
    document, except the people a 绝密 one was passed to, who read it on its page only. (Who may
    see it at all is asked first, by documents.selectors.visible_documents.)"""
    return not document.strictest or not passed_only(user, document)


def may_see_openings(user: User, document: Document) -> bool:
    """Who opened a classified document: the drafting department's managers (or whoever acts for
    one today), the 机要 office and admins."""
    return user.is_superuser or is_classified_registry(user) or manager_acting_for(user, document.department)[0]


def review_holder(user: User, department) -> tuple[bool, User | None]:
    """核稿: whether `user` may review the department's drafts, and for whom when by delegation: its
    managers and its named reviewers (核稿人), and whoever acts for one of them today."""
    managing, for_whom = manager_acting_for(user, department)
    if managing and for_whom is None:
        return True, None
    reviewers = list(department.document_reviewers.filter(pk__in=[user.pk, *holders_acting_for(user)], is_active=True))
    if any(reviewer.pk == user.pk for reviewer in reviewers):
        return True, None
    if managing:
        return True, for_whom
    return (True, reviewers[0]) if reviewers else (False, None)


def may_review(user: User, department) -> bool:
    return review_holder(user, department)[0]


def may_register_incoming(user: User) -> bool:
    """收文 is registered by the people an admin gives that right (typically the office), and admins."""
    return user.is_active and (user.is_superuser or user.has_perm("documents.add_incomingdocument"))


def may_countersign_for(user: User, document: Document, department) -> bool:
    """会签 for `department`: one of the document's countersigning departments that `user` manages
    (or acts today for one who does)."""
    return (
        document.countersign_departments.filter(pk=department.pk).exists() and manager_acting_for(user, department)[0]
    )


def countersign_departments_for(user: User, document: Document) -> list:
    """Countersign departments this user manages that have not countersigned the current version."""
    done = set(
        Opinion.objects.filter(
            document=document, stage=Opinion.Stage.COUNTERSIGN, version=document.version
        ).values_list("department_id", flat=True)
    )
    return [d for d in document.countersign_departments.all() if d.pk not in done and manager_acting_for(user, d)[0]]


def acknowledge_departments_for(user: User, document: Document) -> list:
    """签收: the recipient departments still to acknowledge that `user` may acknowledge for: any of
    their members for an ordinary document; for a classified one only their heads (or whoever
    acts for one today), not a member it was passed to, who reads it only."""
    pending = Acknowledgement.objects.filter(document=document, at__isnull=True).select_related("department")
    if document.named_only:
        return [a.department for a in pending if manager_acting_for(user, a.department)[0]]
    mine = set(user.memberships.values_list("department_id", flat=True))
    return [a.department for a in pending if a.department_id in mine]


def may_acknowledge_for(user: User, document: Document, department) -> bool:
    """Whether `user` may acknowledge `document` for `department` (acknowledge_departments_for)."""
    if document.named_only:
        return manager_acting_for(user, department)[0]
    return user.memberships.filter(department=department).exists()


ACKNOWLEDGE_CLASSIFIED = _(
    "Only the head of a recipient department (or whoever acts for them) acknowledges a classified "
    "document for the department; it was passed to you to read."
)


def refusal(user: User, action: str, document: Document) -> str:
    """Why `user` may not take `action` when a plain 403 would leave them guessing; "" otherwise."""
    if action == "acknowledge" and document.named_only and document.state == S.DISTRIBUTED:
        mine = set(user.memberships.values_list("department_id", flat=True))
        if Acknowledgement.objects.filter(document=document, at__isnull=True, department_id__in=mine).exists():
            return str(ACKNOWLEDGE_CLASSIFIED)
    return ""


# The state each opinion step needs, for telling a late click from a wrong person.
STEP_STATES = {"review": S.REVIEWING, "countersign": S.COUNTERSIGNING, "sign_off": S.PENDING_ISSUE}


def moved_on(user: User, action: str, document: Document) -> bool:
    """Whether `user` would have had this step had the document not moved on: a reviewer, a
    countersigning manager or a signer (or their delegate) who was simply slower than another."""
    if action not in STEP_STATES or document.state == STEP_STATES[action]:
        return False
    if action == "review":
        return may_review(user, document.department)
    if action == "countersign":
        return any(manager_acting_for(user, d)[0] for d in document.countersign_departments.all())
    return is_signer(user)


def can(user: User, action: str, document: Document) -> bool:
    drafter = document.drafter_id == user.pk
    state = document.state
    if action in ("edit", "submit"):
        return drafter and state == S.DRAFT
    if action == "withdraw":
        return drafter and state == S.REVIEWING
    if action == "review":
        return state == S.REVIEWING and may_review(user, document.department)
    if action == "countersign":
        return state == S.COUNTERSIGNING and bool(countersign_departments_for(user, document))
    if action == "sign_off":
        return state == S.PENDING_ISSUE and is_signer(user)
    if action == "distribute":
        return state == S.ISSUED and (drafter or manager_acting_for(user, document.department)[0])
    if action == "acknowledge":
        return state == S.DISTRIBUTED and bool(acknowledge_departments_for(user, document))
    if action == "remind":
        return state == S.DISTRIBUTED and (drafter or manager_acting_for(user, document.department)[0])
    if action == "archive":
        return state == S.DISTRIBUTED and manager_acting_for(user, document.department)[0]
    if action == "pass_to":
        return document.named_only and state != S.ARCHIVED and may_pass_on(user, document)
    if action == "render":
        return drafter or manager_acting_for(user, document.department)[0] or (state != S.DRAFT and is_signer(user))
    return False
