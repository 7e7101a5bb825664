"""PostgreSQL restarted under load: pages answer cleanly while it is down, and the running server
recovers by itself once it is back, without restarting the app.

A private PostgreSQL cluster is made for the test (initdb in a temporary folder, its own port), so
the shared server is left alone; gunicorn with the production settings serves the portal on it
while a thread keeps requesting pages that use the database."""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PG_BIN = Path("/usr/lib/postgresql/15/bin")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (PG_BIN / "initdb").exists(), reason="needs PostgreSQL 15's server binaries"),
    pytest.mark.skipif(
        not shutil.which("runuser") or os.geteuid() != 0, reason="needs root to run postgres as postgres"
    ),
]


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _pg(*args, folder: Path):
    return subprocess.run(
        ["runuser", "-u", "postgres", "--", *args], cwd=folder, capture_output=True, text=True, timeout=120, check=True
    )


def _get(url: str) -> tuple[int, str, float]:
    started = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - our own loopback server
            return response.status, response.read().decode(), time.monotonic() - started
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace"), time.monotonic() - started
    except OSError as error:
        return 0, str(error), time.monotonic() - started


@pytest.fixture
def private_postgres():
    folder = Path(tempfile.mkdtemp(prefix="collab-faults-pg-"))  # under /tmp, which postgres can reach
    shutil.chown(folder, "postgres", "postgres")
    port = _port()
    _pg(str(PG_BIN / "initdb"), "-D", str(folder / "data"), "-A", "trust", "-U", "postgres", folder=folder)
    ctl = [str(PG_BIN / "pg_ctl"), "-D", str(folder / "data"), "-l", str(folder / "log"), "-w"]
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1"
    _pg(*ctl, "-o", options, "start", folder=folder)
    _pg(str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(port), "portal", folder=folder)
    yield {"url": f"postgres://postgres@127.0.0.1:{port}/portal", "ctl": ctl, "options": options, "folder": folder}
    subprocess.run(["runuser", "-u", "postgres", "--", *ctl, "-m", "immediate", "stop"], capture_output=True)
    shutil.rmtree(folder, ignore_errors=True)


def test_pages_stay_clean_and_the_server_recovers(private_postgres, tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DJANGO_SETTINGS_MODULE")},
        "DJANGO_SETTINGS_MODULE": "collab_portal.settings",
        "DATABASE_URL": private_postgres["url"],
        "SECRET_KEY": "faults-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "DEBUG": "false",
        "HTTPS_ONLY": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "VAR_DIR": str(tmp_path / "var"),
        "WHITENOISE_USE_FINDERS": "true",
    }
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=300)
    port = _port()
    log = open(tmp_path / "gunicorn.log", "w")  # noqa: SIM115 - closed below
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "collab_portal.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", "2", "--timeout", "30"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    answers: list[tuple[float, str, int, str, float]] = []
    stop = threading.Event()

    def load():
        while not stop.is_set():
            for path in ("/healthz/", "/accounts/login/"):
                status, body, seconds = _get(base + path)
                answers.append((time.monotonic(), path, status, body, seconds))

    try:
        for _ in range(60):
            if _get(base + "/accounts/login/")[0] == 200:
                break
            time.sleep(0.5)
        thread = threading.Thread(target=load, daemon=True)
        thread.start()
        time.sleep(2)
        _pg(*private_postgres["ctl"], "-m", "fast", "stop", folder=private_postgres["folder"])
        down_at = time.monotonic()  # pg_ctl -w returned: it is down now
        time.sleep(3)
        _pg(*private_postgres["ctl"], "-o", private_postgres["options"], "start", folder=private_postgres["folder"])
        up_at = time.monotonic()
        time.sleep(4)
        stop.set()
        thread.join(timeout=20)
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()

    during = [a for a in answers if down_at + 0.2 < a[0] < up_at - 0.2]
    after = [a for a in answers if a[0] > up_at + 2]
    assert during and after, (len(answers), (tmp_path / "gunicorn.log").read_text()[-2000:])
    # While it is down: answers, never a hang, never a traceback; /healthz/ names the database
    # (the worker fails throughout: no worker runs in this test).
    assert all(a[2] in (200, 500, 503) and a[4] < 10 for a in during), [a[1:3] + (a[4],) for a in during][:10]
    assert all("Traceback" not in a[3] for a in answers)
    down_health = [json.loads(a[3]) for a in during if a[1] == "/healthz/" and a[2] == 503]
    assert down_health and all("database" in h["failing"] for h in down_health)
    # Once it is back, the same server (no restart) serves the database again.
    assert any(a[1] == "/healthz/" and "database" not in json.loads(a[3]).get("failing", ["database"]) for a in after)
    assert all(a[2] == 200 for a in after if a[1] == "/accounts/login/")
