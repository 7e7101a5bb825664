"""Locust users for `make bench` (started by bench/load.py, headless, no think time).

Each simulated person acts as a real demo login (a session made beforehand) and, with no pause, does what people do
all day: look at the home page, lists, a request, the inbox, documents; file a request, approve
one, comment; and, as an integration would, read the request list and a request through the API. Managers approve and use the inbox; staff file and comment.

Environment: BENCH_PLAN (a JSON file written by bench/load.py: each person's session, the request
numbers and document ids they may open, the request type to file), BENCH_ONLY (run one page only: the capacity
phases), BENCH_QUERIES (where to write the SQL query counts per page, from X-Bench-Queries).
"""

import itertools
import json
import os
import random
import re
import string
from collections import defaultdict
from http.cookiejar import Cookie
from urllib.parse import urlencode, urlsplit

from locust import FastHttpUser, constant, events, task

PLAN = json.loads(open(os.environ["BENCH_PLAN"]).read()) if os.environ.get("BENCH_PLAN") else {}
ONLY = os.environ.get("BENCH_ONLY", "")
QUERIES: dict[str, list[int]] = defaultdict(list)
NUMBER = re.compile(r'href="/requests/([A-Z]+-\d{4}-\d+)/"')
_logins = itertools.count()


@events.request.add_listener
def _count_queries(request_type, name, response, exception, **kwargs):
    count = response.headers.get("X-Bench-Queries") if response is not None and exception is None else None
    if count:
        QUERIES[name].append(int(count))


def _cookie(name: str, value: str, domain: str) -> Cookie:
    return Cookie(0, name, value, None, False, domain, False, False, "/", True, False, None, False, None, None, {})


@events.quitting.add_listener
def _write_queries(environment, **kwargs):
    if os.environ.get("BENCH_QUERIES"):
        with open(os.environ["BENCH_QUERIES"], "w") as handle:
            json.dump(QUERIES, handle)


class Person(FastHttpUser):
    """FastHttpUser (geventhttpclient) rather than HttpUser (requests): the load generator shares the
    machine's two cores with the server, and this client spends several times less CPU per request."""

    wait_time = constant(0)

    def on_start(self):
        # Logged in beforehand (bench/load.py makes a session per person): the phases measure pages,
        # not password hashing.
        # The inbox alone is measured with managers only (it is theirs; staff would get 403).
        order = (
            [name for name in PLAN["order"] if PLAN["people"][name]["manager"]] if ONLY == "inbox" else PLAN["order"]
        )
        self.username = order[next(_logins) % len(order)]
        self.me = PLAN["people"][self.username]
        self.manager = self.me["manager"]
        # Cookies for the server's own host, so that one it sets later replaces them instead of doubling them.
        domain = urlsplit(self.host).hostname
        self.client.cookiejar.set_cookie(_cookie("sessionid", self.me["session"], domain))
        # Django accepts a well-formed CSRF cookie the client brings; the form sends the same value.
        self.token = "".join(random.choices(string.ascii_letters + string.digits, k=32))
        self.client.cookiejar.set_cookie(_cookie("csrftoken", self.token, domain))

    def _post(self, url, data, name):
        with self.client.post(
            url,
            urlencode({**data, "csrfmiddlewaretoken": self.token}),
            headers={"Content-Type": "application/x-www-form-urlencoded", "Referer": self.host + url},
            name=name,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"{response.status_code} instead of a redirect")

    # The pages. Weights give the realistic mix; BENCH_ONLY runs one of them alone.

    def ceiling(self):
        self.client.get("/bench/ceiling/", name="ceiling (trivial view)")

    def dashboard(self):
        self.client.get("/", name="dashboard")

    def list_mine(self):
        self.client.get("/requests/list/mine/", name="list: my requests")

    def list_all(self):
        self.client.get("/requests/list/all/", name="list: all I can see")

    def list_filtered(self):
        self.client.get("/requests/list/all/?state=in_progress&overdue=on", name="list: filtered")

    def inbox(self):
        if self.manager:
            self.client.get("/requests/inbox/", name="department inbox")
        else:
            self.assigned()

    def assigned(self):
        self.client.get("/requests/list/assigned/", name="list: assigned to me")

    def detail(self):
        self.client.get(f"/requests/{random.choice(self.me['requests'])}/", name="request page")

    def documents(self):
        self.documents_list()
        if self.me["documents"]:
            self.client.get(f"/documents/{random.choice(self.me['documents'])}/", name="document page")

    def documents_list(self):
        self.client.get("/documents/?scope=all", name="documents list")

    def api_list(self):
        self.client.get(
            "/api/v1/requests/", headers={"Authorization": f"Bearer {self.me['token']}"}, name="api: request list"
        )

    def api_detail(self):
        if not self.me["requests"]:  # a small demo organisation leaves some people with none
            self.api_list()
            return
        self.client.get(
            f"/api/v1/requests/{random.choice(self.me['requests'])}/",
            headers={"Authorization": f"Bearer {self.me['token']}"},
            name="api: request",
        )

    def file(self):
        code = PLAN["request_type"]
        self.client.get(f"/requests/new/{code}/", name="filing form")
        self._post(
            f"/requests/new/{code}/",
            {"title": "基准测试：领用办公用品", "description": "load test", "priority": "2", "action": "submit"},
            "file a request",
        )

    def approve(self):
        page = self.client.get("/requests/list/approvals/", name="list: to approve")
        numbers = NUMBER.findall(page.text)
        if numbers:
            self._post(f"/requests/{numbers[0]}/do/approve/", {"opinion": "同意"}, "approve")

    def comment(self):
        self._post(f"/requests/{random.choice(self.me['requests'])}/do/comment/", {"body": "收到，跟进中"}, "comment")

    @task
    def work(self):
        if ONLY:
            getattr(self, ONLY)()
            return
        action = random.choices(MIX, weights=WEIGHTS)[0]
        if action in ("approve",) and not self.manager:
            action = "list_mine"
        getattr(self, action)()


MIX_WEIGHTS = {
    "dashboard": 20,
    "list_mine": 12,
    "list_all": 8,
    "list_filtered": 5,
    "inbox": 10,
    "detail": 25,
    "documents": 6,
    "file": 4,
    "approve": 5,
    "comment": 5,
    "api_list": 4,
    "api_detail": 4,
}
MIX, WEIGHTS = list(MIX_WEIGHTS), list(MIX_WEIGHTS.values())
