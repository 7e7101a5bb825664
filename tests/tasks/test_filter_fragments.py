"""The list filters' two long selects (departments and request types) are kept as fragments keyed by
what they offer (tasks.forms.FilterForm.options_key): at 300 departments they are 600 options drawn
on every list page. Whatever changes a department or a type, a bulk update that sends no signal
included, the next page shows it, and the option a reader chose stays marked as theirs alone."""

import re

import pytest
from django.core.cache import caches
from django.core.cache.utils import make_template_fragment_key
from django.utils import translation

from departments.models import Department
from tasks.forms import FilterForm
from tasks.models import RequestType
from tests.conftest import login

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_fragments():
    caches["fragments"].clear()
    yield
    caches["fragments"].clear()


def select(body: str, name: str) -> str:
    found = re.search(rf'<select name="{name}".*?</select>', body, re.S)
    assert found, f"no select {name}"
    return found.group(0)


def test_the_selects_are_kept_and_redrawn_when_a_department_or_type_changes_without_a_signal(client, org, support):
    login(client, org.requester)
    first = client.get("/requests/list/all/").content.decode()
    assert "采购部" in select(first, "department")
    with translation.override(org.requester.language or "zh-hans"):
        key = make_template_fragment_key("filter-select", ["department", FilterForm({}).options_key, None, 0])
    assert caches["fragments"].get(key).strip() == select(first, "department")  # kept, as drawn
    caches["fragments"].set(key, '<select name="department">kept</select>')
    assert select(client.get("/requests/list/all/").content.decode(), "department").endswith("kept</select>")

    Department.objects.filter(pk=org.purchasing.pk).update(name="物资采购部")  # no signal
    renamed = client.get("/requests/list/all/").content.decode()
    assert "物资采购部" in select(renamed, "department") and ">采购部<" not in select(renamed, "department")

    kind = support
    assert f'value="{kind.pk}"' in select(renamed, "request_type")
    RequestType.objects.filter(pk=kind.pk).update(is_active=False)
    retired = client.get("/requests/list/all/").content.decode()
    assert f'value="{kind.pk}"' not in select(retired, "request_type")


def test_the_chosen_option_is_marked_for_its_reader_only(client, org):
    login(client, org.requester)
    chosen = select(client.get(f"/requests/list/all/?department={org.purchasing.pk}").content.decode(), "department")
    assert f'<option value="{org.purchasing.pk}" selected>' in chosen
    plain = select(client.get("/requests/list/all/").content.decode(), "department")
    assert " selected" not in plain.replace('<option value="" selected>', "")


def test_each_language_gets_its_own_labels(client, org):
    login(client, org.requester)
    chinese = select(client.get("/requests/list/all/").content.decode(), "department")
    client.cookies["django_language"] = "en"
    english = select(client.get("/requests/list/all/", HTTP_ACCEPT_LANGUAGE="en").content.decode(), "department")
    assert "采购部" in chinese
    assert ("Purchasing" in english) != ("Purchasing" in chinese)
