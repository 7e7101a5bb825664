"""Global search: requests, documents, people and teams, ranked.

Chinese has no spaces, so text is tokenised here before it reaches PostgreSQL: every CJK
character and every pair of neighbouring CJK characters becomes a token, Latin words and
numbers are lowercased; the tokens go into the 'simple' configuration (no stemming), for
the stored vector and for the query alike. On SQLite a plain icontains match stands in.
Results respect visibility, filtered inside the database by each app's selector, one query per kind.
"""

import re
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import F, FloatField, Max, Q, QuerySet, Value

from core.lookups import AnyOfList
from reports.models import SearchEntry

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
TOKEN = re.compile(f"[{CJK}]+|[a-z0-9]+")
MAX_QUERY_TOKENS = 20
# How many of each kind's newest primary keys a search ranks first (see _kind_hits).
RECENT_WINDOW = 20_000
# At most how many visible requests' keys the ranking of older matches is given as a list (see
# _visible_keys); beyond it, the visibility rule stays a subquery.
VISIBLE_LIST_LIMIT = 20_000
# The same in the recent window, where a semi-join from the window's requests is cheap already.
WINDOW_LIST_LIMIT = 2_000
# Who sees the requests of more departments than this (the general manager, a director over
# several) gets the subquery without trying: their keys would pass the limits at any size worth
# the trouble, and reading them only to find that out costs more than the list saves.
LIST_DEPARTMENTS = 3
KINDS = tuple(SearchEntry.Kind.values)


def tokenise(text: str) -> list[str]:
    """Tokens of `text`: CJK unigrams and bigrams, Latin words and numbers lowercased."""
    tokens: list[str] = []
    for run in TOKEN.findall((text or "").lower()):
        if not run[0].isascii():
            tokens.extend(run)
            tokens.extend(run[i : i + 2] for i in range(len(run) - 1))
        else:
            tokens.append(run)
    return tokens


def query_tokens(text: str) -> list[str]:
    """Tokens a query must all match: CJK bigrams (a single character alone), Latin words."""
    tokens: list[str] = []
    for run in TOKEN.findall((text or "").lower()):
        if not run[0].isascii():
            tokens.extend([run] if len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)])
        else:
            tokens.append(run)
    unique = list(dict.fromkeys(tokens))
    return unique[:MAX_QUERY_TOKENS]


# What goes into the index


def entry_for_task(task) -> SearchEntry:
    return SearchEntry(
        kind=SearchEntry.Kind.TASK,
        object_id=task.pk,
        title=f"{task.number} {task.title}"[:300],
        text=task.description or "",
        url=f"/requests/{task.number}/",
        department_id=task.target_department_id,
    )


def entry_for_document(document) -> SearchEntry:
    return SearchEntry(
        kind=SearchEntry.Kind.DOCUMENT,
        object_id=document.pk,
        title=document.title[:300],
        text=f"{document.recipients}\n{document.body}",
        url=f"/documents/{document.pk}/",
        department_id=document.department_id,
    )


def entry_for_person(user) -> SearchEntry:
    name = user.display_name or user.get_full_name() or user.username
    return SearchEntry(
        kind=SearchEntry.Kind.PERSON,
        object_id=user.pk,
        title=name[:300],
        text=f"{user.username} {user.job_title} {user.email}",
        url=f"/people/{user.username}/",
    )


def entry_for_team(team) -> SearchEntry:
    return SearchEntry(
        kind=SearchEntry.Kind.TEAM,
        object_id=team.pk,
        title=team.name[:300],
        text=f"{team.goal}\n{team.metric}",
        url=f"/teams/{team.pk}/",
    )


def _tokens(entry: SearchEntry) -> SearchEntry:
    entry.title_tokens = " ".join(tokenise(entry.title))
    entry.text_tokens = " ".join(tokenise(entry.text))
    return entry


def vector_expression():
    return SearchVector("title_tokens", weight="A", config="simple") + SearchVector(
        "text_tokens", weight="B", config="simple"
    )


def store(entries: list[SearchEntry], *, batch_size: int = 2000) -> None:
    """Insert or update these entries and refresh their vectors (PostgreSQL)."""
    if not entries:
        return
    entries = [_tokens(entry) for entry in entries]
    SearchEntry.objects.bulk_create(
        entries,
        batch_size=batch_size,
        update_conflicts=True,
        unique_fields=["kind", "object_id"],
        update_fields=["title", "text", "url", "department", "title_tokens", "text_tokens", "updated_at"],
    )
    if connection.vendor == "postgresql":
        for kind in {entry.kind for entry in entries}:
            ids = [entry.object_id for entry in entries if entry.kind == kind]
            for start in range(0, len(ids), 10_000):
                SearchEntry.objects.filter(kind=kind, object_id__in=ids[start : start + 10_000]).update(
                    vector=vector_expression()
                )


def holds(entry: SearchEntry) -> bool:
    """Whether the index holds `entry` as it is (then storing it again would change nothing)."""
    return SearchEntry.objects.filter(
        kind=entry.kind,
        object_id=entry.object_id,
        title=entry.title,
        text=entry.text,
        url=entry.url,
        department_id=entry.department_id,
    ).exists()


def remove(kind: str, object_id: int) -> None:
    SearchEntry.objects.filter(kind=kind, object_id=object_id).delete()


def rebuild(*, batch_size: int = 5000) -> dict[str, int]:
    """Rebuild the whole index from the source tables, in batches. Returns counts per kind."""
    from departments.models import User
    from documents.models import Document
    from tasks.models import Task
    from teams.models import Team

    SearchEntry.objects.all().delete()
    counts = {}
    sources = [
        ("task", Task.objects.only("pk", "number", "title", "description", "target_department_id"), entry_for_task),
        ("document", Document.objects.all(), entry_for_document),
        ("person", User.objects.filter(is_active=True), entry_for_person),
        ("team", Team.objects.all(), entry_for_team),
    ]
    for kind, queryset, make in sources:
        # Batches by primary key (keyset), not a server-side cursor: those are off (settings), and
        # this keeps memory flat however many rows there are.
        total, last = 0, 0
        while batch := list(queryset.filter(pk__gt=last).order_by("pk")[:batch_size]):
            SearchEntry.objects.bulk_create([_tokens(make(obj)) for obj in batch])
            total += len(batch)
            last = batch[-1].pk
        counts[kind] = total
    if connection.vendor == "postgresql":
        SearchEntry.objects.update(vector=vector_expression())
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE reports_searchentry")
    return counts


# Searching


@dataclass
class Hit:
    kind: str
    object_id: int
    title: str
    text: str
    url: str
    rank: float


def _visible_ids(user, kind: str) -> QuerySet:
    """Primary keys of the objects of `kind` that `user` may see, read by each app's own selector."""
    if kind == "task":
        from tasks.models import Task

        return Task.objects.visible_to(user).values("pk")
    if kind == "document":
        from documents.selectors import visible_documents

        return visible_documents(user).values("pk")
    if kind == "person":
        from departments.models import User

        return User.objects.filter(is_active=True).values("pk")
    from teams.models import Team

    return Team.objects.visible_to(user).values("pk")


def _tsquery(tokens: list[str]) -> SearchQuery:
    # Tokens hold only letters, digits and CJK characters: safe in a raw tsquery. The last Latin
    # word matches by prefix (search as you type).
    *whole, last = tokens
    raw = " & ".join([*whole, f"{last}:*" if last.isascii() else last])
    return SearchQuery(raw, search_type="raw", config="simple")


def _ranked(
    user, kind: str, tokens: list[str], *, newer_than=None, up_to=None, among: list[int] | None = None
) -> QuerySet[SearchEntry]:
    """Entries of one kind matching every token that `user` may see, best first (rank annotated),
    then newest first; `newer_than` and `up_to` bound the objects' primary keys; `among`, when
    given, is the keys of every object `user` may see within those bounds (_visible_keys).

    One kind at a time: the entries are then joined to one table's visible rows, which
    PostgreSQL answers with a semi-join from whichever side is smaller, where visibility OR'ed
    over the kinds could only be checked entry by entry."""
    bounds = {"gt": newer_than, "lte": up_to}
    bounds = {op: value for op, value in bounds.items() if value is not None}
    # The bounds on both sides of the join, so that either side can start from the range.
    entries = SearchEntry.objects.filter(kind=kind, **{f"object_id__{op}": value for op, value in bounds.items()})
    if among is not None:
        entries = entries.filter(AnyOfList("object_id", among))
    else:
        visible = _visible_ids(user, kind).filter(**{f"pk__{op}": value for op, value in bounds.items()})
        entries = entries.filter(object_id__in=visible)
    if connection.vendor == "postgresql":
        tsquery = _tsquery(tokens)
        entries = entries.filter(vector=tsquery)
        rank = SearchRank(F("vector"), tsquery)
    else:
        for token in tokens:
            entries = entries.filter(Q(title_tokens__icontains=token) | Q(text_tokens__icontains=token))
        rank = Value(1.0, output_field=FloatField())
    return entries.annotate(rank=rank).order_by("-rank", "-object_id")


def _no_entries() -> QuerySet[SearchEntry]:
    return SearchEntry.objects.none().annotate(rank=Value(0.0, output_field=FloatField()))


def ranked_documents(user, query: str) -> QuerySet[SearchEntry]:
    """The document register's text filter (settings.DOCUMENT_TEXT_SEARCH): documents' entries
    matching `query` that `user` may see, best first. Every match, not the search's recent
    window: the register is a filter, and it pages through all that match."""
    tokens = query_tokens(query)
    if not user.is_authenticated or not tokens:
        return _no_entries()
    return _ranked(user, "document", tokens)


def _visible_keys(user, kind: str, at_most: int, **bounds) -> list[int] | None:
    """The keys of the requests that `user` may see within `bounds` (pk__gt=… for the window,
    pk__lte=… for the older ones), when they are at most `at_most` (a department's head); None
    for more, for whoever sees more than LIST_DEPARTMENTS departments' requests, for an admin (who
    sees all but others' drafts), for other kinds and on SQLite.

    Joined to the visibility rule as a subquery, PostgreSQL starts from the visible requests,
    reading each one's row (a page of the requests table each) and then its entry (a page of the
    index table each), or tests the rule on every request of the window. Read here one part of the
    rule at a time (tasks.selectors.visible_task_ids: a department's requests from an index
    alone) and passed as a list, their count is known when the ranking is planned, and PostgreSQL
    intersects them with the vector's GIN index in two bitmaps, reading only the entries that
    match and that the user may see."""
    if kind != "task" or connection.vendor != "postgresql" or user.is_superuser:
        return None
    from tasks.selectors import departments_seen_count, visible_task_ids

    if departments_seen_count(user) > LIST_DEPARTMENTS:
        return None
    keys = list(visible_task_ids(user, **bounds).values_list("pk", flat=True)[: at_most + 1])
    # A key comes once per part of the rule that lets the user see it: more rows than the limit
    # may still be fewer requests, but the list is only an optimisation, so count rows.
    return sorted(set(keys)) if len(keys) <= at_most else None


def _kind_hits(user, kind: str, tokens: list[str], limit: int) -> list[Hit]:
    """The best `limit` matches of one kind: ranked among the objects in its RECENT_WINDOW newest
    primary keys, and among the older ones only when the recent ones give fewer than `limit`.

    A common word matches most of the index, and ranking every match would read every entry;
    a bounded set of recent objects keeps that to a window. A rare word fills no page from the
    window, so its older matches are ranked too (through the vector's GIN index, or from the
    user's visible rows when those are fewer). No query here orders by the index and stops at a
    LIMIT: PostgreSQL misjudges how many entries a rare or prefix word matches, and such a plan
    then walks the whole index looking for matches that are not there."""
    newest = SearchEntry.objects.filter(kind=kind).aggregate(newest=Max("object_id"))["newest"]
    if newest is None:
        return []
    start = newest - RECENT_WINDOW if newest > RECENT_WINDOW else None
    columns = ("object_id", "title", "text", "url", "rank")
    among = None if start is None else _visible_keys(user, kind, WINDOW_LIST_LIMIT, pk__gt=start)
    rows = list(_ranked(user, kind, tokens, newer_than=start, among=among).values_list(*columns)[:limit])
    if start is not None and len(rows) < limit:
        among = _visible_keys(user, kind, VISIBLE_LIST_LIMIT, pk__lte=start)
        rows += _ranked(user, kind, tokens, up_to=start, among=among).values_list(*columns)[:limit]
    return [Hit(kind, object_id, title, text[:200], url, rank) for object_id, title, text, url, rank in rows]


def search(user, query: str, kinds=KINDS, limit: int = 50) -> list[Hit]:
    """Ranked rows for `query` that `user` may see, a few queries per kind (_kind_hits), merged
    here best first, then by kind, newest first."""
    tokens = query_tokens(query)
    if not user.is_authenticated or not tokens:
        return []
    hits = [hit for kind in KINDS if kind in kinds for hit in _kind_hits(user, kind, tokens, limit)]
    hits.sort(key=lambda hit: (-hit.rank, hit.kind, -hit.object_id))
    return hits[:limit]
