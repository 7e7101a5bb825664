"""The body of an official document, written in a small plain-text markup that every drafter can
type in a text box: blank lines separate paragraphs, "# " starts a heading, "- " (or "1. ") a list
item, and lines of "| a | b |" make a table. The text is never HTML, so nothing in it can run:
the page shows it escaped, and the .docx gets the same blocks.
"""

import re

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from core.docx_layout import Block

LIST_ITEM = re.compile(r"^\s*(?:[-*•]|\d+[.、)])\s+")
TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
TABLE_RULE = re.compile(r"^\s*\|(?:\s*:?-{2,}:?\s*\|)+\s*$")


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip()[1:-1].split("|")]


def parse(text: str) -> list[Block]:
    """Blocks of the body, in order."""
    blocks: list[Block] = []
    paragraph: list[str] = []

    def close_paragraph():
        if paragraph:
            blocks.append(Block("paragraph", " ".join(part.strip() for part in paragraph)))
            paragraph.clear()

    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if not line.strip():
            close_paragraph()
            continue
        if line.lstrip().startswith("#"):
            close_paragraph()
            blocks.append(Block("heading", line.strip().lstrip("#").strip()))
        elif LIST_ITEM.match(line):
            close_paragraph()
            item = LIST_ITEM.sub("", line).strip()
            if blocks and blocks[-1].kind == "list" and not paragraph:
                blocks[-1].items.append(item)
            else:
                blocks.append(Block("list", items=[item]))
        elif TABLE_ROW.match(line):
            close_paragraph()
            if TABLE_RULE.match(line):
                continue
            if blocks and blocks[-1].kind == "table":
                blocks[-1].rows.append(_cells(line))
            else:
                blocks.append(Block("table", rows=[_cells(line)]))
        else:
            paragraph.append(line)
    close_paragraph()
    return [block for block in blocks if block.text or block.items or block.rows]


def to_html(text: str) -> SafeString:
    """The body for the page (documents/_body.html: every piece of text escaped), each table's rows
    as wide as its widest."""
    blocks = []
    for block in parse(text):
        if block.kind == "table":
            width = max(len(row) for row in block.rows)
            block = Block("table", rows=[row + [""] * (width - len(row)) for row in block.rows])
        blocks.append(block)
    return render_to_string("documents/_body.html", {"blocks": blocks})
