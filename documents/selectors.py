"""Read queries for document pages: who sees a document, and what waits on whom."""

from collections.abc import Callable

from django.conf import settings
from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils.module_loading import import_string

from departments.models import Department, User
from departments.selectors import holders_acting_for
from documents.models import Acknowledgement, Document, DocumentReader, IncomingDocument, Opinion
from documents.rules import is_classified_registry, is_signer, may_register_incoming
from tasks.selectors import acting_manager_department_ids, department_ids


def visible_documents(user: User) -> QuerySet[Document]:
    """The drafter, members of the drafting, countersigning and recipient departments, leaders with
    sign-off right (once it waits for sign-off or later), and admins. A classified document (秘密
    and above) only to the people named for it (named_readers_condition) and the 机要 office;
    admins are not named by being admins. Every list, page, download, search and report reads this."""
    documents = Document.objects.select_related("department", "drafter", "number")
    if not user.is_authenticated or not user.is_active:
        return documents.none()
    if user.is_superuser:
        return documents.filter(_classified_filter(user))
    everyone = _visible(is_signer(user), user=user.pk, mine=department_ids(user), acting_for=holders_acting_for(user))
    classified = Q(secrecy__in=Document.NAMED_ONLY)
    # A named person need not be in any department the ordinary rule lets in (a colleague of the
    # signer a document was passed to), hence the OR rather than a narrowing AND.
    return documents.filter((everyone & ~classified) | (classified & classified_readers_condition(user)))


def _classified_filter(user: User) -> Q:
    """Ordinary documents, and the classified ones `user` may read."""
    return ~Q(secrecy__in=Document.NAMED_ONLY) | classified_readers_condition(user)


def classified_readers_condition(user: User) -> Q:
    """Which classified documents `user` may read: those they are named for, and, for the 机要
    office, every one below 绝密 (a 绝密 document only when they are named for it too)."""
    condition = named_readers_condition(user)
    if is_classified_registry(user):
        condition |= ~Q(secrecy__in=Document.STRICTEST)
    return condition


def named_readers_condition(user: User, *, passed: bool = True) -> Q:
    """Who is named for a classified document: its drafter; the managers of the drafting
    department (head, deputies, members with the manager role, and whoever acts for one today);
    the department's reviewers (核稿人); anyone who gave an opinion on it; the managers of the
    countersigning departments; the leaders with sign-off right while it waits for sign-off, and
    the one who signed it; the managers of the recipient departments once it is distributed; and,
    with `passed`, the people one of those passed it to (DocumentReader)."""
    managed = acting_manager_department_ids(user)
    condition = (
        Q(drafter_id=user.pk)
        | Q(signed_by_id=user.pk)
        | Q(department_id__in=managed)
        | Exists(
            Department.document_reviewers.through.objects.filter(
                department_id=OuterRef("department_id"), user_id=user.pk
            )
        )
        | Exists(Opinion.objects.filter(Q(author_id=user.pk) | Q(acting_for_id=user.pk), document_id=OuterRef("pk")))
        | Exists(
            Document.countersign_departments.through.objects.filter(
                document_id=OuterRef("pk"), department_id__in=managed
            )
        )
        | Q(
            Exists(
                Document.recipient_departments.through.objects.filter(
                    document_id=OuterRef("pk"), department_id__in=managed
                )
            ),
            state__in=[Document.State.DISTRIBUTED, Document.State.ARCHIVED],
        )
    )
    if is_signer(user):
        condition |= Q(state=Document.State.PENDING_ISSUE)
    if passed:
        condition |= Exists(DocumentReader.objects.filter(document_id=OuterRef("pk"), user_id=user.pk))
    return condition


def _visible(signer: bool, *, user: int, mine: list[int], acting_for: frozenset[int] = frozenset()) -> Q:
    condition = (
        Q(drafter_id=user)
        | Q(department_id__in=mine)
        | Exists(
            Department.document_reviewers.through.objects.filter(
                department_id=OuterRef("department_id"), user_id__in=[user, *acting_for]
            )
        )
        | Exists(
            Document.countersign_departments.through.objects.filter(document_id=OuterRef("pk"), department_id__in=mine)
        )
        | Q(
            Exists(
                Document.recipient_departments.through.objects.filter(
                    document_id=OuterRef("pk"), department_id__in=mine
                )
            ),
            state__in=[Document.State.DISTRIBUTED, Document.State.ARCHIVED],
        )
    )
    if signer:
        condition |= ~Q(state__in=[Document.State.DRAFT, Document.State.REVIEWING, Document.State.COUNTERSIGNING])
    return condition


LIST_LIMIT = 200


def waiting_on(user: User) -> QuerySet[Document]:
    """Documents that wait for this person's step: review, countersign, sign-off or acknowledgement."""
    managed = acting_manager_department_ids(user)
    countersigned = Opinion.objects.filter(
        document_id=OuterRef("pk"),
        stage=Opinion.Stage.COUNTERSIGN,
        version=OuterRef("version"),
        department_id__in=managed,
    )
    pending_countersign = Document.countersign_departments.through.objects.filter(
        document_id=OuterRef("pk"), department_id__in=managed
    )
    unacknowledged = Acknowledgement.objects.filter(document_id=OuterRef("pk"), at__isnull=True)
    classified = Q(secrecy__in=Document.NAMED_ONLY)
    # 签收: an ordinary document by any member of the department; a classified one by its head
    # (or whoever acts for one today) only (documents.rules.acknowledge_departments_for).
    to_acknowledge = Q(Exists(unacknowledged.filter(department_id__in=department_ids(user))), ~classified) | Q(
        Exists(unacknowledged.filter(department_id__in=managed)), classified
    )
    signer = is_signer(user)
    condition = (
        Q(state=Document.State.REVIEWING, department__in=managed)
        # A named reviewer's, or that of a reviewer the user acts for today (the page says for whom).
        | Q(
            state=Document.State.REVIEWING,
            department__in=Department.document_reviewers.through.objects.filter(
                user_id__in=[user.pk, *holders_acting_for(user)]
            ).values("department_id"),
        )
        | Q(Exists(pending_countersign), ~Exists(countersigned), state=Document.State.COUNTERSIGNING)
        | Q(to_acknowledge, state=Document.State.DISTRIBUTED)
    )
    if signer:
        condition |= Q(state=Document.State.PENDING_ISSUE)
    return Document.objects.filter(condition, _classified_filter(user)).select_related(
        "department", "drafter", "number"
    )


def visible_incoming(user: User) -> QuerySet[IncomingDocument]:
    """Received documents: whoever may register them, and the departments they were routed to. A
    classified one (秘密 and above): of those departments only their managers and the people handling its
    request, as its confidential request is seen."""
    qs = IncomingDocument.objects.select_related("registered_by")
    if may_register_incoming(user):
        return qs
    ordinary = ~Q(secrecy__in=Document.NAMED_ONLY) & Q(routes__department__in=department_ids(user))
    named = Q(secrecy__in=Document.NAMED_ONLY) & (
        Q(routes__department__in=acting_manager_department_ids(user)) | Q(routes__task__assignee_id=user.pk)
    )
    return qs.filter(Q(registered_by=user) | ordinary | named).distinct()


def register(user: User, *, number="", title="", kind="", secrecy="", department=None, since=None, until=None, text=""):
    """The register (登记簿) of documents this person may see, filtered; the text is matched with
    PostgreSQL full-text search where the search index has the document, else by substring. The
    level is one of Document.Secrecy or "classified" (秘密 and above)."""
    lookups = {
        "secrecy__in": Document.NAMED_ONLY if secrecy == "classified" else [secrecy] if secrecy else None,
        "number__text__icontains": number,
        "title__icontains": title,
        "kind": kind,
        "department": department,
        "created_at__date__gte": since,
        "created_at__date__lte": until,
    }
    qs = visible_documents(user).filter(**{lookup: value for lookup, value in lookups.items() if value})
    if text:
        return _text_match(user, qs, text)
    return qs.order_by("-created_at")


def ranked_search() -> Callable[[User, str], QuerySet] | None:
    """The ranked full-text search of documents (Chinese as character n-grams), named by the
    DOCUMENT_TEXT_SEARCH setting: the search index belongs to the reports app, above this one, so
    the settings name it rather than this app importing it. It takes (user, text) and gives index
    rows with `object_id` and `rank`, best first. None when the setting is empty."""
    path = getattr(settings, "DOCUMENT_TEXT_SEARCH", "")
    return import_string(path) if path else None


def _text_match(user: User, qs: QuerySet[Document], text: str) -> QuerySet[Document]:
    """PostgreSQL: the search index's full-text match, best first. Elsewhere (or without the
    index): a substring of the title, recipients or body."""
    search = ranked_search() if connection.vendor == "postgresql" else None
    if search is None:
        condition = Q(title__icontains=text) | Q(body__icontains=text) | Q(recipients__icontains=text)
        return qs.filter(condition).order_by("-created_at")
    hits = search(user, text)
    return (
        qs.filter(pk__in=hits.values("object_id"))
        .annotate(rank=Subquery(hits.filter(object_id=OuterRef("pk")).values("rank")[:1]))
        .order_by("-rank", "-created_at")
    )
