"""The GB/T 9704 layout: a generated document opened again with python-docx, and the checker on a
good and a broken document."""

import io
from datetime import date

import pytest
from django.utils import translation
from docx import Document
from docx.shared import RGBColor

from core.docx_layout import Block, OfficialDocument, check, render


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


def spec(**changes):
    values = dict(
        organ="协作门户公司销售部文件",
        number="销售〔2026〕7号",
        title="关于新产品上市协作安排的通知",
        recipients="生产部、采购部、财务部",
        body=[
            Block("paragraph", "为确保新产品按期上市，现将有关事项通知如下。"),
            Block("heading", "一、工作目标"),
            Block("list", items=["十二月底前完成试产", "一月中旬正式供货"]),
            Block("table", rows=[["部门", "任务", "完成时间"], ["生产部", "试产", "12月31日"]]),
        ],
        issuer="协作门户公司销售部",
        issued_on=date(2026, 11, 28),
        cc="公司领导",
        printer="销售部办公室",
    )
    values.update(changes)
    return OfficialDocument(**values)


def test_generated_document_has_the_official_layout():
    data = render(spec())
    document = Document(io.BytesIO(data))
    texts = [p.text for p in document.paragraphs if p.text.strip()]
    assert texts[0] == "协作门户公司销售部文件"
    assert document.paragraphs[0].runs[0].font.color.rgb == RGBColor(0xFF, 0, 0)
    assert "销售〔2026〕7号" in texts and "关于新产品上市协作安排的通知" in texts
    assert "生产部、采购部、财务部：" in texts
    assert "（2）一月中旬正式供货" in texts
    assert texts[-1].endswith("2026年11月28日印发") and "抄送：公司领导。" in texts
    table = document.tables[0]
    assert [c.text for c in table.rows[1].cells] == ["生产部", "试产", "12月31日"]
    assert round(document.sections[0].top_margin.mm) == 37 and round(document.sections[0].left_margin.mm) == 28
    assert check(data) == []


def test_checker_lists_what_a_broken_document_lacks():
    broken = Document()
    broken.add_paragraph("某部门文件")  # black, no number, no separator, no date, no colophon, no page numbers
    broken.add_paragraph("一个标题")
    buffer = io.BytesIO()
    broken.save(buffer)
    problems = check(buffer.getvalue())
    assert len(problems) >= 5
    assert any("红色" in p for p in problems) and any("发文字号" in p or "〔" in p for p in problems)
    assert any("页码" in p for p in problems)


def test_checker_spots_a_malformed_number():
    problems = check(render(spec(number="销售2026-7")))
    assert len(problems) == 1 and "〔2026〕" in problems[0]


def test_a_ten_page_document_with_a_200_row_table_renders():
    rows = [["序号", "物料", "数量", "部门"]] + [[str(n), f"物料{n}", str(n * 3), "采购部"] for n in range(200)]
    data = render(spec(body=[Block("paragraph", "明细如下。" * 40)] * 20 + [Block("table", rows=rows)]))
    document = Document(io.BytesIO(data))
    assert len(document.tables[0].rows) == 201
    assert check(data) == []


def test_secrecy_and_urgency_marks_above_the_header_pass_the_check():
    data = render(spec(urgency="特急", confidentiality="秘密"))
    texts = [p.text for p in Document(io.BytesIO(data)).paragraphs]
    assert texts[0] == "秘密  特急" and texts[1] == "协作门户公司销售部文件"
    assert check(data) == []


def test_a_draft_before_sign_off_is_checked_without_its_number():
    draft = render(spec(number="销售〔2026〕　　号"))
    assert check(draft, numbered=False) == []
    problems = check(draft)  # the final document must have its number
    assert len(problems) == 1 and "7号" in problems[0]


@pytest.mark.parametrize("mark", ["机密★10年", "绝密★30年", "秘密★6个月", "绝密★长期", "绝密"])
def test_every_level_and_its_period_above_the_header_pass_the_check(mark):
    data = render(spec(confidentiality=mark, urgency="加急"))
    texts = [p.text for p in Document(io.BytesIO(data)).paragraphs]
    assert texts[0] == f"{mark}  加急" and texts[1] == "协作门户公司销售部文件"
    assert check(data) == []
