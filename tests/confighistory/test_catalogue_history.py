"""Issue #20's journey seen from the settings history: a department administrator creates a request
type in the catalogue, designs its form and route, publishes it, then changes it and publishes
again; every step is in the history with its differences, and the type's page shows them."""

import pytest

from tasks.models import RequestType
from tests.conftest import login
from tests.tasks.conftest import finance  # noqa: F401

pytestmark = pytest.mark.django_db


def _entries(client, **filters):
    query = "&".join(f"{key}={value}" for key, value in filters.items())
    return list(client.get(f"/settings-history/?{query}").context["page"].object_list)


def test_every_catalogue_step_is_in_the_history_with_its_differences(client, org, finance):  # noqa: F811
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(client, org.purchasing_head)
    assert (
        client.post("/catalogue/new/", {"department": org.purchasing.pk, "code": "laptop", "name": "电脑"}).status_code
        == 302
    )
    fields = [
        {"key": "model", "label": "型号", "label_en": "Model", "kind": "text", "required": "on"},
        {"key": "amount", "label": "金额", "label_en": "Amount", "kind": "amount", "required": "on"},
        {"key": "needed_on", "label": "需用日期", "label_en": "Needed on", "kind": "date"},
        {"key": "reason", "label": "理由", "label_en": "Reason", "kind": "long_text"},
    ]
    for field in fields:
        assert client.post("/catalogue/laptop/fields/new/", field).status_code == 302
    client.post("/catalogue/laptop/route/new/", {"approver": "requester_manager", "mode": "any"})
    client.post(
        "/catalogue/laptop/route/new/",
        {
            "approver": "department_head",
            "department": finance.pk,
            "mode": "any",
            "condition_field": "amount",
            "condition_operator": "gt",
            "condition_value": "5000",
        },
    )
    assert client.post("/catalogue/laptop/publish/").status_code == 302
    laptop = RequestType.objects.get(code="laptop")

    created = _entries(client, kind="request-field")
    names = {entry.name for entry in created if entry.action == "+"}
    assert names >= {"电脑 · Model", "电脑 · Amount", "电脑 · Needed on", "电脑 · Reason"}, names
    assert all(entry.user == org.purchasing_head for entry in created)
    steps = [entry for entry in _entries(client, kind="approval-step") if entry.action == "+"]
    assert len(steps) == 2

    # Changed: a new required field, and the amount the finance step starts at.
    client.post(
        "/catalogue/laptop/fields/new/", {"key": "cost_centre", "label": "成本中心", "kind": "text", "required": "on"}
    )
    client.post(
        "/catalogue/laptop/route/2/",
        {
            "approver": "department_head",
            "department": finance.pk,
            "mode": "any",
            "condition_field": "amount",
            "condition_operator": "gt",
            "condition_value": "8000",
        },
    )
    assert client.post("/catalogue/laptop/publish/").status_code == 302
    fields_now = _entries(client, kind="request-field")
    assert any(entry.action == "+" and entry.name.endswith("成本中心") for entry in fields_now)
    all_steps = _entries(client, kind="approval-step")
    changed = [entry for entry in all_steps if entry.action == "~"]
    texts = [change.as_text() for entry in changed for change in entry.changes]
    assert any("5000" in text and "8000" in text for text in texts), texts

    # The type's own page in the catalogue carries its history, fields and steps included.
    page = client.get("/catalogue/laptop/").content.decode()
    assert f"/settings-history/request-type/{laptop.pk}/" in page
    panel = client.get(f"/settings-history/request-type/{laptop.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "8000" in panel and "成本中心" in panel
