"""Security headers on every page, and pages a strict CSP can serve: no inline script or style.

The pages checked are every GET of the authorization matrix that answers 200 with HTML, so a new
page is checked as soon as it has its matrix entry."""

import re

import pytest

from tests.conftest import login
from tests.test_authorization_matrix import MATRIX, _persona_user
from tests.test_settings import PRODUCTION, run_manage

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.I)
STYLE_ATTRIBUTE = re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I)
STYLE_ELEMENT = re.compile(r"<style[\s>]", re.I)
EVENT_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)
JAVASCRIPT_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']?\s*javascript:""", re.I)


def inline_violations(html: str) -> list[str]:
    found = []
    for name, pattern in [
        ("inline <script>", INLINE_SCRIPT),
        ("style= attribute", STYLE_ATTRIBUTE),
        ("<style> element", STYLE_ELEMENT),
        ("on…= event handler", EVENT_HANDLER),
        ("javascript: URL", JAVASCRIPT_URL),
    ]:
        found += [f"{name}: {match.group(0)[:120]}" for match in pattern.finditer(html)]
    return found


def test_the_detector_finds_what_csp_would_block():
    """The checks below would fail on a page with any of these (so their passing means something)."""
    assert len(inline_violations('<script>alert(1)</script><div style="color:red">')) == 2
    assert inline_violations("<style>p{}</style>") and inline_violations('<a href="javascript:x()">')
    assert inline_violations('<button onclick="x()">')
    assert not inline_violations('<script src="/static/a.js"></script><script type="application/json">{}</script>')
    assert not inline_violations('<p data-style="x" class="stylish">onion=1</p>')


def test_policy_has_no_unsafe_inline(client, org):
    login(client, org.requester)
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/healthz/"])
def test_headers_on_every_kind_of_response(client, org, path):
    if path == "/":
        login(client, org.requester)
    response = client.get(path)
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_session_cookie_is_http_only(client, org):
    response = client.post("/accounts/login/", {"username": "requester", "password": org.password})
    assert response.status_code == 302
    assert response.cookies["sessionid"]["httponly"]
    assert response.cookies["sessionid"]["samesite"] == "Lax"


def test_production_settings_require_https():
    """With the production variables (HTTPS_ONLY by default): redirect, HSTS, secure cookies."""
    code = (
        "from django.conf import settings as s; print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS,"
        " s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.X_FRAME_OPTIONS)"
    )
    result = run_manage(PRODUCTION, "shell", "-v", "0", "-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "31536000", "True", "True", "True", "DENY"]
    result = run_manage({**PRODUCTION, "HTTPS_ONLY": "false"}, "shell", "-v", "0", "-c", code)
    assert result.stdout.split() == ["False", "0", "False", "False", "False", "DENY"]


def test_https_only_sends_hsts_and_redirects(client, org, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    assert client.get("/accounts/login/").status_code == 301  # http → https
    assert client.get("/healthz/").status_code in (200, 503)  # load balancers may ask over http
    response = client.get("/accounts/login/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


PAGES = [
    pytest.param(key, index, persona, id=f"{key}[{index}]-{persona}")
    for key, checks in MATRIX.items()
    for index, check in enumerate(checks)
    for persona in ("involved", "manager", "admin")
    if check.method == "GET" and check.expect[persona] == 200
]


@pytest.mark.parametrize("key, index, persona", PAGES)
def test_pages_have_no_inline_script_or_style(key, index, persona, world, client):
    check = MATRIX[key][index]
    login(client, _persona_user(world, check, persona))
    response = client.get(check.url(world))
    assert response.status_code == 200
    if "text/html" not in response.get("Content-Type", ""):
        return
    assert not inline_violations(response.content.decode())
    assert "unsafe-inline" not in response["Content-Security-Policy"]


def test_htmx_fragments_have_no_inline_script_or_style(world, client):
    login(client, world.org.requester)
    response = client.get("/requests/list/mine/", headers={"HX-Request": "true"})
    assert response.status_code == 200 and world.task.number in response.content.decode()
    assert not inline_violations(response.content.decode())
