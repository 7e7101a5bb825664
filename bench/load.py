"""The load step of `make bench`: the real server under locust.

Starts gunicorn with the production settings (bench/settings.py: the same, plus a trivial page and
a query-count header), a Celery worker and beat, on whatever DATABASE_URL / REDIS_URL say, then runs
locust headless (bench/locustfile.py) with a fixed number of users and no think time:

1. the ceiling: every user on the trivial view (/bench/ceiling/) — the most this machine serves;
2. capacity: every user on one page at a time (one page only: a phase that mixed two would credit
   each with half the throughput), for the pages people read most — requests/s as a share of the
   ceiling (target for lists: at least 7 %);
3. the realistic mix (dashboard, lists, a request, the inbox, documents, filing, approving,
   commenting) for the full duration — p50/p95/p99 per page (target p95 < 300 ms), errors
   (target 0), SQL queries per request.
"""

import csv
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
P95_TARGET_MS = 300
# As the Dockerfile and docker-compose.yml start gunicorn. On these two cores shared with PostgreSQL,
# 3 workers served the mix at 98 req/s, 4 at 87-95, 6 at 80 (more processes, more switching).
WEB_WORKERS = 3
LIST_SHARE_TARGET = 0.07
CAPACITY_PAGES = [
    "dashboard",
    "list_mine",
    "list_all",
    "list_filtered",
    "inbox",
    "assigned",
    "detail",
    "documents_list",
    "api_list",
    "api_detail",
]


def _plan(folder: Path) -> Path:
    """Twenty real people (department heads and staff of the demo organisation), each with a session
    and what they may open, so that no page the run asks for is a 404."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from api.services import token_create
    from departments.models import Department, User
    from documents.selectors import visible_documents
    from tasks.models import RequestType, Task
    from tasks.selectors import tasks_to_approve

    # The heads with the most waiting for their approval, so that approving happens in the mix.
    heads = sorted(
        User.objects.filter(is_active=True, username__endswith="_head"),
        key=lambda u: (-tasks_to_approve(u).count(), u.username),
    )[:6]
    staff = list(User.objects.filter(is_active=True, username__regex=r"_staff[23]$").order_by("username")[:14])
    if not heads or not staff:
        raise RuntimeError("the demo organisation is missing: run seed_demo first")
    people = {}
    for user in heads + staff:
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        _token, secret = token_create(user=user, name="bench", scope="read", expires_in_days=1)
        people[user.username] = {
            "manager": user in heads,
            "session": session.session_key,
            "token": secret,  # the API's calls (a personal access token, read scope)
            "requests": list(Task.objects.visible_to(user).order_by("-pk").values_list("number", flat=True)[:30]),
            "documents": list(visible_documents(user).order_by("-pk").values_list("pk", flat=True)[:10]),
        }
    # A request type with only the common fields, outside the filers' departments.
    simple = RequestType.objects.filter(is_active=True, fields__isnull=True).order_by("pk")
    request_type = (
        simple.exclude(department__in=Department.objects.filter(memberships__user__in=staff)).first() or simple.first()
    )
    # Alternate heads and staff so that any number of locust users gets both.
    order = [u.username for pair in zip(staff, heads + heads + heads, strict=False) for u in pair]
    order += [u.username for u in staff[len(order) // 2 :]]
    plan = {"people": people, "order": order, "request_type": request_type.code}
    path = folder / "plan.json"
    path.write_text(json.dumps(plan, ensure_ascii=False))
    return path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _environment(folder: Path) -> dict:
    from django.conf import settings

    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DEBUG="false",
        HTTPS_ONLY="false",  # no TLS on the loopback; every other production setting stays
        SECRET_KEY=settings.SECRET_KEY,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        STATIC_ROOT=str(folder / "static"),
        VAR_DIR=str(settings.VAR_DIR),
        MEDIA_ROOT=str(settings.MEDIA_ROOT),
        PYTHONPATH=str(ROOT),
        # Each locust user calls the API without pause: the budget per token would answer 429s.
        API_RATE="1000000/min",
    )
    return env


def _bin(name: str) -> str:
    return str(Path(sys.executable).parent / name)


class Server:
    """gunicorn + Celery worker + beat, stopped together."""

    def __init__(self, folder: Path, env: dict, workers: int):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        logs = folder / "server.log"
        self.log = open(logs, "w")  # noqa: SIM115 - closed in stop()
        common = {"cwd": ROOT, "env": env, "stdout": self.log, "stderr": subprocess.STDOUT, "start_new_session": True}
        self.processes = [
            subprocess.Popen(
                [
                    _bin("gunicorn"),
                    "collab_portal.wsgi:application",
                    "--bind",
                    f"127.0.0.1:{self.port}",
                    "--workers",
                    str(workers),
                    "--log-level",
                    "warning",
                ],
                **common,
            ),
            subprocess.Popen(
                [_bin("celery"), "-A", "collab_portal", "worker", "--loglevel", "warning", "--concurrency", "1"],
                **common,
            ),
            subprocess.Popen(
                [
                    _bin("celery"),
                    "-A",
                    "collab_portal",
                    "beat",
                    "--loglevel",
                    "warning",
                    "--schedule",
                    str(folder / "beat-schedule"),
                ],
                **common,
            ),
        ]
        for _ in range(60):
            try:
                with urllib.request.urlopen(self.url + "/bench/ceiling/", timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer; see {logs}")

    def stop(self):
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        self.log.close()


def _startup_round(limit: float = 300.0) -> float:
    """Wait until the worker has worked off what arrives when the processes start, and return the
    seconds waited.

    A new beat (its schedule file is new) sends every periodic job at once, and the worker's start
    queues the report snapshot: at a million requests that is minutes of the worker's and
    PostgreSQL's time (snapshots, the reminder sweep's full read, digests, weekly summaries). In
    service those jobs are spread over their periods; measured during the ceiling or the capacity
    phases they would be charged to whichever page happened to run then. So the phases start once
    the worker has nothing running or waiting and the queue is empty, twice in a row. Only the
    Redis broker can be asked (the embedded default's filesystem broker answers no inspection)."""
    from django.conf import settings

    from collab_portal.celery import app

    if not str(settings.CELERY_BROKER_URL).startswith("redis"):
        return 0.0
    started = time.monotonic()
    quiet = 0
    while time.monotonic() - started < limit and quiet < 2:
        inspect = app.control.inspect(timeout=1.0)
        active, reserved = inspect.active(), inspect.reserved()
        with app.connection_for_read() as connection:
            waiting = connection.default_channel.queue_declare(queue=app.conf.task_default_queue).message_count
        busy = active is None or any(active.values()) or any((reserved or {}).values()) or waiting
        quiet = 0 if busy else quiet + 1
        time.sleep(2)
    return time.monotonic() - started


def _settle(server: Server, limit: float = 60.0) -> None:
    """Wait until the server has worked off the previous phase's queue (the trivial view answers fast)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        started = time.monotonic()
        try:
            with urllib.request.urlopen(server.url + "/bench/ceiling/", timeout=5):  # noqa: S310
                pass
        except OSError:
            pass
        if time.monotonic() - started < 0.05:
            return
        time.sleep(1)


def _locust(server: Server, plan: Path, folder: Path, name: str, *, users: int, seconds: int, only: str = "") -> dict:
    _settle(server)
    prefix = folder / name
    env = dict(os.environ, BENCH_PLAN=str(plan), BENCH_ONLY=only, BENCH_QUERIES=str(prefix) + "-queries.json")
    subprocess.run(
        [
            _bin("locust"),
            "-f",
            str(ROOT / "bench" / "locustfile.py"),
            "--headless",
            "--users",
            str(users),
            "--spawn-rate",
            str(users),
            "--run-time",
            f"{seconds}s",
            "--host",
            server.url,
            "--csv",
            str(prefix),
            "--only-summary",
            "--loglevel",
            "ERROR",
            "--exit-code-on-error",
            "0",
        ],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=open(str(prefix) + ".log", "w"),  # noqa: SIM115 - the child's, closed when it exits
        timeout=seconds + 120,
    )
    queries = json.loads(Path(str(prefix) + "-queries.json").read_text() or "{}")
    rows = {}
    with open(f"{prefix}_stats.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["Name"] == "Aggregated":
                continue
            counts = queries.get(row["Name"], [])
            rows[row["Name"]] = {
                "requests": int(row["Request Count"]),
                "errors": int(row["Failure Count"]),
                "rps": round(float(row["Requests/s"]), 1),
                "p50_ms": _ms(row["50%"]),
                "p95_ms": _ms(row["95%"]),
                "p99_ms": _ms(row["99%"]),
                "queries": round(sum(counts) / len(counts), 1) if counts else None,
                "queries_max": max(counts) if counts else None,
            }
    return rows


def _ms(value: str) -> float | None:
    return None if value in ("", "N/A") else float(value)


def run(stdout, *, users: int = 20, seconds: int = 60, capacity_seconds: int = 15) -> dict:
    """Run the three phases; print the table; return the figures for the bench JSON."""
    folder = Path(tempfile.mkdtemp(prefix="collab-bench-"))
    plan = _plan(folder)
    env = _environment(folder)
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    workers = WEB_WORKERS
    stdout.write(f"Load: gunicorn ({workers} workers) + worker + beat, {users} locust users, no think time…")
    server = Server(folder, env, workers)
    try:
        waited = _startup_round()
        stdout.write(f"(the worker's start-up round of periodic jobs took {waited:.0f} s before measuring)")
        _locust(server, plan, folder, "warm-up", users=users, seconds=capacity_seconds)  # imports, caches
        ceiling = _locust(server, plan, folder, "ceiling", users=users, seconds=capacity_seconds, only="ceiling")
        ceiling_rps = next(iter(ceiling.values()))["rps"]
        capacity = {}
        for page in CAPACITY_PAGES:
            for name, row in _locust(
                server, plan, folder, f"capacity-{page}", users=users, seconds=capacity_seconds, only=page
            ).items():
                capacity[name] = row
        mix = _locust(server, plan, folder, "mix", users=users, seconds=seconds)
    finally:
        server.stop()

    pages = []
    for name, row in sorted(mix.items()):
        alone = capacity.get(name)
        share = round(alone["rps"] / ceiling_rps, 3) if alone and ceiling_rps else None
        is_list = name.startswith("list") or name in ("department inbox", "documents list", "api: request list")
        problems = []
        if row["errors"]:
            problems.append(f"{row['errors']} errors")
        if row["p95_ms"] is not None and row["p95_ms"] >= P95_TARGET_MS:
            problems.append(f"p95 {row['p95_ms']:.0f} ms")
        if is_list and share is not None and share < LIST_SHARE_TARGET:
            problems.append(f"{share:.1%} of the ceiling")
        pages.append(
            {
                "page": name,
                **row,
                "alone_rps": alone and alone["rps"],
                "share_of_ceiling": share,
                "is_list": is_list,
                "ok": not problems,
                "problems": problems,
            }
        )

    stdout.write("")
    stdout.write(
        f"{'page':<26}{'req/s':>7}{'p50':>7}{'p95':>7}{'p99':>7}{'err':>5}{'SQL':>6}"
        f"{'alone r/s':>10}{'×ceiling':>9}  verdict"
    )
    stdout.write(f"{'ceiling (trivial view)':<26}{ceiling_rps:>7.1f}{'':>37}{ceiling_rps:>10.1f}{1:>9.0%}")
    for p in pages:
        stdout.write(
            f"{p['page'][:25]:<26}{p['rps']:>7.1f}{_fmt(p['p50_ms'])}{_fmt(p['p95_ms'])}{_fmt(p['p99_ms'])}"
            f"{p['errors']:>5}{_fmt(p['queries'], 6)}{_fmt(p['alone_rps'], 10)}"
            f"{(format(p['share_of_ceiling'], '.1%') if p['share_of_ceiling'] is not None else '—'):>9}"
            f"  {'ok' if p['ok'] else ', '.join(p['problems'])}"
        )
    total = sum(p["requests"] for p in pages)
    errors = sum(p["errors"] for p in pages)
    return {
        "users": users,
        "seconds": seconds,
        "capacity_seconds": capacity_seconds,
        "web_workers": workers,
        "ceiling_rps": ceiling_rps,
        "capacity": capacity,
        "requests": total,
        "errors": errors,
        "pages": pages,
        "targets": {"p95_ms": P95_TARGET_MS, "list_share_of_ceiling": LIST_SHARE_TARGET, "errors": 0},
        "missed": [p["page"] for p in pages if not p["ok"]],
        "ok": all(p["ok"] for p in pages),
    }


def _fmt(value, width=7) -> str:
    if value is None:
        return f"{'—':>{width}}"
    return f"{value:>{width}.0f}" if width == 7 else f"{value:>{width}.1f}"


def summary(result: dict) -> str:
    """The load step's part of the bench's last line."""
    if not result:
        return "load step skipped"
    pages = result["pages"]
    worst = max(pages, key=lambda p: p["p95_ms"] or 0)
    lists = [p["share_of_ceiling"] for p in pages if p["is_list"] and p["share_of_ceiling"] is not None] or [0.0]
    return (
        f"load {result['users']} users: {result['requests']} requests, {result['errors']} errors, "
        f"worst p95 {worst['p95_ms']:.0f} ms ({worst['page']}, target < {P95_TARGET_MS} ms), "
        f"lists at {min(lists):.1%}–{max(lists):.1%} of the ceiling {result['ceiling_rps']:.0f} req/s "
        f"(target ≥ {LIST_SHARE_TARGET:.0%})" + (f"; missed: {', '.join(result['missed'])}" if result["missed"] else "")
    )
