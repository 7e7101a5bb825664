"""seed_demo --scale: the wanted number of requests with their children and index entries, written
in chunks (COPY on PostgreSQL), and a second run adds only what it is asked for."""

import pytest
from django.core.management import call_command
from django.db import connection

from demo import scale
from departments.models import Department, Membership, User
from reports.models import SearchEntry
from tasks.models import Approval, RequestCounter, Task

pytestmark = pytest.mark.django_db


@pytest.fixture
def small(monkeypatch):
    """Small chunks, so a few hundred requests cross several of them."""
    monkeypatch.setattr(scale, "CHUNK", 70)
    monkeypatch.setattr(scale, "BASE_PEOPLE", 120)


def test_sizes_grow_with_the_requests_to_the_ceilings():
    assert scale.sizes(1_000) == (30, 2_000)
    assert scale.sizes(100_000) == (30, 2_000)
    assert scale.sizes(500_000) == (150, 10_000)
    assert scale.sizes(1_000_000) == (300, 20_000)
    assert scale.sizes(5_000_000) == (300, 20_000)


def test_scale_seeds_the_requests_their_children_and_index_entries(small):
    call_command("seed_demo", quiet=True)
    demo = Task.objects.count()
    call_command("seed_demo", quiet=True, scale=250)
    assert Task.objects.count() == demo + 250
    seeded = Task.objects.filter(title__startswith="批量事务")
    assert seeded.count() == 250
    assert set(seeded.values_list("state", flat=True)) >= {"done", "in_progress", "pending_approval"}
    # Every request waiting for approval has its approval; every request its index entry.
    waiting = seeded.filter(state="pending_approval")
    assert Approval.objects.filter(task__in=waiting).count() == waiting.count()
    assert SearchEntry.objects.filter(kind="task", object_id__in=seeded.values("pk")).count() == 250
    if connection.vendor == "postgresql":
        assert not SearchEntry.objects.filter(kind="task", vector__isnull=True).exists()
    # Numbers follow on without gaps, and the counter knows the last one.
    numbers = sorted(int(n.rsplit("-", 1)[1]) for n in seeded.values_list("number", flat=True))
    assert numbers == list(range(numbers[0], numbers[0] + 250))
    assert RequestCounter.objects.get().last >= numbers[-1]
    # Departments have heads; every scale person belongs to one.
    assert Department.objects.count() == 30  # headquarters among them
    assert not Department.objects.filter(is_active=True, head__isnull=True).exclude(code="hq").exists()
    assert not User.objects.filter(username__startswith="scale_", memberships__isnull=True).exists()
    assert SearchEntry.objects.filter(kind="person", object_id__in=User.objects.values("pk")).count() == (
        User.objects.filter(is_active=True).count()
    )


def test_a_second_run_adds_only_what_it_is_asked_for(small):
    call_command("seed_demo", quiet=True, scale=100)
    first = (Task.objects.count(), User.objects.count(), Department.objects.count(), Membership.objects.count())
    call_command("seed_demo", quiet=True, scale=40)
    assert Task.objects.count() == first[0] + 40
    assert (User.objects.count(), Department.objects.count(), Membership.objects.count()) == first[1:]
    assert Task.objects.values("number").distinct().count() == Task.objects.count()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's; SQLite takes bulk_create")
def test_copy_is_the_path_on_postgresql(small):
    from django.test.utils import CaptureQueriesContext

    call_command("seed_demo", quiet=True)
    with CaptureQueriesContext(connection) as captured:
        call_command("seed_demo", quiet=True, scale=150)
    sqls = [q["sql"] for q in captured.captured_queries]
    # Keys come from the sequence; the rows themselves go in by COPY, not INSERT.
    assert any("nextval(pg_get_serial_sequence" in sql for sql in sqls)
    assert not any(sql.startswith('INSERT INTO "tasks_task"') for sql in sqls)
    assert Task.objects.filter(title__startswith="批量事务").count() == 150
