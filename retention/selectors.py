"""Read queries of the legal hold pages: what is under hold that a person may see, and one item's
hold history (from the action log, where every placing and lifting is written)."""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, OuterRef, Subquery

from core.actions import actions_of
from core.legal_hold import LegalHoldAction
from core.models import ActionLog
from departments.models import User
from documents.models import Document
from documents.selectors import visible_documents
from tasks.models import Task


@dataclass
class Held:
    """One item under legal hold, as the list of holds shows it."""

    kind: str  # "request" or "document"
    reference: str
    title: str
    url: str
    reason: str
    placed_by: User | None
    placed_at: datetime | None


def _placed(model: type[Model]):
    """The latest placing of the hold on the outer row (its log entry: who and when)."""
    return ActionLog.objects.filter(
        content_type=ContentType.objects.get_for_model(model), object_id=OuterRef("pk"), action=LegalHoldAction.PLACED
    ).order_by("-created_at", "-pk")


def _with_placing(rows, model: type[Model]):
    placed = _placed(model)
    return rows.annotate(
        placed_at=Subquery(placed.values("created_at")[:1]), placed_by_id=Subquery(placed.values("actor_id")[:1])
    )


def holds_visible_to(user: User) -> list[Held]:
    """Every request and official document under legal hold that `user` may see (a confidential
    request or a classified document only when they may see it), latest placing first. Three
    queries whatever the number of rows: requests, documents, the people who placed the holds."""
    tasks = _with_placing(
        Task.objects.visible_to(user)
        .filter(legal_hold=True)
        .only("pk", "number", "title", "state", "legal_hold_reason"),
        Task,
    )
    documents = _with_placing(
        visible_documents(user)
        .filter(legal_hold=True)
        .select_related(None)
        .select_related("number")
        .only("pk", "title", "state", "legal_hold_reason", "number__text"),
        Document,
    )
    found = [
        *(("request", t, t.number, t.title) for t in tasks),
        *(("document", d, d.number.text if d.number_id else f"#{d.pk}", d.title) for d in documents),
    ]
    people = User.objects.in_bulk({row.placed_by_id for _kind, row, *_ in found if row.placed_by_id})
    held = [
        Held(
            kind=kind,
            reference=reference,
            title=title,
            url=row.get_absolute_url(),
            reason=row.legal_hold_reason,
            placed_by=people.get(row.placed_by_id),
            placed_at=row.placed_at,
        )
        for kind, row, reference, title in found
    ]
    held.sort(key=lambda h: (h.placed_at is not None, h.placed_at), reverse=True)
    return held


def hold_history(item: Model):
    """The placings and liftings of the hold on `item`, latest first, with who (one query)."""
    return actions_of(item).filter(action__in=LegalHoldAction.values).order_by("-created_at", "-pk")
