"""The reports' step of `make bench`: each report page rendered through the Django test client,
as the people who use it, on the seeded organisation (`seed_demo --scale`). Target: under 1 s each."""

import time
from datetime import timedelta

from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from reports.forms import DEFAULT_DAYS

TARGET_SECONDS = 1.0


class _Counter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def _viewers():
    """The busiest department's head, a leader with sign-off right and an admin."""
    from django.db.models import Count

    from departments.models import Department, User

    busiest = (
        Department.objects.filter(head__isnull=False, is_active=True)
        .annotate(n=Count("incoming_tasks"))
        .order_by("-n")
        .select_related("head")
        .first()
    )
    leader = User.objects.filter(can_sign_off=True, is_active=True).order_by("pk").first()
    admin = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    return busiest, leader, admin


def run(stdout=None, skip: tuple[str, ...] = ()) -> list[dict]:
    """Time every report page; print a table and return the rows for the bench JSON. `skip`: words
    of the names of pages to leave out (`--skip-report search`), each shown as skipped and missed."""
    from django.conf import settings
    from django.test.utils import override_settings

    # Pages render static URLs; without collectstatic's manifest, use the plain storage.
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=storages):
        return _run(stdout, skip)


def _settle() -> None:
    """VACUUM (ANALYZE) first, as autovacuum keeps a running database: a freshly seeded one has
    no visibility map (every index-only scan then reads the table too) and no statistics on the
    small tables (conflicts, teams: fewer than autovacuum's 50 changed rows), whose guessed
    sizes make PostgreSQL compile the reports' queries to machine code each time. Not inside a
    transaction (a test's), where VACUUM cannot run."""
    if connection.vendor == "postgresql" and transaction.get_autocommit():
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")


def _run(stdout, skip) -> list[dict]:
    from reports.models import SearchEntry

    _settle()
    if not SearchEntry.objects.exists():
        from reports import search

        search.rebuild()
    department, leader, admin = _viewers()
    # The organisation report's default view comes from the hourly snapshot (reports.snapshots:
    # the admins' shared one, a leader's own; the warm-up request takes it if none is kept): timed
    # both ways, computed as Refresh does (fresh=1) and as kept. Its exports likewise: a period a
    # day longer is another filter, computed, with the same rows here (the seeder's requests are
    # all recent).
    longer = (timezone.localdate() - timedelta(days=DEFAULT_DAYS + 1)).isoformat()
    pages = [
        ("dashboard, department head", department.head, "/reports/department/", {}),
        ("dashboard, admin", admin, "/reports/department/", {"department": department.pk}),
        ("organisation, leader, computed", leader, "/reports/organisation/", {"fresh": "1"}),
        ("organisation, leader, snapshot", leader, "/reports/organisation/", {}),
        ("organisation, admin, computed", admin, "/reports/organisation/", {"fresh": "1"}),
        ("organisation, admin, snapshot", admin, "/reports/organisation/", {}),
        ("organisation, one department", admin, "/reports/organisation/", {"department": department.pk}),
        ("overdue export xlsx, admin", admin, "/reports/department/overdue.xlsx", {"department": department.pk}),
        ("matrix csv, admin, computed", admin, "/reports/organisation/matrix.csv", {"start": longer}),
        ("matrix csv, admin, snapshot", admin, "/reports/organisation/matrix.csv", {}),
        ("search 事务, admin", admin, "/search/", {"q": "事务"}),
        ("search 批量事务 12, head", department.head, "/search/", {"q": "批量事务 12"}),
    ]
    rows = []
    for name, user, url, params in pages:
        if user is None:
            continue
        if any(word in name for word in skip):
            rows.append({"name": name, "status": "skipped", "seconds": None, "queries": None, "ok": False})
            continue
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        client.get(url, params, secure=True)  # warm caches (templates, calendar) as a running server would
        counter = _Counter()
        with connection.execute_wrapper(counter):
            started = time.perf_counter()
            response = client.get(url, params, secure=True)
            seconds = time.perf_counter() - started
        rows.append(
            {
                "name": name,
                "status": response.status_code,
                "seconds": round(seconds, 3),
                "queries": counter.count,
                "ok": response.status_code == 200 and seconds < TARGET_SECONDS,
            }
        )
    if stdout is not None:
        stdout.write("")
        stdout.write(f"{'report page':<34}{'status':>8}{'seconds':>10}{'queries':>10}  (target < {TARGET_SECONDS} s)")
        for row in rows:
            if row["seconds"] is None:
                stdout.write(f"{row['name']:<34}{row['status']:>8}")
            else:
                stdout.write(f"{row['name']:<34}{row['status']:>8}{row['seconds']:>10.3f}{row['queries']:>10}")
    return rows
