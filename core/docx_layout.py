"""The official-document layout of GB/T 9704-2012 with python-docx, and a checker for it.

`render(spec)` builds the .docx: A4 with the standard margins, the issuing organ's name as a red
header, the number line, the red separator, the title, the main recipients, the body (headings,
paragraphs, lists, simple tables), the issuer and date, the colophon (版记: CC and print line
between rules) and page numbers "— N —". `check(data)` opens a .docx and lists what the layout
is missing, for the issuer to see before signing off. An issued document carries its department's
seal (印章, a transparent PNG) over the issuer and date, floating in front of the text as a real
seal is pressed over them ("下压发文机关署名和成文日期").

Tables are built row by row (`add_row().cells`), never with `table.cell()` in a loop, which is
quadratic in python-docx.
"""

import io
import re
from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext as _
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

RED = RGBColor(0xFF, 0x00, 0x00)
NUMBER_PATTERN = re.compile(r"〔\d{4}〕\d+号")
# 份号, 密级 (with its 保密期限: 机密★10年) and 紧急程度, the marks above the organ's name.
MARKS = re.compile(
    r"[\s　]*(?:(?:特急|加急|平急|特提|(?:秘密|机密|绝密)(?:★(?:\d+年|\d+个月|长期))?|内部|公开|\d{6})[\s　]*)+"
)
DRAFT_NUMBER_PATTERN = re.compile(r"〔\d{4}〕[\d\s　]*号")
# Chinese type sizes in points: 初号 42, 二号 22, 三号 16, 四号 14.
SIZE_HEADER, SIZE_TITLE, SIZE_BODY, SIZE_COLOPHON = Pt(42), Pt(22), Pt(16), Pt(14)
FONT_TITLE, FONT_BODY, FONT_HEADING = "方正小标宋简体", "仿宋_GB2312", "黑体"
NO_SPACE = Pt(0)


@dataclass
class Block:
    """A piece of the body: kind is "heading", "paragraph", "list" (items) or "table" (rows)."""

    kind: str
    text: str = ""
    items: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)


@dataclass
class OfficialDocument:
    organ: str  # 发文机关标志, e.g. 协作门户公司销售部文件
    number: str  # 发文字号, e.g. 销售〔2026〕7号
    title: str
    recipients: str  # 主送机关
    body: list[Block]
    issuer: str  # 发文机关署名
    issued_on: date
    cc: str = ""  # 抄送机关
    printer: str = ""  # 印发机关
    printed_on: date | None = None
    urgency: str = ""  # 特急 / 加急
    confidentiality: str = ""  # 密级★保密期限: 秘密 / 机密★10年 / 绝密★30年
    seal: bytes | None = None  # the issuing department's seal image (PNG), on issued documents


# The seal: 42 mm across, centred over the date, its lower part on the date line. A python-docx
# picture is inline; it is turned into a floating anchor (wp:anchor) in front of the text so the
# lines under it keep their places. LibreOffice and Word both place it from these offsets.
SEAL_SIZE = Mm(42)
SEAL_RAISE = Mm(24)  # the seal's top above the date paragraph's top
SEAL_DATE_WIDTH = Mm(46)  # the date at 三号, right-aligned, and a little room: the seal stays inside the margin


def _font(run, name: str, size, *, bold: bool = False, color: RGBColor | None = None) -> None:
    run.font.name = name
    run.font.size = size
    run.font.bold = bold
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), name)
    if color is not None:
        run.font.color.rgb = color


def _paragraph(
    document,
    text: str,
    *,
    font: str = FONT_BODY,
    size=SIZE_BODY,
    align=None,
    indent: bool = False,
    bold: bool = False,
    color=None,
    space_after=NO_SPACE,
):
    paragraph = document.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    if indent:
        paragraph.paragraph_format.first_line_indent = Pt(size.pt * 2)  # two characters
    paragraph.paragraph_format.space_after = space_after
    _font(paragraph.add_run(text), font, size, bold=bold, color=color)
    return paragraph


def _rule(paragraph, *, color: str = "000000", size: int = 8, top: bool = False) -> None:
    """A horizontal line under (or over) a paragraph: the separator and the colophon rules."""
    properties = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    edge = OxmlElement("w:top" if top else "w:bottom")
    edge.set(qn("w:val"), "single")
    edge.set(qn("w:sz"), str(size))
    edge.set(qn("w:space"), "1")
    edge.set(qn("w:color"), color)
    borders.append(edge)
    properties.append(borders)


def _page_number_footer(section) -> None:
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(paragraph.add_run("— "), FONT_BODY, SIZE_COLOPHON)
    run = paragraph.add_run()
    _font(run, FONT_BODY, SIZE_COLOPHON)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)
    _font(paragraph.add_run(" —"), FONT_BODY, SIZE_COLOPHON)


def _table(document, rows: list[list[str]], *, bold_header: bool = False) -> None:
    table = document.add_table(rows=0, cols=max(len(row) for row in rows))
    table.style = "Table Grid"
    for position, row in enumerate(rows):
        for cell, value in zip(table.add_row().cells, row, strict=False):
            cell.text = value
            if bold_header and position == 0:
                for run in cell.paragraphs[0].runs:
                    run.font.bold = True


def _a4(top: int, bottom: int, left: int, right: int):
    """A new document on A4 with these margins (mm), and its section."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(top), Mm(bottom)
    section.left_margin, section.right_margin = Mm(left), Mm(right)
    return document, section


def _saved(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _seal(paragraph, image: bytes, column_width) -> None:
    """The seal as a floating picture anchored to the date paragraph (right-aligned), centred on
    the date and raised over the issuer's name."""
    run = paragraph.add_run()
    run.add_picture(io.BytesIO(image), width=SEAL_SIZE, height=SEAL_SIZE)
    inline = run._r.find(f".//{qn('wp:inline')}")
    anchor = OxmlElement("wp:anchor")
    for name, value in (
        ("distT", "0"),
        ("distB", "0"),
        ("distL", "0"),
        ("distR", "0"),
        ("simplePos", "0"),
        ("relativeHeight", "251659264"),
        ("behindDoc", "0"),
        ("locked", "1"),
        ("layoutInCell", "1"),
        ("allowOverlap", "1"),
    ):
        anchor.set(name, value)
    simple = OxmlElement("wp:simplePos")
    simple.set("x", "0")
    simple.set("y", "0")
    anchor.append(simple)
    left = int(column_width - SEAL_DATE_WIDTH / 2 - SEAL_SIZE / 2)
    for axis, relative, offset in (("H", "column", left), ("V", "paragraph", -int(SEAL_RAISE))):
        position = OxmlElement(f"wp:position{axis}")
        position.set("relativeFrom", relative)
        value = OxmlElement("wp:posOffset")
        value.text = str(offset)
        position.append(value)
        anchor.append(position)
    anchor.append(inline.find(qn("wp:extent")))
    effect = OxmlElement("wp:effectExtent")
    for side in ("l", "t", "r", "b"):
        effect.set(side, "0")
    anchor.append(effect)
    anchor.append(OxmlElement("wp:wrapNone"))
    for part in ("wp:docPr", "wp:cNvGraphicFramePr", "a:graphic"):
        found = inline.find(qn(part))
        if found is not None:
            anchor.append(found)
    inline.getparent().replace(inline, anchor)


def _chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def render(spec: OfficialDocument) -> bytes:
    document, section = _a4(37, 35, 28, 26)
    section.orientation = WD_ORIENT.PORTRAIT

    if spec.confidentiality or spec.urgency:
        _paragraph(document, "  ".join(x for x in (spec.confidentiality, spec.urgency) if x), font=FONT_HEADING)
    _paragraph(
        document,
        spec.organ,
        font=FONT_TITLE,
        size=SIZE_HEADER,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        color=RED,
        space_after=Pt(24),
    )
    number = _paragraph(document, spec.number, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=Pt(6))
    _rule(number, color="FF0000", size=18)  # the red separator under the number line
    _paragraph(document, "", space_after=Pt(12))
    _paragraph(
        document, spec.title, font=FONT_TITLE, size=SIZE_TITLE, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=Pt(16)
    )
    _paragraph(document, f"{spec.recipients}：")

    for block in spec.body:
        if block.kind == "heading":
            _paragraph(document, block.text, font=FONT_HEADING, indent=True)
        elif block.kind == "list":
            for position, item in enumerate(block.items, start=1):
                _paragraph(document, f"（{position}）{item}", indent=True)
        elif block.kind == "table" and block.rows:
            _table(document, block.rows)
        else:
            _paragraph(document, block.text, indent=True)

    _paragraph(document, "", space_after=Pt(24))
    _paragraph(document, spec.issuer, align=WD_ALIGN_PARAGRAPH.RIGHT)
    dated = _paragraph(document, _chinese_date(spec.issued_on), align=WD_ALIGN_PARAGRAPH.RIGHT, space_after=Pt(24))
    if spec.seal:
        _seal(dated, spec.seal, section.page_width - section.left_margin - section.right_margin)

    # 版记: CC and the print line between rules, at the end of the document.
    if spec.cc:
        cc = _paragraph(document, f"抄送：{spec.cc}。", size=SIZE_COLOPHON)
        _rule(cc, top=True)
    printer = _paragraph(
        document,
        f"{spec.printer or spec.issuer}　　{_chinese_date(spec.printed_on or spec.issued_on)}印发",
        size=SIZE_COLOPHON,
    )
    _rule(printer, top=not spec.cc)
    _rule(printer)
    _page_number_footer(section)

    return _saved(document)


def check(data: bytes, *, numbered: bool = True) -> list[str]:
    """What the .docx lacks of the official layout; an empty list means it passes. A draft
    checked before sign-off (`numbered=False`) has a number line without the number yet."""
    document = Document(io.BytesIO(data))
    paragraphs = [p for p in document.paragraphs]
    texts = [p.text.strip() for p in paragraphs]
    problems = []

    def red(paragraph) -> bool:
        return any(run.font.color is not None and run.font.color.rgb == RED for run in paragraph.runs if run.text)

    # The organ's name is the first line after the optional secrecy / urgency marks (份号、密级、紧急程度).
    header = next((p for p in paragraphs if p.text.strip() and not MARKS.fullmatch(p.text.strip())), None)
    if header is None or not red(header):
        problems.append(_("Header: the issuing organ's name must be red."))
    pattern = NUMBER_PATTERN if numbered else DRAFT_NUMBER_PATTERN
    number_at = next((i for i, text in enumerate(texts) if pattern.search(text)), None)
    if number_at is None:
        problems.append(_("The document number is missing or malformed (e.g. 销售〔2026〕7号)."))
    else:
        border = paragraphs[number_at]._p.find(qn("w:pPr"))
        bottom = border.find(qn("w:pBdr")) if border is not None else None
        line = bottom.find(qn("w:bottom")) if bottom is not None else None
        if line is None or line.get(qn("w:color"), "").upper() != "FF0000":
            problems.append(_("Header: a red separator line must follow the document number."))
    content = [text for text in texts if text]
    # The title and recipients follow the number line (or the header when the number is missing).
    anchor = texts[number_at] if number_at is not None else (header.text.strip() if header is not None else None)
    after_number = content[content.index(anchor) + 1 :] if anchor in content else content
    if not after_number:
        problems.append(_("The title is missing."))
    if not any(text.endswith("：") for text in after_number[1:3]):
        problems.append(_("The main recipients are missing (a line ending in “：” after the title)."))
    if not any(re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", text) for text in content):
        problems.append(_("The date is missing (e.g. 2026年11月28日)."))
    if not any(text.endswith("印发") for text in content):
        problems.append(_("Colophon: the printing organ and date (…印发) are missing."))
    footer_xml = document.sections[0].footer._element.xml
    if "PAGE" not in footer_xml:
        problems.append(_("Page numbers are missing."))
    return problems


@dataclass
class SheetSection:
    """A part of a sheet: a heading, then a table (first row is the header) and/or paragraphs."""

    heading: str
    rows: list[list[str]] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)


@dataclass
class Sheet:
    """A form-like document: the processing sheet (发文稿纸), a request's 事务单, minutes, a plan."""

    organ: str
    title: str
    fields: list[tuple[str, str]]
    sections: list[SheetSection] = field(default_factory=list)
    footer: str = ""


def render_sheet(spec: Sheet) -> bytes:
    """A sheet on A4: the organ's name, the title, a two-column table of fields, then sections."""
    document, section = _a4(25, 25, 25, 25)
    _paragraph(document, spec.organ, font=FONT_TITLE, size=SIZE_COLOPHON, align=WD_ALIGN_PARAGRAPH.CENTER, color=RED)
    _paragraph(
        document, spec.title, font=FONT_TITLE, size=SIZE_TITLE, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=Pt(12)
    )
    table = document.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in spec.fields:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, value or "—"
        for run in cells[0].paragraphs[0].runs:
            run.font.bold = True
    for part in spec.sections:
        _paragraph(document, "", space_after=Pt(6))
        _paragraph(document, part.heading, font=FONT_HEADING, size=SIZE_COLOPHON)
        for text in part.paragraphs:
            _paragraph(document, text, size=Pt(12))
        if part.rows:
            _table(document, part.rows, bold_header=True)
    if spec.footer:
        _paragraph(document, "", space_after=Pt(6))
        _paragraph(document, spec.footer, size=Pt(10), align=WD_ALIGN_PARAGRAPH.RIGHT)
    _page_number_footer(section)
    return _saved(document)
