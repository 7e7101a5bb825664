"""The long-document benchmark renders a real ~10-page file, and tables are built without
`table.cell()` (quadratic in python-docx), checked by forbidding it during a render."""

import io

import pytest
from docx.table import Table

from bench import documents as bench
from core.docx_layout import OfficialDocument, render
from documents.body import parse

pytestmark = pytest.mark.django_db


def test_the_bench_document_is_about_ten_pages_with_a_200_row_table():
    blocks = parse(bench.big_body())
    tables = [b for b in blocks if b.kind == "table"]
    assert len(tables) == 1 and len(tables[0].rows) == 201  # header and 200 rows


def test_the_bench_renders_and_leaves_nothing_behind(org, settings, tmp_path):
    from core.models import GeneratedFile
    from documents.models import Document

    settings.MEDIA_ROOT = str(tmp_path)
    out = io.StringIO()
    result = bench.run(out)
    assert 9 <= result["pages"] <= 12 and result["best_seconds"] <= result["worst_seconds"]
    assert "200-row table" in out.getvalue(), out.getvalue()
    assert not Document.objects.exists() and not GeneratedFile.objects.exists()
    assert not any(tmp_path.rglob("*.docx"))


def test_tables_are_built_row_by_row(monkeypatch):
    def forbidden(self, row_idx, col_idx):
        raise AssertionError("table.cell() is quadratic; build rows with add_row().cells")

    monkeypatch.setattr(Table, "cell", forbidden)
    from datetime import date

    spec = OfficialDocument(
        organ="协作门户公司销售部文件",
        number="销售〔2026〕1号",
        title="标题",
        recipients="各部门",
        body=parse(bench.big_body(paragraphs=2, rows=50)),
        issuer="协作门户公司销售部",
        issued_on=date(2026, 11, 28),
    )
    assert render(spec)[:2] == b"PK"
