"""The Django admin shows a request type's versioned parts (guide, fields, steps, co-handling
departments) read-only with a link to the catalogue, where each change is published as a version:
a superuser who saves the admin form changes what is not versioned and nothing that is."""

from decimal import Decimal

import pytest

from tasks import services
from tasks.models import ApprovalStep, RequestField, RequestType
from tests.conftest import login

pytestmark = pytest.mark.django_db


def _posted(response) -> dict:
    """The admin change form as the browser would post it unchanged: the form's fields and each
    inline's management form and row ids."""
    data = {}
    form = response.context["adminform"].form
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None or value is False:
            continue
        data[name] = [str(getattr(v, "pk", v)) for v in value] if isinstance(value, list | tuple) else str(value)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for name, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{name}"] = str(value)
        for number, row in enumerate(formset.forms):
            data[f"{formset.prefix}-{number}-id"] = str(row.instance.pk)
            data[f"{formset.prefix}-{number}-request_type"] = str(row.instance.request_type_id)
    return data


def test_the_admin_edits_no_versioned_part_of_a_type(client, org, purchase):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    services.request_type_publish(request_type=purchase, by=org.purchasing_head)
    login(client, org.admin)
    url = f"/admin/tasks/requesttype/{purchase.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'href="/catalogue/purchase/"' in html and "Edit in the service catalogue" in html
    # Fields and steps are listed, not editable.
    assert "金额" in html and 'name="fields-0-label"' not in html and 'name="steps-0-approver"' not in html
    assert 'name="name"' not in html and 'name="accept_sla_hours"' not in html

    data = _posted(page)
    data.update(
        {
            "name": "改名",
            "accept_sla_hours": "99",
            "fields-0-label": "改了",
            "steps-0-approver": "users",
            "sort_order": "7",  # not versioned: still the admin's
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    purchase = RequestType.objects.get(pk=purchase.pk)
    assert purchase.sort_order == 7
    assert purchase.name == "采购申请" and purchase.accept_sla_hours == Decimal(4)
    assert RequestField.objects.get(request_type=purchase, key="amount").label == "金额"
    assert ApprovalStep.objects.filter(request_type=purchase, approver="users").count() == 0
    assert purchase.current_version.number == 1 and purchase.versions.count() == 1


def test_a_new_type_in_the_admin_points_to_the_catalogue(client, org):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(client, org.admin)
    html = client.get("/admin/tasks/requesttype/add/").content.decode()
    assert "service catalogue" in html and 'name="fields-TOTAL_FORMS"' not in html
