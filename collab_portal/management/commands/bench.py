"""`make bench`: the benchmark. For now it measures the reminder sweep over a large seeded
organisation (issue: reminders); the page load test joins it later.

It seeds `seed_demo --scale` up to the wanted number of requests, then runs the sweep at a
working moment twice: a catch-up sweep (everything already due in the seeded data) and a
steady-state sweep five minutes later (what the beat meets every five minutes), and a third
with nothing new due, to show the cost follows the due rows and not all rows.
"""

import json
import time
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from departments.selectors import working_calendar
from tasks import reminders
from tasks.models import Task

TARGET_SECONDS = 2.0


def next_working_moment(moment):
    calendar = working_calendar()
    if calendar.is_working_moment(moment):
        return moment
    return calendar.add_working_hours(moment, timedelta(minutes=1)) - timedelta(minutes=1)


class Command(BaseCommand):
    help = "Run the benchmark and print a table and a summary line; results go to bench/results/."

    def add_arguments(self, parser):
        parser.add_argument("--requests", type=int, default=100_000, help="Requests in the organisation.")

    def handle(self, *args, **options):
        wanted = options["requests"]
        have = Task.objects.count()
        if have < wanted:
            self.stdout.write(f"Seeding {wanted - have} requests (seed_demo --scale)…")
            started = time.perf_counter()
            call_command("seed_demo", quiet=True, scale=wanted - have)
            self.stdout.write(f"  seeded in {time.perf_counter() - started:.1f} s")
        open_count = Task.objects.filter(state__in=Task.OPEN_STATES).count()
        moment = next_working_moment(timezone.now())
        rows = []
        for label, at in (("catch-up sweep", moment), ("steady sweep (+5 min)", moment + timedelta(minutes=5)),
                          ("repeat, nothing new due", moment + timedelta(minutes=5))):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                sent = reminders.sweep(at)
                seconds = time.perf_counter() - started
            due = sum(v for v in sent.values() if isinstance(v, int))
            rows.append({"name": label, "due_rows_sent": due, "seconds": round(seconds, 3),
                         "queries": len(queries.captured_queries)})
        self.stdout.write("")
        self.stdout.write(f"{'measure':<28}{'sent':>8}{'seconds':>10}{'queries':>10}")
        for row in rows:
            self.stdout.write(f"{row['name']:<28}{row['due_rows_sent']:>8}{row['seconds']:>10.3f}{row['queries']:>10}")
        steady = rows[1]["seconds"]
        ok = steady < TARGET_SECONDS and rows[2]["seconds"] < TARGET_SECONDS
        result = {
            "when": timezone.now().isoformat(), "database": connection.vendor, "requests": Task.objects.count(),
            "open_requests": open_count, "sweeps": rows, "target_seconds": TARGET_SECONDS, "ok": ok,
        }
        folder = Path(settings.BASE_DIR) / "bench" / "results"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"sweep-{timezone.now():%Y%m%d-%H%M%S}.json"
        path.write_text(json.dumps(result, indent=2, ensure_ascii=False))
        self.stdout.write(f"results: {path.relative_to(settings.BASE_DIR)}")
        verdict = "PASS" if ok else "FAIL"
        self.stdout.write(
            f"bench: reminder sweep over {open_count} open of {result['requests']} requests on {connection.vendor}: "
            f"steady {steady:.3f} s, nothing-due {rows[2]['seconds']:.3f} s (target < {TARGET_SECONDS} s) {verdict}"
        )
