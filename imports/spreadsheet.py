"""The organisation's workbook: its sheets and columns, read from an .xlsx and written to one.

One layout serves both ways, so an exported workbook imports back unchanged. The first row of
each sheet names its columns by the stable keys below (not translated: a file made in Chinese
imports in English and back). A sheet left out of a file is left alone by the import.
"""

import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from core.exports import fill_sheet

# Sheet -> its columns, in the order they are written; the first is the row's key.
SHEETS: dict[str, tuple[str, ...]] = {
    "skills": ("name", "name_en"),
    "departments": (
        "code",
        "name",
        "name_en",
        "parent",
        "sort_order",
        "accepts_requests",
        "is_active",
        "handles",
        "handles_en",
    ),
    "people": (
        "username",
        "display_name",
        "email",
        "employee_no",
        "job_title",
        "phone",
        "can_sign_off",
        "is_active",
        "skills",
    ),
    "memberships": ("username", "department", "role", "is_primary", "title"),
    "request_types": (
        "code",
        "department",
        "name",
        "name_en",
        "purpose",
        "purpose_en",
        "materials",
        "materials_en",
        "accept_sla_hours",
        "finish_sla_hours",
        "default_priority",
        "auto_assign",
        "skills",
        "is_active",
        "sort_order",
    ),
}
# Columns a sheet cannot do without (the others, when missing, keep what is stored or the default).
REQUIRED = {
    "skills": ("name",),
    "departments": ("code", "name"),
    "people": ("username",),
    "memberships": ("username", "department", "role"),
    "request_types": ("code", "department", "name"),
}
LIST_SEPARATOR = ";"  # between skill names in one cell
MAX_ROWS = 20_000  # per sheet: an organisation far larger than 2,000 people still fits
MAX_COLUMNS = 100  # read of a header row: wider than any sheet, enough to name the unknown columns


# What a damaged or forged .xlsx makes openpyxl raise: a broken zip, a missing part, XML that does not
# parse (ElementTree's and lxml's errors are SyntaxErrors; defusedxml's refusals are ValueErrors).
UNREADABLE = (
    InvalidFileException,
    zipfile.BadZipFile,
    SyntaxError,
    KeyError,
    IndexError,
    OSError,
    ValueError,
    TypeError,
    AttributeError,
)


class WorkbookRejected(ValueError):
    """The file as a whole cannot be read as the organisation's workbook (message translated)."""


@dataclass
class Row:
    number: int  # as the spreadsheet program shows it (the header is row 1)
    values: dict[str, object]


@dataclass
class Sheet:
    name: str
    columns: tuple[str, ...]
    rows: list[Row] = field(default_factory=list)


def _cell(value) -> object:
    """A cell's value as the import reads it: text stripped, whole floats as ints, dates as text."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return value


def read_workbook(data: bytes) -> dict[str, Sheet]:
    """The known sheets of an .xlsx, with their non-empty rows. Raises WorkbookRejected."""
    unreadable = WorkbookRejected(_("The file could not be read as an .xlsx workbook."))
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except UNREADABLE:
        raise unreadable from None
    try:
        return _read_sheets(book)
    except WorkbookRejected:  # a ValueError itself, with its own message
        raise
    except UNREADABLE:  # read-only workbooks parse each sheet's XML only as its rows are read
        raise unreadable from None
    finally:
        book.close()


def _read_sheets(book) -> dict[str, Sheet]:
    unknown = [name for name in book.sheetnames if name not in SHEETS]
    if unknown:
        raise WorkbookRejected(
            _("Unknown sheets: %(unknown)s. A workbook holds only these sheets: %(known)s.")
            % {"unknown": ", ".join(unknown), "known": ", ".join(SHEETS)}
        )
    sheets: dict[str, Sheet] = {}
    for name in book.sheetnames:
        worksheet = book[name]
        header = next(worksheet.iter_rows(max_row=1, max_col=MAX_COLUMNS, values_only=True), None)
        columns = tuple(str(_cell(value)) for value in header or ())
        while columns and not columns[-1]:
            columns = columns[:-1]
        if not columns:
            continue  # an empty sheet says nothing
        wrong = [column for column in columns if column not in SHEETS[name]]
        doubled = sorted({column for column in columns if columns.count(column) > 1})
        missing = [column for column in REQUIRED[name] if column not in columns]
        if wrong or doubled or missing:
            problems = []
            if wrong:
                problems.append(_("unknown columns: %(columns)s") % {"columns": ", ".join(wrong)})
            if doubled:
                problems.append(_("columns named twice: %(columns)s") % {"columns": ", ".join(doubled)})
            if missing:
                problems.append(_("missing columns: %(columns)s") % {"columns": ", ".join(missing)})
            raise WorkbookRejected(
                _("Sheet “%(sheet)s”: %(problems)s. Its columns are: %(columns)s.")
                % {"sheet": name, "problems": "; ".join(problems), "columns": ", ".join(SHEETS[name])}
            )
        sheet = Sheet(name=name, columns=columns)
        rows = worksheet.iter_rows(min_row=2, max_col=len(columns), values_only=True)
        for number, values in enumerate(rows, start=2):
            cells = [_cell(value) for value in values[: len(columns)]]
            if not any(cell != "" for cell in cells):
                if number > 2 * MAX_ROWS:  # blank rows count too: a sheet of a million empty rows is no file
                    raise WorkbookRejected(
                        _("Sheet “%(sheet)s” has more than %(max)s rows; split the file.")
                        % {"sheet": name, "max": MAX_ROWS}
                    )
                continue
            if len(sheet.rows) >= MAX_ROWS:
                raise WorkbookRejected(
                    _("Sheet “%(sheet)s” has more than %(max)s rows; split the file.")
                    % {"sheet": name, "max": MAX_ROWS}
                )
            cells += [""] * (len(columns) - len(cells))
            sheet.rows.append(Row(number=number, values=dict(zip(columns, cells, strict=True))))
        sheets[name] = sheet
    if not any(sheet.rows for sheet in sheets.values()):
        raise WorkbookRejected(_("The workbook has no rows to import."))
    return sheets


def _written(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def write_workbook(tables: dict[str, list[list]]) -> bytes:
    """An .xlsx with a sheet per table, in SHEETS' order and columns."""
    book = Workbook()
    book.remove(book.active)
    for name, columns in SHEETS.items():
        rows = ([_written(value) for value in row] for row in tables.get(name, []))
        fill_sheet(book.create_sheet(name), list(columns), rows, max_width=40)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
