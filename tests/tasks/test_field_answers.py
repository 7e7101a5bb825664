"""A request's person and department answers read as names: the form stores the login and the
code the pickers take, and the request page, the decision page and the 事务单 show whom and which
department they mean, on the version the request was filed on."""

import io

import pytest
from docx import Document as Docx

from tasks.docx import request_form_docx
from tasks.models import RequestField
from tasks.selectors import answers_of
from tests.conftest import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered(org, purchase, file_request):
    RequestField.objects.create(request_type=purchase, key="who", label="联系人", label_en="Contact", kind="person")
    RequestField.objects.create(
        request_type=purchase, key="dept", label="使用部门", label_en="Used by", kind="department"
    )
    task = file_request(purchase)
    task.field_values.update({"who": "assignee", "dept": "finance"})
    task.save(update_fields=["field_values"])
    return task


def test_the_request_page_names_the_person_and_the_department(client, org, answered, finance):
    login(client, org.requester)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = client.get(f"/requests/{answered.number}/").content.decode()
    assert "钱四" in page and finance.name_en in page
    assert ">assignee<" not in page and ">finance<" not in page
    shown = {spec.key: value for spec, value in answers_of(answered)}
    assert shown == {"amount": 500, "who": "钱四", "dept": str(finance)}


def test_an_answer_naming_someone_since_removed_keeps_what_was_stored(org, answered):
    answered.field_values["who"] = "left-the-company"
    answered.save(update_fields=["field_values"])
    assert dict((spec.key, value) for spec, value in answers_of(answered))["who"] == "left-the-company"


def test_a_request_without_such_answers_reads_no_people_or_departments(
    org, purchase, file_request, django_assert_num_queries
):
    task = file_request(purchase)
    with django_assert_num_queries(1):  # the fields only
        answers_of(task)


def test_the_request_form_sheet_names_them_too(org, answered):
    sheet = Docx(io.BytesIO(request_form_docx(answered)))
    text = "\n".join(cell.text for table in sheet.tables for row in table.rows for cell in row.cells)
    assert "钱四" in text and "assignee" not in text
