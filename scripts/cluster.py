"""A cluster on one machine, for real (make cluster).

Builds hosts as Linux network namespaces, each with its own address on a private bridge (veth
pairs; the namespaces have no route off the bridge, so no traffic leaves the machine), and runs
the portal across them as production runs it:

    db       PostgreSQL 15, a private cluster (initdb) — never the machine's own server
    redis    redis-server: cache, sessions' cache, Celery broker
    s3       an S3-compatible server (moto) holding the media, or --media shared: one folder
    web1/2   gunicorn with the production settings (environment only)
    lb       HAProxy, round robin, health checks on /healthz/
    worker1/2, beat   Celery

then checks what several machines promise and prints a table of the checks with their figures.
Exit status 0 when every check passed. Every namespace, the bridge and every process are removed
on the way out, whatever happened (also on Ctrl-C or SIGTERM).

Needs root (ip netns), iproute2, PostgreSQL 15's binaries, redis-server and haproxy (the
Makefile's `cluster` target installs haproxy when it is missing).
"""

import argparse
import contextlib
import hashlib
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
PASSWORD = "Collab@2026"  # noqa: S105 - demo.organisation.DEMO_PASSWORD, printed by seed_demo
USER = "admin"

RUN_ID = f"{os.getpid() % 10000}"
OCTET = 100 + os.getpid() % 150  # the cluster's /24, so that two runs at once do not collide
NET = f"10.231.{OCTET}"
BRIDGE = f"cpbr{RUN_ID}"
HOSTS = {
    "db": 10,
    "redis": 11,
    "s3": 12,
    "web1": 21,
    "web2": 22,
    "lb": 30,
    "worker1": 41,
    "worker2": 42,
    "beat": 51,
    "beat2": 52,
}


def ip(host: str) -> str:
    return f"{NET}.{HOSTS[host]}"


def ns(host: str) -> str:
    return f"cp{RUN_ID}-{host}"


def log(message: str) -> None:
    print(f"[cluster {time.strftime('%H:%M:%S')}] {message}", flush=True)


class Cluster:
    def __init__(self, media: str, keep: bool = False):
        self.media = media
        self.keep = keep
        self.dir = Path(tempfile.mkdtemp(prefix="collab-portal-cluster-"))
        os.chmod(self.dir, 0o755)  # noqa: S103  # nosec B103 - the postgres user reaches its data folder inside
        self.procs: dict[str, subprocess.Popen] = {}
        self.namespaces: list[str] = []
        self.bridge = False
        self.secret = secrets.token_urlsafe(50)

    # --- machinery -------------------------------------------------------------------------
    def sh(self, *cmd: str, check: bool = True, **kwargs) -> subprocess.CompletedProcess:
        return subprocess.run(cmd, check=check, capture_output=True, text=True, **kwargs)

    def logfile(self, name: str) -> Path:
        return self.dir / f"{name}.log"

    def start(self, name: str, host: str, cmd: list[str], env: dict | None = None, user: str | None = None):
        """Start `cmd` on `host` (its namespace), its output in <dir>/<name>.log."""
        prefix = ["ip", "netns", "exec", ns(host)]
        if user:
            prefix += ["runuser", "-u", user, "--"]
        with open(self.logfile(name), "ab") as out:
            self.procs[name] = subprocess.Popen(
                prefix + cmd,
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env or self.env(host),
                cwd=ROOT,
                start_new_session=True,
            )

    def stop(self, name: str, sig=signal.SIGTERM, wait: float = 10) -> None:
        proc = self.procs.pop(name, None)
        if proc is None or proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, sig)
            proc.wait(timeout=wait)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)

    def kill_host(self, host: str) -> int:
        """Power a host off: SIGKILL every process in its namespace. Returns how many."""
        pids = self.sh("ip", "netns", "pids", ns(host), check=False).stdout.split()
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(pid), signal.SIGKILL)
        for name, proc in list(self.procs.items()):
            if str(proc.pid) in pids or name.startswith(host):
                try:
                    proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    pass
                self.procs.pop(name, None)
        return len(pids)

    def env(self, host: str) -> dict:
        var = self.dir / f"var-{host}"  # each host its own: nothing may rely on a local file
        var.mkdir(exist_ok=True)
        env = {
            "PATH": f"{BIN}:/usr/sbin:/usr/bin:/sbin:/bin",
            "HOME": str(var),
            "LANG": "C.UTF-8",
            "DJANGO_SETTINGS_MODULE": "collab_portal.settings",
            "SECRET_KEY": self.secret,
            "HTTPS_ONLY": "false",
            "ALLOWED_HOSTS": ",".join([ip("lb"), ip("web1"), ip("web2"), "localhost"]),
            "DATABASE_URL": f"postgres://postgres@{ip('db')}:5432/portal",
            "REDIS_URL": f"redis://{ip('redis')}:6379/0",
            "VAR_DIR": str(var),
            # Static files straight from static/ (as `make run` serves them): collectstatic with
            # compression is a build step of the image, minutes on two cores, and no part of what
            # several hosts prove.
            "WHITENOISE_USE_FINDERS": "true",
            "SITE_URL": f"http://{ip('lb')}",
            "HEARTBEAT_INTERVAL_SECONDS": "10",
            "LOG_LEVEL": "INFO",
        }
        if self.media == "s3":
            env.update(
                {
                    "MEDIA_STORAGE": "s3",
                    "AWS_STORAGE_BUCKET_NAME": "portal-media",
                    "AWS_S3_ENDPOINT_URL": f"http://{ip('s3')}:5000",
                    "AWS_ACCESS_KEY_ID": "cluster",
                    "AWS_SECRET_ACCESS_KEY": "cluster-secret",  # moto accepts any
                    "AWS_S3_REGION_NAME": "us-east-1",
                    "AWS_S3_ADDRESSING_STYLE": "path",
                }
            )
        else:
            env["MEDIA_ROOT"] = str(self.dir / "shared-media")
        return env

    def cleanup(self) -> None:
        for name in list(self.procs):
            self.stop(name, wait=5)
        for namespace in self.namespaces:
            for pid in self.sh("ip", "netns", "pids", namespace, check=False).stdout.split():
                with contextlib.suppress(ProcessLookupError):
                    os.kill(int(pid), signal.SIGKILL)
            self.sh("ip", "netns", "delete", namespace, check=False)
        if self.bridge:
            self.sh("ip", "link", "delete", BRIDGE, check=False)
        if self.keep:
            log(f"logs kept in {self.dir}")
        else:
            shutil.rmtree(self.dir, ignore_errors=True)

    # --- building the hosts ----------------------------------------------------------------
    def network(self) -> None:
        self.sh("ip", "link", "add", BRIDGE, "type", "bridge")
        self.bridge = True
        self.sh("ip", "addr", "add", f"{NET}.1/24", "dev", BRIDGE)
        self.sh("ip", "link", "set", BRIDGE, "up")
        for host, number in HOSTS.items():
            name = ns(host)
            self.sh("ip", "netns", "add", name)
            self.namespaces.append(name)
            veth = f"cp{RUN_ID}v{number}"
            self.sh("ip", "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", name)
            self.sh("ip", "link", "set", veth, "master", BRIDGE, "up")
            for cmd in (
                ["ip", "link", "set", "lo", "up"],
                ["ip", "addr", "add", f"{ip(host)}/24", "dev", "eth0"],
                ["ip", "link", "set", "eth0", "up"],
            ):
                self.sh("ip", "netns", "exec", name, *cmd)
        log(f"{len(HOSTS)} hosts on {NET}.0/24 (bridge {BRIDGE}, no route off it)")

    def wait_port(self, host: str, port: int, timeout: float = 60) -> None:
        import socket

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                socket.create_connection((ip(host), port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"{host}:{port} did not open within {timeout} s (see {self.dir})")

    def database(self) -> None:
        data = self.dir / "pgdata"
        data.mkdir()
        shutil.chown(data, "postgres", "postgres")
        self.sh("runuser", "-u", "postgres", "--", str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust",
                "-U", "postgres", "-E", "UTF8", "--no-sync")  # fmt: skip
        with open(data / "pg_hba.conf", "a") as hba:
            hba.write(f"host all all {NET}.0/24 trust\n")
        self.start("db", "db", [str(PG_BIN / "postgres"), "-D", str(data), "-c", f"listen_addresses={ip('db')}",
                                "-c", f"unix_socket_directories={data}", "-c", "fsync=off",
                                "-c", "max_connections=200"], env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}, user="postgres")  # fmt: skip
        self.wait_port("db", 5432)
        for _ in range(50):
            created = self.sh(str(PG_BIN / "createdb"), "-h", ip("db"), "-U", "postgres", "portal", check=False)
            if created.returncode == 0:
                break
            time.sleep(0.2)
        else:
            raise RuntimeError(f"createdb failed: {created.stderr}")

    def redis(self) -> None:
        # No persistence: a restart loses everything Redis held, the worst case the outbox must cover.
        self.start("redis", "redis", ["redis-server", "--bind", ip("redis"), "--port", "6379", "--save", "",
                                      "--appendonly", "no", "--protected-mode", "no"])  # fmt: skip
        self.wait_port("redis", 6379)

    def storage(self) -> None:
        if self.media != "s3":
            (self.dir / "shared-media").mkdir()
            return
        self.start("s3", "s3", [str(BIN / "moto_server"), "-H", ip("s3"), "-p", "5000"])
        self.wait_port("s3", 5000)
        import boto3

        boto3.client(
            "s3",
            endpoint_url=f"http://{ip('s3')}:5000",
            aws_access_key_id="cluster",
            aws_secret_access_key="cluster-secret",  # noqa: S106 - moto's, private to this run
            region_name="us-east-1",
        ).create_bucket(Bucket="portal-media")

    def release(self) -> None:
        """What a deploy does once: migrate, and here the demo organisation."""
        env = self.env("web1")
        for cmd in (["migrate", "--noinput", "-v0"], ["seed_demo", "--quiet"]):
            started = time.monotonic()
            done = subprocess.run(["ip", "netns", "exec", ns("web1"), str(BIN / "python"), "manage.py", *cmd],
                                  cwd=ROOT, env=env, capture_output=True, text=True)  # fmt: skip
            if done.returncode:
                raise RuntimeError(f"manage.py {cmd[0]} failed:\n{done.stdout}\n{done.stderr}")
            log(f"manage.py {cmd[0]}: {time.monotonic() - started:.0f} s")

    def web(self, host: str) -> None:
        self.start(host, host, [str(BIN / "gunicorn"), "collab_portal.wsgi:application", "--bind", f"{ip(host)}:8000",
                                "--workers", "2", "--access-logfile", "-", "--graceful-timeout", "5"])  # fmt: skip
        self.wait_port(host, 8000)

    def worker(self, host: str) -> None:
        self.start(host, host, [str(BIN / "celery"), "-A", "collab_portal", "worker", "--loglevel", "info",
                                "--concurrency", "2", "--hostname", f"{host}@%h"])  # fmt: skip

    def beat(self, host: str) -> None:
        var = self.dir / f"var-{host}"
        self.start(host, host, [str(BIN / "celery"), "-A", "collab_portal", "beat", "--loglevel", "info",
                                "--pidfile", str(var / "celerybeat.pid")])  # fmt: skip

    def balancer(self) -> None:
        config = self.dir / "haproxy.cfg"
        config.write_text(
            f"""global
    maxconn 1000
    stats socket {self.dir}/haproxy.sock mode 600 level admin
defaults
    mode http
    timeout connect 1s
    timeout client 30s
    timeout server 30s
    # A request refused by a host that just died, or whose host died before answering a GET,
    # goes to the other host rather than failing.
    retries 2
    option redispatch
    retry-on conn-failure empty-response response-timeout
frontend portal
    bind {ip("lb")}:80
    default_backend web
backend web
    balance roundrobin
    # The guide's safer split (docs/operations.md §4): a host is in while /healthz/ answers at
    # all. A 503 names a broker or worker problem that every host shares; taking them all out
    # for it would turn a Redis restart into an outage of pages that still work.
    option httpchk GET /healthz/
    http-check expect rstatus ^(200|503)$
    default-server inter 1s fall 2 rise 2
    http-response set-header X-Served-By %s
    server web1 {ip("web1")}:8000 check
    server web2 {ip("web2")}:8000 check
"""
        )
        self.start("lb", "lb", ["haproxy", "-f", str(config), "-db"], env={"PATH": "/usr/sbin:/usr/bin:/bin"})
        self.wait_port("lb", 80)

    def up(self) -> None:
        started = time.monotonic()
        self.network()
        self.database()
        self.redis()
        self.storage()
        self.release()
        for host in ("worker1", "worker2"):
            self.worker(host)
        self.beat("beat")
        for host in ("web1", "web2"):
            self.web(host)
        self.balancer()
        self.wait_healthy()
        log(f"cluster up in {time.monotonic() - started:.0f} s; logs in {self.dir}")

    def backend_status(self) -> dict[str, str]:
        """Each web host's state in HAProxy now (its stats socket): UP, DOWN, or on the way (UP 1/2)."""
        import socket

        with socket.socket(socket.AF_UNIX) as sock:
            sock.connect(str(self.dir / "haproxy.sock"))
            sock.sendall(b"show stat\n")
            data = b""
            while chunk := sock.recv(65536):
                data += chunk
        status = {}
        for line in data.decode().splitlines():
            fields = line.split(",")
            if len(fields) > 17 and fields[0] == "web" and fields[1].startswith("web"):
                status[fields[1]] = fields[17]
        return status

    def backends_up(self) -> set[str]:
        return {host for host, state in self.backend_status().items() if state == "UP"}

    def wait_healthy(self, hosts=("web1", "web2"), timeout: float = 90) -> float:
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if set(hosts) <= self.backends_up():
                return time.monotonic() - started
            time.sleep(0.25)
        raise RuntimeError(f"the balancer did not see {hosts} healthy within {timeout} s: {self.backends_up()}")

    def db(self, sql: str, *params):
        import psycopg

        with psycopg.connect(f"postgresql://postgres@{ip('db')}:5432/portal", connect_timeout=3) as conn:
            return conn.execute(sql, params).fetchall()

    def logs(self, *names: str) -> str:
        return "".join(self.logfile(name).read_text(errors="replace") for name in names if self.logfile(name).exists())


# --- a person in a browser --------------------------------------------------------------------
class Browser:
    """Signs in on one host and can then present the same cookie to any other."""

    def __init__(self):
        self.cookies: dict[str, str] = {}

    def headers(self) -> dict:
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), "Accept-Language": "en"}

    def _keep(self, response) -> None:
        for key in ("sessionid", "csrftoken"):
            if key in response.cookies:
                self.cookies[key] = response.cookies[key]

    def get(self, base: str, path: str, **kwargs):
        response = requests.get(base + path, headers=self.headers(), allow_redirects=False, timeout=30, **kwargs)
        self._keep(response)
        return response

    def post(self, base: str, path: str, data: dict, files=None):
        if "csrftoken" not in self.cookies:
            self.get(base, "/accounts/login/")
        data = {"csrfmiddlewaretoken": self.cookies["csrftoken"], **data}
        headers = {**self.headers(), "Referer": base + path}
        response = requests.post(
            base + path, data=data, files=files, headers=headers, allow_redirects=False, timeout=60
        )
        self._keep(response)
        return response

    def sign_in(self, base: str, username: str = USER) -> None:
        self.get(base, "/accounts/login/")
        response = self.post(base, "/accounts/login/", {"username": username, "password": PASSWORD})
        if response.status_code != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"sign-in at {base} failed: {response.status_code}")

    def signed_in(self, base: str) -> bool:
        response = self.get(base, "/")
        return response.status_code == 200 and USER in response.text


def url(host: str) -> str:
    return f"http://{ip(host)}" + ("" if host == "lb" else ":8000")


# --- the checks -------------------------------------------------------------------------------
class Checks:
    def __init__(self, cluster: Cluster):
        self.cluster = cluster
        self.rows: list[tuple[str, bool, str]] = []

    def record(self, name: str, ok: bool, figures: str) -> None:
        self.rows.append((name, ok, figures))
        log(f"{'PASS' if ok else 'FAIL'}  {name}: {figures}")

    def run(self, name: str, check) -> None:
        try:
            check()
        except Exception as exc:  # noqa: BLE001 - a check that broke is a failed check, the rest still run
            self.record(name, False, f"error: {exc.__class__.__name__}: {exc}"[:300])

    def some_requests(self, count: int) -> list[str]:
        return [
            number
            for (number,) in self.cluster.db(
                "SELECT number FROM tasks_task WHERE state NOT IN ('draft', 'cancelled') ORDER BY id LIMIT %s", count
            )
        ]

    def sessions(self) -> None:
        one, two = Browser(), Browser()
        one.sign_in(url("web1"))
        two.sign_in(url("web2"))
        crossed = one.signed_in(url("web2")) and two.signed_in(url("web1"))
        served = Counter()
        signed = 0
        for _ in range(20):
            response = one.get(url("lb"), "/")
            served[response.headers.get("X-Served-By", "?")] += 1
            signed += response.status_code == 200 and USER in response.text
        self.record(
            "any web host serves any session",
            crossed and signed == 20 and set(served) == {"web1", "web2"},
            f"signed in on web1 → used on web2 and back: {'yes' if crossed else 'NO'}; "
            f"via balancer {signed}/20 signed in, served by {dict(sorted(served.items()))}",
        )

    def upload(self) -> None:
        number = self.some_requests(1)[0]
        person = Browser()
        person.sign_in(url("web1"))
        content = f"cluster upload {secrets.token_hex(16)}\n".encode() * 2000
        name = f"cluster-{secrets.token_hex(4)}.txt"
        response = person.post(
            url("web1"), f"/requests/{number}/do/comment/", {"body": "uploaded through web1"},
            files=[("files", (name, content, "text/plain"))],
        )  # fmt: skip
        if response.status_code != 302:
            raise RuntimeError(f"upload through web1 answered {response.status_code}")
        ((pk,),) = self.cluster.db("SELECT id FROM tasks_attachment WHERE name = %s", name)
        got = person.get(url("web2"), f"/requests/{number}/files/{pk}/")
        same = got.status_code == 200 and hashlib.sha256(got.content).digest() == hashlib.sha256(content).digest()
        ((stored,),) = self.cluster.db("SELECT file FROM tasks_attachment WHERE id = %s", pk)
        where = self.stored_where(stored)
        self.record(
            "upload through web1, download through web2",
            same and "yes" in where,
            f"{len(content):,} bytes, sha256 {'equal' if same else 'DIFFERENT'} (HTTP {got.status_code}); {where}",
        )

    def stored_where(self, name: str) -> str:
        if self.cluster.media == "s3":
            import boto3

            client = boto3.client(
                "s3", endpoint_url=f"http://{ip('s3')}:5000", aws_access_key_id="cluster",
                aws_secret_access_key="cluster-secret", region_name="us-east-1",  # noqa: S106
            )  # fmt: skip
            keys = [item["Key"] for item in client.list_objects_v2(Bucket="portal-media").get("Contents", [])]
            return f"in the S3 bucket: {'yes' if name in keys else 'NO'} ({len(keys)} objects)"
        found = (self.cluster.dir / "shared-media" / name).is_file()
        return f"in the shared folder: {'yes' if found else 'NO'}"

    def renders(self) -> None:
        numbers = self.some_requests(10)
        person = Browser()
        person.sign_in(url("lb"))
        before = {host: len(self.cluster.logs(host)) for host in ("worker1", "worker2")}
        for index, number in enumerate(numbers):
            host = "web1" if index % 2 else "web2"
            response = person.post(url(host), f"/requests/{number}/form/", {})
            if response.status_code != 302:
                raise RuntimeError(f"render request through {host} answered {response.status_code}")
        deadline = time.monotonic() + 90
        rows = []
        while time.monotonic() < deadline:
            rows = self.cluster.db(
                "SELECT f.id, f.status FROM core_generatedfile f JOIN tasks_task t ON t.id = f.object_id "
                "WHERE f.kind = 'request_form' AND t.number = ANY(%s)", numbers
            )  # fmt: skip
            if len(rows) == len(numbers) and all(status in ("ready", "failed") for _, status in rows):
                break
            time.sleep(0.5)
        ready = [pk for pk, status in rows if status == "ready"]
        served = Counter()
        for pk in ready:
            for host in ("web1", "web2"):
                response = person.get(url(host), f"/files/{pk}/")
                served[host] += response.status_code == 200 and response.content[:2] == b"PK"
        by_worker = {
            host: len(
                re.findall(
                    r"core\.tasks\.render_generated\[[^\]]+\] succeeded", self.cluster.logs(host)[before[host] :]
                )
            )
            for host in ("worker1", "worker2")
        }
        self.record(
            "renders done on either worker are served by either web host",
            len(ready) == len(numbers) and all(by_worker.values()) and served == {h: len(ready) for h in served}
            and len(served) == 2,
            f"{len(ready)}/{len(numbers)} .docx ready; rendered by {by_worker}; "
            f"downloaded whole from web1 {served['web1']}, web2 {served['web2']}",
        )  # fmt: skip

    def web_killed(self) -> None:
        threads_count = 6
        results: list[tuple[float, int, str]] = []  # (time, status or 0 for an error, served by)
        lock = threading.Lock()
        stop = threading.Event()
        browsers = []
        for _ in range(threads_count):
            browser = Browser()
            browser.sign_in(url("lb"))
            browsers.append(browser)

        def load(browser: Browser) -> None:
            while not stop.is_set():
                try:
                    response = browser.get(url("lb"), "/")
                    outcome = (time.monotonic(), response.status_code, response.headers.get("X-Served-By", "?"))
                except requests.RequestException:
                    outcome = (time.monotonic(), 0, "?")
                with lock:
                    results.append(outcome)

        workers = [threading.Thread(target=load, args=(b,), daemon=True) for b in browsers]
        for worker in workers:
            worker.start()
        time.sleep(5)
        killed_at = time.monotonic()
        killed = self.cluster.kill_host("web1")
        routed_round = None
        while time.monotonic() - killed_at < 15:
            if self.cluster.backend_status().get("web1", "").startswith("DOWN"):
                routed_round = time.monotonic() - killed_at
                break
            time.sleep(0.1)
        time.sleep(max(0.0, 8 - (time.monotonic() - killed_at)))
        back_at = time.monotonic()
        self.cluster.web("web1")
        back_after = self.cluster.wait_healthy(("web1",), timeout=60)
        time.sleep(6)
        stop.set()
        for worker in workers:
            worker.join(timeout=35)
        failed = [r for r in results if r[1] != 200]
        after = [r for r in results if r[0] > back_at + back_after + 1]
        web1_after = sum(1 for r in after if r[2] == "web1")
        during = [r for r in results if killed_at <= r[0] <= back_at]
        self.record(
            "a web host killed under load",
            len(failed) <= threads_count and routed_round is not None and web1_after > 0
            and all(r[2] == "web2" for r in during if r[1] == 200 and r[0] > killed_at + 1),
            f"{len(results)} requests by {threads_count} clients; web1 killed ({killed} processes), balancer "
            f"routed round it after {routed_round if routed_round is None else round(routed_round, 1)} s; "
            f"failed {len(failed)} (bound: {threads_count} in flight); back after {back_after:.1f} s, then took "
            f"{web1_after}/{len(after)} requests",
        )  # fmt: skip

    def two_beats(self) -> None:
        started = time.monotonic()
        self.cluster.beat("beat2")
        time.sleep(float(os.environ.get("CLUSTER_BEAT_SECONDS", 45)))
        self.cluster.stop("beat2")
        text = self.cluster.logs("worker1", "worker2")
        sent = re.findall(r"periodic (\S+): sent for (\S+)", text)
        skipped = re.findall(r"periodic (\S+): .* already sent", text)
        twice = [key for key, count in Counter(key for _, key in sent).items() if count > 1]
        heartbeats = len(re.findall(r"collab_portal\.tasks\.heartbeat\[[^\]]+\] succeeded", text))
        beat_sends = Counter()
        for host in ("beat", "beat2"):
            beat_sends[host] = len(re.findall(r"Sending due task", self.cluster.logs(host)))
        self.record(
            "two beats started by mistake: each job once per period",
            not twice and skipped and all(beat_sends.values()),
            f"second beat ran {time.monotonic() - started:.0f} s; sends by beat {beat_sends['beat']}, beat2 "
            f"{beat_sends['beat2']}; jobs run {len(sent)} (heartbeats {heartbeats}), second sends skipped "
            f"{len(skipped)}, periods run twice {len(twice)}",
        )

    def redis_restart(self) -> None:
        number = self.some_requests(1)[0]
        person = Browser()
        person.sign_in(url("lb"))
        ((before,),) = self.cluster.db("SELECT coalesce(max(id), 0) FROM notifications_delivery")
        self.cluster.stop("redis", sig=signal.SIGKILL)
        down_at = time.monotonic()
        # While Redis is down: a comment (its notices go to the outbox) straight to a web host.
        ((requester,),) = self.cluster.db(
            "SELECT u.username FROM tasks_task t JOIN departments_user u ON u.id = t.requester_id WHERE t.number = %s",
            number,
        )
        body = f"@{requester} while Redis was down {secrets.token_hex(4)}"  # a mention: an e-mail in the outbox
        during = person.post(url("lb"), f"/requests/{number}/do/comment/", {"body": body})
        page_during = person.get(url("lb"), "/")
        waiting = self.cluster.db("SELECT count(*) FROM notifications_delivery WHERE id > %s", before)[0][0]
        time.sleep(3)
        self.cluster.redis()
        restarted_after = time.monotonic() - down_at
        signed_in = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            response = person.get(url("lb"), "/")
            if response.status_code == 200:
                signed_in = USER in response.text
                break
            if response.status_code == 302:
                signed_in = False
                break
            time.sleep(0.5)
        answered = time.monotonic() - down_at
        comment_kept = bool(self.cluster.db("SELECT id FROM tasks_comment WHERE body = %s", body))
        pending, sent = 0, 0
        deadline = time.monotonic() + 150
        while time.monotonic() < deadline:
            rows = self.cluster.db(
                "SELECT status, count(*) FROM notifications_delivery WHERE id > %s GROUP BY status", before
            )
            counts = dict(rows)
            pending = counts.get("pending", 0) + counts.get("sending", 0)
            sent = counts.get("sent", 0)
            if not pending and sent:
                break
            time.sleep(2)
        self.record(
            "Redis restarted: nothing lost",
            during.status_code == 302
            and comment_kept
            and waiting > 0
            and not pending
            and sent >= waiting
            and page_during.status_code == 200
            and signed_in is True,
            f"comment while down: HTTP {during.status_code}, {waiting} notice(s) kept in the outbox (home page "
            f"{page_during.status_code}); Redis back after "
            f"{restarted_after:.0f} s; first page after it at {answered:.0f} s, session "
            f"{'kept' if signed_in else 'asked to sign in again' if signed_in is False else 'NOT answered'}; "
            f"outbox: {sent} sent, {pending} left",
        )

    def worker_killed(self) -> None:
        """Renders asked, then the host of worker1 powered off with some of them in its hands: the
        beat's sweep (core.rendering.requeue_stuck) gives them to worker2, each made once."""
        numbers = self.some_requests(20)
        person = Browser()
        person.sign_in(url("lb"))
        for number in numbers:  # a comment makes each request's sheet a new version, to be made again
            person.post(url("lb"), f"/requests/{number}/do/comment/", {"body": "before the worker check"})
        ((before,),) = self.cluster.db("SELECT coalesce(max(id), 0) FROM core_generatedfile")
        for number in numbers:
            person.post(url("lb"), f"/requests/{number}/form/", {})
        self.cluster.kill_host("worker1")
        killed_at = time.monotonic()
        query = "SELECT id, status, attempts, file FROM core_generatedfile WHERE kind = 'request_form' AND id > %s"
        at_kill = Counter(status for _, status, _, _ in self.cluster.db(query, before))
        rows = []
        while time.monotonic() - killed_at < 150:
            rows = self.cluster.db(query, before)
            if rows and all(status in ("ready", "failed") for _, status, _, _ in rows):
                break
            time.sleep(1)
        finished = time.monotonic() - killed_at
        self.cluster.worker("worker1")
        ready = [row for row in rows if row[1] == "ready"]
        files = {row[3] for row in ready}
        again = sum(1 for row in ready if row[2] > 1)
        in_flight = at_kill["queued"] + at_kill["rendering"]
        self.record(
            "a worker killed mid-render",
            bool(rows) and len(ready) == len(rows) and len(files) == len(rows) and in_flight > 0,
            f"{len(rows)} renders asked, then worker1 killed; at the kill {at_kill['rendering']} rendering, {at_kill['queued']} queued, "
            f"{at_kill['ready']} ready; all {len(ready)} ready after {finished:.0f} s, {again} made again after the "
            f"kill, {len(files)} files (one per job)",
        )

    def table(self) -> bool:
        width = max(len(name) for name, _, _ in self.rows)
        print()
        print(f"{'check'.ljust(width)}  result  figures")
        print(f"{'-' * width}  ------  {'-' * 60}")
        for name, ok, figures in self.rows:
            print(f"{name.ljust(width)}  {'PASS' if ok else 'FAIL':6}  {figures}")
        passed = sum(ok for _, ok, _ in self.rows)
        print(f"\n{passed}/{len(self.rows)} checks passed")
        return passed == len(self.rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--media", choices=["s3", "shared"], default=os.environ.get("CLUSTER_MEDIA", "s3"))
    parser.add_argument("--keep-logs", action="store_true", help="keep the hosts' logs (printed path)")
    parser.add_argument(
        "--only",
        default="",
        help="comma-separated checks: sessions,upload,renders,web_killed,two_beats,redis_restart,worker_killed",
    )
    args = parser.parse_args()
    if os.geteuid() != 0:
        print("make cluster needs root (ip netns).", file=sys.stderr)
        return 2
    cluster = Cluster(args.media, keep=args.keep_logs)

    def interrupted(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGINT, interrupted)
    started = time.monotonic()
    ok = False
    try:
        cluster.up()
        checks = Checks(cluster)
        names = ["sessions", "upload", "renders", "web_killed", "two_beats", "redis_restart", "worker_killed"]
        for name in args.only.split(",") if args.only else names:
            checks.run(name.replace("_", " "), getattr(checks, name))
        ok = checks.table()
        print(f"cluster run took {time.monotonic() - started:.0f} s (media: {args.media})")
    except Exception:
        cluster.keep = True
        raise
    finally:
        cluster.cleanup()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
