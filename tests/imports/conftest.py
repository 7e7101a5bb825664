"""A workbook made in the test, in the layout of imports/spreadsheet.py."""

import io
from decimal import Decimal

import pytest
from openpyxl import Workbook

from departments.models import Membership
from tasks.models import RequestType
from tests.factories import SkillFactory


def workbook(sheets: dict[str, list[list]]) -> bytes:
    """An .xlsx whose sheets have these rows (the first row of each is its header)."""
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def stocked(org):
    """The personas' organisation with skills, a request type that needs one, and a person who has one."""
    welding = SkillFactory(name="焊接", name_en="Welding")
    SkillFactory(name="报价", name_en="Quoting")
    org.assignee.skills.add(welding)
    request_type = RequestType.objects.create(
        department=org.purchasing,
        code="purchase",
        name="采购申请",
        name_en="Purchase request",
        accept_sla_hours=Decimal("4.5"),
        finish_sla_hours=Decimal(16),
    )
    request_type.skills.add(welding)
    Membership.objects.filter(user=org.requester).update(title="销售代表")
    return org
