"""The bench's EXPLAIN check: the lists, the home page and search reach their tables through indexes.

On a small database PostgreSQL rightly prefers sequential scans, so the check runs with
`enable_seqscan = off` for this session only: the planner then takes an index wherever one can
serve the query, and a Seq Scan left in a plan means no index can (a missing or unusable index).
"""

import pytest
from django.core.management import call_command
from django.db import connection

from bench import plans

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="query plans are PostgreSQL's; SQLite's planner is not production's"
    ),
]

BIG = {
    "tasks_task",
    "tasks_approval",
    "core_actionlog",
    "documents_document",
    "tasks_holdperiod",
    "reports_searchentry",
}


@pytest.fixture
def seeded(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    call_command("seed_demo", quiet=True, scale=300)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("SET enable_seqscan = off")
    yield
    with connection.cursor() as cursor:
        cursor.execute("RESET enable_seqscan")


def test_lists_home_and_search_use_their_indexes(seeded):
    rows = plans.check(large=BIG)
    assert [row["name"] for row in rows] == [name for name, *_ in plans.PAGES]
    for row in rows:
        assert row["status"] == 200, row
        assert row["seq_scans_on_large_tables"] == [], row
        assert row["ok"], row
        if row["table_read"]:
            assert row["index_on_table"], row
    assert any(index.startswith("tasks_") for row in rows for index in row["indexes"])
    searches = [row for row in rows if row["table"] == "reports_searchentry"]
    assert searches and all(row["table_read"] and row["index_on_table"] for row in searches), searches


def test_explain_reports_a_sequential_scan(seeded):
    with connection.cursor() as cursor:
        cursor.execute("RESET enable_seqscan")
    # A filter no index serves: the title, in the middle of a word.
    nodes = plans.explain("SELECT id FROM tasks_task WHERE title LIKE '%事务%'")
    assert {"type": "Seq Scan", "table": "tasks_task", "index": None} in nodes
