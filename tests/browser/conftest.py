"""Playwright for Python driving Debian's chromium (/usr/bin/chromium, installed by `make browser`)
against the real app served by pytest-django's live_server (static files included).

Screenshots go to test-artifacts/browser/ (git-ignored). Every page load is watched for console
errors, Content-Security-Policy violations included, and the journey fails on any of them."""

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from tests.accounts.conftest import ldap_configured, oidc_configured, oidc_provider, slapd  # noqa: F401
from tests.tasks.conftest import file_request, finance, purchase, support  # noqa: F401

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def playwright(monkeypatch):
    if not os.path.exists(CHROMIUM):
        pytest.skip("no /usr/bin/chromium: `make browser` installs it (apt-get install chromium fonts-noto-cjk)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make around
    # it are still synchronous and in-thread, which is what this flag allows, for this test only
    # (left set, it would reach subprocesses of later tests: `check --deploy` refuses it).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as instance:
        yield instance


class Browser:
    """One chromium with a fresh profile; `login` switches person, `shot` saves a screenshot."""

    def __init__(self, context, base_url: str, folder: Path):
        self.context = context
        self.base_url = base_url
        self.folder = folder
        self.page = context.pages[0] if context.pages else context.new_page()
        self.errors: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda e: self.errors.append(f"{self.page.url}: {e}"))
        self.page.on("response", self._response)
        self.step = 0

    def _console(self, message):
        # A failed load is reported (with its address) by _response; the rest is an error of the page.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.errors.append(f"{self.page.url}: {message.text}")

    def _response(self, response):
        if response.status >= 400:
            self.errors.append(f"{response.status} {response.url}")

    def goto(self, path: str):
        self.page.goto(self.base_url + path)
        self.page.wait_for_load_state("load")

    def login(self, username: str, password: str):
        self.context.clear_cookies()
        self.goto("/accounts/login/")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", password)
        with self.page.expect_navigation():
            self.page.click("form[action='/accounts/login/'] button[type=submit]")
        assert "/accounts/login/" not in self.page.url, f"{username} could not log in"

    def submit(self, selector: str):
        """Click a submit button and wait for the page it leads to."""
        with self.page.expect_navigation():
            self.page.click(selector)
        self.page.wait_for_load_state("load")

    def act(self, action: str, fill: dict | None = None):
        """Open a request's action panel (a Bootstrap collapse), fill it and send it."""
        self.page.click(f"button[data-bs-target='#act-{action}']")
        self.page.wait_for_selector(f"#act-{action}.show")
        for name, value in (fill or {}).items():
            field = f"#act-{action} [name={name}]"
            if self.page.eval_on_selector(field, "e => e.tagName") == "SELECT":
                self.page.select_option(field, value)
            else:
                self.page.fill(field, value)
        self.submit(f"#act-{action} button[type=submit]")

    def shot(self, name: str):
        self.step += 1
        self.folder.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(self.folder / f"{self.step:02d}-{name}.png"), full_page=True)

    def phone(self):
        self.page.set_viewport_size(PHONE)

    def desktop(self):
        self.page.set_viewport_size(DESKTOP)


@pytest.fixture
def browser_for(playwright, live_server, request):
    """browser_for(language, journey) -> Browser, closed at the end of the test."""
    opened = []

    def make(language: str, journey: str) -> Browser:
        profile = tempfile.mkdtemp(prefix="collab-chromium-")
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            headless=True,
            args=ARGS,
            locale="zh-CN" if language == "zh" else "en-US",
            extra_http_headers={"Accept-Language": "zh-CN,zh;q=0.9" if language == "zh" else "en-US,en;q=0.9"},
            viewport=DESKTOP,
            accept_downloads=True,
        )
        context.set_default_timeout(15000)
        opened.append((context, profile))
        return Browser(context, live_server.url, ARTIFACTS / journey / language)

    yield make
    for context, profile in opened:
        context.close()
        shutil.rmtree(profile, ignore_errors=True)
