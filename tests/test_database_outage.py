"""The database unreachable: /healthz/ answers 503 whatever cookie the probe carries, and every
page answers a short "back in a moment" page (503, in the visitor's language) instead of a 500.

The real WSGI application runs in a child process with production settings and a DATABASE_URL
whose port nothing listens on, so the shared PostgreSQL server is left alone."""

import json
import os
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Runs in the child: call the WSGI application directly for each request, print what it answered.
CHILD = r"""
import io, json, sys
from wsgiref.util import setup_testing_defaults
from collab_portal.wsgi import application

answers = []
for path, headers in json.loads(sys.argv[1]):
    environ = {"PATH_INFO": path, "REQUEST_METHOD": "GET", "HTTP_HOST": "127.0.0.1", "wsgi.input": io.BytesIO()}
    environ.update(headers)
    setup_testing_defaults(environ)
    got = {}
    def start_response(status, response_headers, exc_info=None):
        got["status"] = int(status.split()[0])
        got["headers"] = dict(response_headers)
    body = b"".join(application(environ, start_response)).decode()
    answers.append({"path": path, "status": got["status"], "headers": got["headers"], "body": body})
print(json.dumps(answers))
"""

SIGNED_IN = {"HTTP_COOKIE": "sessionid=abcdefghijklmnopqrstuvwxyz012345; csrftoken=" + "x" * 32}


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # released on close: nothing listens there


def _ask(requests: list) -> list[dict]:
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DJANGO_SETTINGS_MODULE")},
        "DJANGO_SETTINGS_MODULE": "collab_portal.settings",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{_closed_port()}/portal",
        "SECRET_KEY": "outage-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "DEBUG": "false",
        "HTTPS_ONLY": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "VAR_DIR": tempfile.mkdtemp(prefix="collab-outage-"),
        "WHITENOISE_USE_FINDERS": "true",
    }
    done = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps(requests)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def answers() -> dict:
    got = _ask(
        [
            ["/healthz/", {}],
            ["/healthz/", SIGNED_IN],
            ["/", {**SIGNED_IN, "HTTP_ACCEPT_LANGUAGE": "en"}],
            ["/tasks/", {**SIGNED_IN, "HTTP_ACCEPT_LANGUAGE": "en"}],
            ["/accounts/login/", {"HTTP_ACCEPT_LANGUAGE": "en"}],
        ]
    )
    return {(a["path"], i): a for i, a in enumerate(got)}


def test_healthz_names_the_database_with_or_without_a_session_cookie(answers):
    for key in (("/healthz/", 0), ("/healthz/", 1)):
        answer = answers[key]
        assert answer["status"] == 503, answer["body"][:300]
        assert "database" in json.loads(answer["body"])["failing"]


def test_pages_say_back_in_a_moment_rather_than_server_error(answers):
    for key in (("/", 2), ("/tasks/", 3)):
        answer = answers[key]
        assert answer["status"] == 503, (key, answer["body"][:300])
        assert "back in a moment" in answer["body"].lower() and 'lang="en"' in answer["body"]
        assert answer["headers"].get("Retry-After", "").isdigit()
        assert "Traceback" not in answer["body"]


def test_the_login_page_does_not_need_the_database_to_say_so(answers):
    answer = answers[("/accounts/login/", 4)]
    assert answer["status"] in (200, 503)
    assert "Server error" not in answer["body"]
