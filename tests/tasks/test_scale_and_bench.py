"""seed_demo --scale makes a large organisation quickly; `manage.py bench` measures the sweep on it."""

import json
from pathlib import Path

import pytest
from django.core.management import call_command

from departments.models import Department, User
from tasks.models import Approval, Task

pytestmark = pytest.mark.django_db


def test_scale_adds_requests_departments_and_people():
    call_command("seed_demo", quiet=True, scale=500)
    assert Task.objects.count() >= 500
    assert Department.objects.filter(is_active=True).count() >= 30
    assert User.objects.count() >= 2000
    states = set(Task.objects.values_list("state", flat=True))
    assert {"done", "in_progress", "pending_approval", "pending_acceptance", "on_hold"} <= states
    assert Approval.objects.filter(task__state="pending_approval").exists()
    numbers = list(Task.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers))
    # More can be added later without clashing numbers; the services continue the sequence.
    call_command("seed_demo", quiet=True, scale=100)
    assert Task.objects.count() >= 600
    assert len(set(Task.objects.values_list("number", flat=True))) == Task.objects.count()


def test_bench_prints_a_table_and_a_summary_line(capsys, settings, tmp_path):
    settings.BASE_DIR = tmp_path
    call_command("bench", requests=300, no_load=True)  # the load step starts gunicorn: make bench only
    out = capsys.readouterr().out.strip().splitlines()
    assert any(line.startswith("typical 09:10") for line in out)
    assert out[-1].startswith("bench: reminder sweep over") and out[-1].endswith(("PASS", "FAIL"))
    result = json.loads(next(Path(tmp_path, "bench", "results").glob("sweep-*.json")).read_text())
    assert result["requests"] >= 300 and len(result["sweeps"]) == 4
    assert [row["runs"] for row in result["sweeps"][2:]] == [1, 1]  # the judged sweeps: one run each


def test_bench_drains_the_backlog_before_the_typical_sweep(capsys, monkeypatch, settings, tmp_path):
    """A backlog larger than a run's cap is swept until nothing is due, so the typical sweep
    measures newly due rows and not the rest of the backlog."""
    from tasks import reminders

    settings.BASE_DIR = tmp_path
    monkeypatch.setattr(reminders, "BATCH", 2)
    call_command("bench", requests=300, no_load=True)
    out = capsys.readouterr().out
    result = json.loads(next(Path(tmp_path, "bench", "results").glob("sweep-*.json")).read_text())
    catch_up = result["sweeps"][0]
    assert catch_up["runs"] > 1 and catch_up["due_rows_sent"] > 2
    assert result["sweeps"][3]["due_rows_sent"] == 0
    assert f"catch-up 09:00{catch_up['runs']:>20}{catch_up['due_rows_sent']:>8}" in out


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_load_step_serves_every_page_of_the_mix_without_errors(monkeypatch, tmp_path):
    """`make bench`'s load step end to end, briefly: gunicorn with the production settings, a
    worker and beat, locust users on the seeded demo organisation; every page answers, and the
    table has the ceiling, each capacity page alone and each page of the mix."""
    from django.db import connection

    from bench import load
    from tests.test_celery_processes import database_url

    if connection.vendor != "postgresql":
        pytest.skip("the load step is stated for PostgreSQL")
    call_command("seed_demo", quiet=True, scale=300)
    monkeypatch.setenv("DATABASE_URL", database_url())

    class Out:
        lines: list[str] = []

        def write(self, text):
            self.lines.append(text)

    result = load.run(Out(), users=4, seconds=6, capacity_seconds=2)
    assert result["ceiling_rps"] > 0
    assert result["errors"] == 0, [(p["page"], p["problems"]) for p in result["pages"] if p["errors"]]
    capacity = result["capacity"]  # each page alone: always measured, whatever the mix drew
    for name in ("dashboard", "request page", "list: all I can see", "department inbox", "list: assigned to me"):
        assert capacity[name]["rps"] > 0 and capacity[name]["errors"] == 0, name
    assert result["requests"] > 0 and all(p["queries"] for p in result["pages"])  # SQL counted per page
    assert "load 4 users:" in load.summary(result)
