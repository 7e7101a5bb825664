"""A NUL character (%00) anywhere in an address, a query value or a posted value never makes a 500.

PostgreSQL refuses NUL in text, so these checks mean most there (CI runs them on PostgreSQL too):
every URL pattern of the project is requested with a NUL in each of its parameters that takes one,
and every page with NUL in the query values the views read, by an anonymous visitor, a member and
an admin."""

from urllib.parse import quote

import pytest
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from tasks.models import Task
from teams import services as team_services
from tests.conftest import login
from tests.teams.conftest import team_values

pytestmark = pytest.mark.django_db

NULS = ("\x00", "REQ-2026-\x00", "a\x00b")
# What the views read from the address's query and from posted data outside a form, and what the
# forms on the lists take: each gets a NUL.
QUERY_NAMES = (
    "q",
    "state",
    "page",
    "scope",
    "kind",
    "export",
    "department",
    "request_type",
    "priority",
    "overdue",
    "mine",
    "milestone",
    "check",
    "a",
    "b",
    "next",
    "language",
)
POST_NAMES = (*QUERY_NAMES, "ids", "opinion", "assignee", "comment", "seen_state", "action", "title", "reason")


def named_patterns(patterns=None, namespace=""):
    """(name, parameter names) of every named URL pattern, through includes and namespaces."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from named_patterns(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", list(entry.pattern.regex.groupindex)


def nul_addresses() -> list[str]:
    """Every address reversing a pattern with NUL in one parameter that takes text (and "1" in
    the others); patterns whose parameter refuses a NUL (int, slug) cannot be given one."""
    found = ["/%00/", "/admin/%00/", "/requests/%00", "/calendar/%00.ics"]
    for name, params in named_patterns():
        for param in params:
            # Django's admin: its object ids are as any other parameter; one NUL each is enough.
            for nul in NULS[:1] if name.startswith("admin:") else NULS:
                try:
                    found.append(reverse(name, kwargs={other: "1" for other in params} | {param: nul}))
                except NoReverseMatch:
                    break
    return sorted(set(found))


def test_the_walk_covers_every_text_parameter():
    """The walk finds the addresses the issue named, so that it cannot pass by finding none."""
    addresses = nul_addresses()
    for expected in ("/calendar/%00.ics", "/requests/%00/", "/requests/REQ-2026-%00/", "/people/%00/"):
        assert expected in addresses
    assert "/requests/%00/do/1/" in addresses
    assert "/conflicts/raise/request/%00/" in addresses
    assert any(address.startswith("/admin/tasks/task/") for address in addresses)


@pytest.mark.parametrize("persona", ["anonymous", "requester", "admin"])
def test_nul_in_an_address_is_not_found(client, world, persona):
    if persona != "anonymous":
        login(client, getattr(world.org, persona))
    for address in nul_addresses():
        for method in (client.get, client.post):
            response = method(address)
            assert response.status_code in (301, 302, 404), (method.__name__, address, response.status_code)
            if response.status_code == 404:
                assert b"Traceback" not in response.content


def test_nul_in_an_address_never_reaches_the_database(client, world, django_assert_num_queries):
    """Refused before any view: not even the calendar token or the request number is looked up."""
    with django_assert_num_queries(0):
        assert client.get("/calendar/%00.ics").status_code == 404
        assert client.get("/calendar/abc%00def.ics").status_code == 404


def _pages(world) -> list[str]:
    """Every page without parameters, and those with parameters filled with the world's objects."""
    team = team_services.team_create(
        by=world.org.requester,
        values=team_values(),
        members=[(world.org.requester, world.org.sales, "调研"), (world.org.assignee, world.org.purchasing, "核算")],
    )
    team_services.team_start(team=team, by=world.org.requester)
    fill = {
        "number": world.task.number,
        "username": "requester",
        "code": "purchase",
        "pk": team.pk,
        "scope": "all",
        "kind": "plan",
        "action": "complete",
    }
    pages = []
    for name, params in named_patterns():
        if name == "logout":  # the rest is asked as the signed-in person
            continue
        if name.startswith("admin:") and not name.endswith("_changelist"):  # the admin's searches only
            continue
        try:
            pages.append(reverse(name, kwargs={param: fill.get(param, "1") for param in params}))
        except NoReverseMatch:
            continue
    for scope in ("all", "mine", "assigned", "approvals"):
        pages.append(f"/requests/list/{scope}/")
    pages.append(f"/documents/{world.document.pk}/compare/")
    return sorted(set(pages))


@pytest.mark.parametrize("persona", ["requester", "admin"])
def test_nul_in_query_and_posted_values_is_refused_or_matches_nothing(client, world, persona):
    login(client, getattr(world.org, persona))
    pages = _pages(world)
    assert "/people/" in pages and "/requests/new/" in pages and "/search/" in pages
    assert "/admin/tasks/task/" in pages
    for page in pages:
        for nul in NULS[::2]:
            query = "&".join(f"{name}={quote(nul)}" for name in QUERY_NAMES)
            response = client.get(f"{page}?{query}")
            assert response.status_code != 500, (page, nul, response.status_code)
            posted = {name: nul for name in POST_NAMES} | {"ids": [nul, str(world.task.pk)]}
            response = client.post(page, posted)
            assert response.status_code != 500, ("POST", page, nul, response.status_code)
        if persona == "admin" or page.startswith("/admin/"):
            continue
        for name in QUERY_NAMES:  # one at a time too: a NUL beside valid values goes further
            response = client.get(f"{page}?{name}=%00")
            assert response.status_code != 500, (page, name, response.status_code)


def test_nul_in_a_search_matches_nothing(client, world):
    login(client, world.org.requester)
    assert client.get("/people/?q=%00").json() == {"people": []}
    assert client.get("/people/?q=re%00").json() == {"people": []}
    assert client.get(f"/requests/{world.task.number}/mentions/?q=%00").json() == {"people": []}
    response = client.get("/requests/new/?q=%00")
    assert response.status_code == 200 and response.context["groups"] == []


def test_nul_in_a_bulk_opinion_is_the_forms_message_and_nothing_is_approved(client, world):
    login(client, world.org.sales_head)
    response = client.post("/requests/bulk/approve/", {"ids": [world.task.pk], "opinion": "同意\x00"}, follow=True)
    assert response.status_code == 200
    assert [str(message) for message in response.context["messages"]]
    assert Task.objects.get(pk=world.task.pk).state == "pending_approval"


def test_a_chosen_assignee_that_is_not_a_number_is_no_choice(client, world):
    login(client, world.org.purchasing_head)
    for chosen in ("\x00", "abc", "²", "9" * 30):
        response = client.post("/requests/bulk/assign/", {"ids": [world.task.pk], "assignee": chosen}, follow=True)
        assert response.status_code == 200, chosen


@pytest.mark.parametrize(
    "picked", [{"watchers_find": "ab\x00"}, {"watchers": "\x00"}, {"watchers": "²"}, {"watchers_find": "\x00 admin"}]
)
def test_nul_or_odd_digits_in_a_people_picker_is_the_forms_message(client, world, picked):
    login(client, world.org.requester)
    before = Task.objects.count()
    response = client.post(
        "/requests/new/purchase/", {"title": "抄送", "f_amount": "1", "priority": "2", "action": "draft", **picked}
    )
    assert response.status_code == 200 and response.context["form"].errors["watchers"]
    assert Task.objects.count() == before


@pytest.mark.parametrize("header", ["HTTP_USER_AGENT", "HTTP_ACCEPT"])
def test_a_failed_sign_in_with_nul_in_a_header_is_counted_not_a_500(client, world, header):
    from axes.models import AccessAttempt

    response = client.post(
        reverse("login"), {"username": "nobody-here", "password": "wrong"}, **{header: "probe\x00 1"}
    )
    assert response.status_code == 200
    attempt = AccessAttempt.objects.get(username="nobody-here")
    assert "\x00" not in attempt.user_agent + attempt.http_accept
