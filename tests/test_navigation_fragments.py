"""The navigation's cached fragments (base.html, settings.FRAGMENT_CACHE): kept by each process and
keyed by what they show, so a change an administrator makes to a person (staff, superuser, a
department's head or administrators) or the reader's language shows on the very next page, and
nothing personal (the CSRF token, the name, the unread count) is ever served from them."""

import re

import pytest
from django.core.cache import caches
from django.core.cache.utils import make_template_fragment_key
from django.test import Client
from django.urls import reverse

from departments.models import Membership
from tests.conftest import login
from tests.factories import MembershipFactory, UserFactory

ADMIN_LINK = f'href="{reverse("admin:index")}"'
IMPORT_LINK = f'href="{reverse("imports:upload")}"'
REPORTS_LINK = f'href="{reverse("reports:department")}"'
DEPTADMIN_LINK = f'href="{reverse("deptadmin:index")}"'
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture(autouse=True)
def fresh_fragments():
    # Each process keeps its fragments for its lifetime; a test starts as a new process would.
    caches["fragments"].clear()
    yield
    caches["fragments"].clear()


def page(client) -> str:
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def test_the_fragments_are_kept_between_pages(client, org):
    key = make_template_fragment_key("navigation-languages", [org.requester.language or "zh-hans"])
    assert caches["fragments"].get(key) is None
    login(client, org.requester)
    page(client)
    assert 'id="language-select"' in caches["fragments"].get(key)  # kept: the next page reads it


def test_made_staff_and_superuser_the_menu_shows_it_at_once(client, org):
    login(client, org.requester)
    assert ADMIN_LINK not in page(client)
    org.requester.is_staff = True
    org.requester.save(update_fields=["is_staff"])
    shown = page(client)
    assert ADMIN_LINK in shown and IMPORT_LINK not in shown
    org.requester.is_superuser = True
    org.requester.save(update_fields=["is_superuser"])
    assert IMPORT_LINK in page(client)
    org.requester.is_staff = org.requester.is_superuser = False
    org.requester.save(update_fields=["is_staff", "is_superuser"])
    shown = page(client)
    assert ADMIN_LINK not in shown and IMPORT_LINK not in shown


def test_made_a_manager_the_reports_link_shows_at_once(client, org):
    login(client, org.requester)
    assert REPORTS_LINK not in page(client)
    Membership.objects.filter(user=org.requester, department=org.sales).update(role=Membership.Role.MANAGER)
    org.sales.deputies.add(org.requester)
    assert REPORTS_LINK in page(client)


def test_made_a_department_administrator_the_menu_shows_it_at_once(client, org):
    login(client, org.assignee)
    assert DEPTADMIN_LINK not in page(client)
    org.purchasing.administrators.add(org.assignee)
    assert DEPTADMIN_LINK in page(client)
    org.purchasing.administrators.remove(org.assignee)
    assert DEPTADMIN_LINK not in page(client)


def test_each_language_has_its_own_fragments(client, org):
    login(client, org.requester)
    org.requester.language = "zh-hans"
    org.requester.save(update_fields=["language"])
    chinese = page(client)
    org.requester.language = "en"
    org.requester.save(update_fields=["language"])
    english = page(client)
    assert "我发起的" in chinese and "My requests" in english
    assert "My requests" not in chinese and "我发起的" not in english
    assert 'value="en" selected' in english and 'value="zh-hans" selected' in chinese


def test_the_current_section_is_not_carried_to_another_page(client, org):
    login(client, org.requester)
    documents = client.get(reverse("documents:list")).content.decode()
    home = page(client)
    active = 'class="nav-link active" href="{}"'.format(reverse("documents:list"))
    assert active in documents and active not in home


def test_nothing_personal_comes_from_the_fragments(client, org):
    other = UserFactory(username="other", display_name="周六")
    MembershipFactory(user=other, department=org.sales)
    first = login(client, org.requester)
    mine = page(first)
    second = login(Client(), other)
    theirs = page(second)
    assert "张三" in mine and "周六" in theirs and "张三" not in theirs
    # Every form of each page carries that session's token, none the other's.
    assert set(TOKEN.findall(mine)).isdisjoint(TOKEN.findall(theirs))
