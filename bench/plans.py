"""The query-plan step of `make bench`: the lists, the home page and search must keep using their
indexes as the tables grow, or their time grows with the table.

Each page is rendered through the Django test client as a person who uses it; the queries it runs
are captured (`CaptureQueriesContext`) and each SELECT is asked `EXPLAIN (FORMAT JSON)` on the same
connection. A page passes when no plan reads a large table (at least LARGE_ROWS rows by the
planner's statistics) with a sequential scan; the table also says whether the page's main table is
reached through an index and which indexes were used. PostgreSQL only: SQLite's planner is not the
one production runs.
"""

from urllib.parse import urlencode

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

LARGE_ROWS = 10_000
# name, URL, who (staff: a department's member; head: a department's head), the page's main table.
PAGES = [
    ("home, staff", "/", "staff", "tasks_task"),
    ("home, head", "/", "head", "tasks_task"),
    ("list: my requests", "/requests/list/mine/", "staff", "tasks_task"),
    ("list: assigned to me", "/requests/list/assigned/", "staff", "tasks_task"),
    ("list: all I can see", "/requests/list/all/", "staff", "tasks_task"),
    ("list: filtered", "/requests/list/all/?state=in_progress&overdue=on", "staff", "tasks_task"),
    ("list: to approve", "/requests/list/approvals/", "head", "tasks_task"),
    ("department inbox", "/requests/inbox/", "head", "tasks_task"),
    ("documents list", "/documents/?scope=all", "head", "documents_document"),
    # Search in requests, for a word nearly every seeded request holds and for rarer ones: the index
    # is reached through the vector's GIN index or (kind, object_id), whichever the planner takes.
    # Requests only: searching people hashes the active people (a table that grows with the staff,
    # read once, in milliseconds), which this check would count as a scan of a large table.
    ("search requests, common", "/search/?" + urlencode({"q": "事务", "kind": "task"}), "staff", "reports_searchentry"),
    (
        "search requests, rarer",
        "/search/?" + urlencode({"q": "批量事务 12", "kind": "task"}),
        "head",
        "reports_searchentry",
    ),
]
INDEX_NODES = {"Index Scan", "Index Only Scan", "Bitmap Heap Scan", "Bitmap Index Scan"}


def _people():
    from departments.models import Membership, User

    head = User.objects.filter(username="sales_head", is_active=True).first() or (
        User.objects.filter(headed_departments__isnull=False, is_active=True).order_by("pk").first()
    )
    staff = User.objects.filter(username="sales_staff2", is_active=True).first() or (
        Membership.objects.filter(role=Membership.Role.MEMBER, user__is_active=True).order_by("pk").first().user
    )
    return {"head": head, "staff": staff}


def _nodes(plan: dict):
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


def _large_tables() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace "
            "AND reltuples >= %s",
            [LARGE_ROWS],
        )
        return {name for (name,) in cursor.fetchall()}


def explain(sql: str) -> list[dict]:
    """The plan's nodes (node type, table, index) of one captured SELECT."""
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
        (document,) = cursor.fetchone()
    plan = document[0]["Plan"] if isinstance(document, list) else document
    nodes = []
    for node in _nodes(plan):
        nodes.append({"type": node["Node Type"], "table": node.get("Relation Name"), "index": node.get("Index Name")})
    return nodes


def check(pages=PAGES, *, large: set[str] | None = None) -> list[dict]:
    """One row per page: its queries, whether its main table is reached by an index, the indexes
    used, and the large tables read by a sequential scan (a page with any of those fails)."""
    large = _large_tables() if large is None else large
    people = _people()
    rows = []
    for name, url, who, table in pages:
        user = people[who]
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        client.get(url, secure=True)  # warm the caches, as a running server would be
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, secure=True)
        # A UNION starts with a parenthesis: "(SELECT …) UNION ALL (SELECT …)".
        selects = [q["sql"] for q in captured.captured_queries if q["sql"].lstrip("( ").upper().startswith("SELECT")]
        indexes, seq_scans, main_by_index, main_read = set(), set(), False, False
        for sql in selects:
            for node in explain(sql):
                if node["index"]:
                    indexes.add(node["index"])
                if node["table"] == table:
                    main_read = True
                    main_by_index = main_by_index or node["type"] in INDEX_NODES
                if node["type"] == "Seq Scan" and node["table"] in large:
                    seq_scans.add(node["table"])
        rows.append(
            {
                "name": name,
                "url": url,
                "status": response.status_code,
                "queries": len(selects),
                "table": table,
                "table_read": main_read,
                "index_on_table": main_by_index,
                "indexes": sorted(indexes),
                "seq_scans_on_large_tables": sorted(seq_scans),
                "ok": response.status_code == 200 and not seq_scans,
            }
        )
    return rows


def run(stdout=None) -> list[dict]:
    """Check every page's plans; print a table and return the rows for the bench JSON."""
    if connection.vendor != "postgresql":
        if stdout is not None:
            stdout.write("query plans: skipped (PostgreSQL only)")
        return []
    from django.conf import settings
    from django.test.utils import override_settings

    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=storages):
        rows = check()
    if stdout is not None:
        stdout.write("")
        stdout.write(
            f"{'query plans (EXPLAIN)':<26}{'status':>7}{'selects':>8}  {'index on table':<32}seq scan (large)"
        )
        for row in rows:
            reached = ("yes" if row["index_on_table"] else "NO") if row["table_read"] else "not read"
            stdout.write(
                f"{row['name']:<26}{row['status']:>7}{row['queries']:>8}  {row['table'] + ': ' + reached:<32}"
                + (", ".join(row["seq_scans_on_large_tables"]) or "none")
            )
    return rows
