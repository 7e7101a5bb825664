"""A real OpenID provider for the sign-in tests: tests/oidc_provider_project (django-oidc-provider)
run by Django's development server in its own process on a free port, with its own SQLite file."""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import requests

from tests.accounts.ldap_server import free_port

ROOT = Path(__file__).resolve().parents[2]
CLIENT_ID = "collab-portal"
CLIENT_SECRET = "portal-client-secret-for-tests"
PASSWORD = "Provider-pass-2026"


class Provider:
    def __init__(self):
        self.folder = Path(tempfile.mkdtemp(prefix="collab-op-"))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.issuer = f"{self.url}/openid"
        self.env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
        }
        self.env.update(
            DJANGO_SETTINGS_MODULE="tests.oidc_provider_project.settings",
            OP_DATABASE=str(self.folder / "op.sqlite3"),
            OP_SITE_URL=self.url,
            PYTHONPATH=str(ROOT),
        )
        self.process = None

    def manage(self, *args: str) -> None:
        result = subprocess.run(
            [sys.executable, "-m", "django", *args], cwd=ROOT, env=self.env, capture_output=True, text=True
        )
        if result.returncode != 0:
            raise RuntimeError(f"provider's {args[0]} failed: {result.stderr[-3000:]}")

    def start(self) -> "Provider":
        self.manage("migrate", "--noinput", "-v0")
        self.log = open(self.folder / "server.log", "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "django", "runserver", f"127.0.0.1:{self.port}", "--noreload"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the provider exited: {(self.folder / 'server.log').read_text()[-3000:]}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("the provider did not start listening in 30 s")

    def setup(self, *, portal_urls: list[str], people: list[dict]) -> None:
        """Register the portal (its callback and sign-out return at each of `portal_urls`) and people."""
        people_file = self.folder / "people.json"
        people_file.write_text(json.dumps([{"password": PASSWORD, **p} for p in people]))
        args = ["op_setup", "--client-id", CLIENT_ID, "--client-secret", CLIENT_SECRET, "--people", str(people_file)]
        for url in portal_urls:
            args += ["--redirect-uri", f"{url}/accounts/oidc/callback/", "--logout-uri", f"{url}/accounts/login/"]
        self.manage(*args)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.log.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    def sign_in(self, authorize_url: str, username: str, password: str = PASSWORD, session=None) -> str:
        """Go through the provider's login page as a browser would; return where it sends the
        browser back (the portal's callback with a code), or the page's URL when it does not."""
        session = session or requests.Session()
        response = session.get(authorize_url, allow_redirects=True, timeout=10)
        if "/login/" not in response.url:
            return self._follow(session, response.url)
        next_url = dict(p.split("=", 1) for p in urlsplit(response.url).query.split("&"))["next"]
        response = session.post(
            response.url,
            data={
                "username": username,
                "password": password,
                "next": requests.utils.unquote(next_url),
                "csrfmiddlewaretoken": session.cookies["op_csrftoken"],
            },
            allow_redirects=False,
            timeout=10,
        )
        if response.status_code != 302:
            return response.url
        return self._follow(session, urljoin(response.url, response.headers["Location"]))

    def _follow(self, session, url: str) -> str:
        while url.startswith(self.url):
            response = session.get(url, allow_redirects=False, timeout=10)
            if response.status_code != 302:
                return url
            url = urljoin(url, response.headers["Location"])
        return url
