"""`make cluster`: the portal across hosts made of network namespaces (scripts/cluster.py) —
PostgreSQL, Redis, S3-compatible media, two web hosts behind HAProxy, two workers and a beat —
and the checks that several machines promise, all passing. Minutes, so marked slow; it needs root
(ip netns), PostgreSQL 15's binaries, redis-server and haproxy (`make haproxy`, which `make test`
runs), and is skipped where they are missing."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))

pytestmark = pytest.mark.slow

MISSING = [
    what
    for what, present in [
        ("root", hasattr(os, "geteuid") and os.geteuid() == 0),
        ("ip", shutil.which("ip") is not None),
        ("haproxy", shutil.which("haproxy") is not None),
        ("redis-server", shutil.which("redis-server") is not None),
        ("PostgreSQL 15", (PG_BIN / "initdb").is_file()),
        ("moto_server", (Path(sys.executable).parent / "moto_server").is_file()),
    ]
    if not present
]


@pytest.mark.skipif(bool(MISSING), reason=f"make cluster needs {', '.join(MISSING)}")
def test_the_cluster_checks_all_pass():
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL")}
    result = subprocess.run(
        [sys.executable, "scripts/cluster.py"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=720
    )
    output = result.stdout + result.stderr
    print(output)  # the table of checks and figures (pytest -rP or -s shows it)
    assert result.returncode == 0, output
    assert "7/7 checks passed" in output, output
    for check in (
        "any web host serves any session",
        "upload through web1, download through web2",
        "renders done on either worker are served by either web host",
        "a web host killed under load",
        "two beats started by mistake",
        "Redis restarted: nothing lost",
        "a worker killed mid-render",
    ):
        assert check in output, output
    assert "FAIL" not in output, output
