"""Tables as CSV (UTF-8 with a BOM, so that Excel opens Chinese text) and XLSX (openpyxl): the
reports' sections and the request and document lists' exports."""

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font


@dataclass
class Table:
    """A table to show or export: a report section (with its chart), or a list's rows."""

    key: str
    title: str
    headers: list[str]
    rows: list[list] = field(default_factory=list)
    note: str = ""
    total: int | None = None  # when the page shows only the first rows of a longer list
    chart: dict | None = None


CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _plain(value):
    if value is None:
        return ""
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, (int, float, date)):
        return value
    return str(value)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _inert(value):
    """Text a spreadsheet would run as a formula (a request titled "=HYPERLINK(…)") stays text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([str(header) for header in table.headers])
    for row in table.rows:
        writer.writerow(
            [
                value.strftime("%Y-%m-%d %H:%M") if isinstance(value, datetime) else _inert(value)
                for value in map(_plain, row)
            ]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def fill_sheet(sheet, headers: list, rows, *, max_width: int = 50) -> None:
    """A bold header row, then the rows; each column as wide as its text, from 10 to `max_width`."""
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            if cell.data_type == "f":  # openpyxl reads a leading "=" as a formula: keep it as text
                cell.data_type = "s"
    for column in sheet.columns:
        cells = list(column)
        widest = max(len(str(cell.value or "")) for cell in cells)
        sheet.column_dimensions[cells[0].column_letter].width = min(max_width, max(10, widest + 2))


def to_xlsx(table: Table) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(table.key)[:31]
    rows = ([_plain(value) for value in row] for row in table.rows)
    fill_sheet(sheet, [str(header) for header in table.headers], rows)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def render(table: Table, fmt: str) -> bytes:
    return to_csv(table) if fmt == "csv" else to_xlsx(table)


def response(table: Table, fmt: str, name: str) -> HttpResponse:
    return attachment(render(table, fmt), fmt, f"{name}-{table.key}")


def attachment(content: bytes, fmt: str, stem: str) -> HttpResponse:
    """A file already rendered (render()) as the download `stem.fmt`."""
    reply = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    reply["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    return reply
