"""SQL queries of the pages people use most and of the two commonest steps, held at or below what
they took before the workflow core and the plain-ORM pages (the benchmark's daily mix counts the
same pages). The on-commit work a step leaves (search index, notices' delivery) is counted too, as
it runs in the same web request; so is the delivery job, which tests run eagerly. Three features
came after those figures and cost one query each where they apply: the webhook subscriptions
read with a change, the personal IM apps read with a notice, and a notice's decision links
(Approve, Reject…) written with it; and the holder's notice when a delegate acted for them costs
its row and its delivery's read (two)."""

import uuid

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from departments.models import Delegation
from tasks.models import Approval, Task
from tests.conftest import login

LOCATION = settings.REDIS_URL or "redis://127.0.0.1:6379/12"

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("shared_cache_and_sessions"),
]


@pytest.fixture
def shared_cache_and_sessions():
    """The cache and sessions of a deployment with Redis, as the benchmark runs: sessions and the
    bell's count come from the cache. A prefix of its own: the test never clears what others share."""
    server = redis.Redis.from_url(LOCATION, socket_connect_timeout=0.5)
    try:
        server.ping()
    except redis.RedisError:
        pytest.skip(f"no Redis at {LOCATION}")
    prefix = f"step-counts-{uuid.uuid4().hex}"
    backend = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": LOCATION, "KEY_PREFIX": prefix}
    with override_settings(
        CACHES={"default": backend, "fragments": settings.FRAGMENT_CACHE},
        SESSION_ENGINE="django.contrib.sessions.backends.cached_db",
    ):
        yield
    for key in server.scan_iter(match=f"{prefix}:*"):
        server.delete(key)


def queries(client, method, url, data=None, *, capture=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        if capture is not None:
            with capture(execute=True):
                response = getattr(client, method)(url, data or {})
        else:
            response = getattr(client, method)(url, data or {})
    assert response.status_code == (302 if method == "post" else 200), (url, response.status_code)
    return len(ctx.captured_queries)


@pytest.fixture
def pending(org, purchase, file_request):
    """A few requests waiting for the sales head's approval, and a few in purchasing's inbox."""
    for n in range(3):
        file_request(purchase, title=f"采购{n}")
    return file_request(purchase, title="买十台电脑")


def test_the_request_page_as_its_requester_and_as_its_approver(client, org, pending):
    login(client, org.requester)
    client.get(f"/requests/{pending.number}/")  # per-process caches Django keeps (content types)
    assert queries(client, "get", f"/requests/{pending.number}/") <= 7
    login(client, org.sales_head)
    client.get(f"/requests/{pending.number}/")  # the bell's count, kept in the cache from then on
    assert queries(client, "get", f"/requests/{pending.number}/") <= 8


def test_approving_as_the_approver_and_as_their_delegate(
    client, org, pending, file_request, purchase, django_capture_on_commit_callbacks
):
    login(client, org.sales_head)
    client.get("/")
    url = f"/requests/{pending.number}/do/approve/"
    assert queries(client, "post", url, {"opinion": "同意"}, capture=django_capture_on_commit_callbacks) <= 31
    pending.refresh_from_db()
    assert pending.state == Task.State.PENDING_ACCEPTANCE
    # A delegate decides in the manager's name with the same queries, and two for the manager's notice.
    today = timezone.localdate()  # the portal's day (Asia/Shanghai), not the UTC date
    Delegation.objects.create(delegator=org.sales_head, delegate=org.sales_deputy, starts_on=today, ends_on=today)
    other = file_request(purchase, title="再买两台")
    login(client, org.sales_deputy)
    client.get("/")
    url = f"/requests/{other.number}/do/approve/"
    assert queries(client, "post", url, {"opinion": "同意"}, capture=django_capture_on_commit_callbacks) <= 34
    decided = Approval.objects.get(task=other)
    assert decided.decision == Approval.Decision.APPROVED and decided.decided_by == org.sales_deputy


def test_filing_a_request(client, org, support, django_capture_on_commit_callbacks):
    login(client, org.requester)
    client.get("/requests/new/support/")
    data = {"title": "打印机坏了", "description": "三楼", "priority": "2", "action": "submit"}
    # 31: one read of the CC list, who hear of the filing (tasks/watching.py).
    assert queries(client, "post", "/requests/new/support/", data, capture=django_capture_on_commit_callbacks) <= 31
    assert Task.objects.get(title="打印机坏了").state == Task.State.PENDING_ACCEPTANCE


def test_the_inbox_and_the_home_page(client, org, pending, support, file_request):
    for n in range(3):
        file_request(support, title=f"咨询{n}")
    login(client, org.purchasing_head)
    client.get("/requests/inbox/")
    assert queries(client, "get", "/requests/inbox/") <= 10
    login(client, org.sales_head)
    client.get("/")
    assert queries(client, "get", "/") <= 11
