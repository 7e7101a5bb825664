"""Read queries for document pages: who sees a document, and what waits on whom."""

from collections.abc import Callable

from django.conf import settings
from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils.module_loading import import_string

from departments.models import Department, User
from documents.models import Acknowledgement, Document, IncomingDocument, Opinion
from documents.rules import is_signer, may_register_incoming
from tasks.selectors import acting_manager_department_ids, department_ids


def visible_documents(user: User) -> QuerySet[Document]:
    """The drafter, members of the drafting, countersigning and recipient departments, leaders with
    sign-off right (once it waits for sign-off or later), and admins."""
    documents = Document.objects.select_related("department", "drafter", "number")
    if user.is_superuser:
        return documents
    return documents.filter(_visible(is_signer(user), user=user.pk, mine=department_ids(user)))


def _visible(signer: bool, *, user: int, mine: list[int]) -> Q:
    condition = (
        Q(drafter_id=user)
        | Q(department_id__in=mine)
        | Exists(
            Department.document_reviewers.through.objects.filter(department_id=OuterRef("department_id"), user_id=user)
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
    unacknowledged = Acknowledgement.objects.filter(
        document_id=OuterRef("pk"), at__isnull=True, department_id__in=department_ids(user)
    )
    signer = is_signer(user)
    condition = (
        Q(state=Document.State.REVIEWING, department__in=managed)
        | Q(state=Document.State.REVIEWING, department__document_reviewers=user)
        | Q(Exists(pending_countersign), ~Exists(countersigned), state=Document.State.COUNTERSIGNING)
        | Q(Exists(unacknowledged), state=Document.State.DISTRIBUTED)
    )
    if signer:
        condition |= Q(state=Document.State.PENDING_ISSUE)
    return Document.objects.filter(condition).select_related("department", "drafter", "number")


def visible_incoming(user: User) -> QuerySet[IncomingDocument]:
    """Received documents: whoever may register them, and the departments they were routed to."""
    qs = IncomingDocument.objects.select_related("registered_by")
    if may_register_incoming(user):
        return qs
    return qs.filter(Q(registered_by=user) | Q(routes__department__in=department_ids(user))).distinct()


def register(user: User, *, number="", title="", kind="", department=None, since=None, until=None, text=""):
    """The register (登记簿) of documents this person may see, filtered; the text is matched with
    PostgreSQL full-text search where the search index has the document, else by substring."""
    lookups = {
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
