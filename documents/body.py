"""The body of an official document, written in a small plain-text markup that every drafter can
type in a text box: blank lines separate paragraphs, "# " starts a heading, "- " (or "1. ") a list
item, and lines of "| a | b |" make a table. The text is never HTML, so nothing in it can run:
the page shows it escaped, and the .docx gets the same blocks.
"""

import re

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from documents.docx_layout import Block

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
    """The body for the page: every piece of text escaped."""
    parts = []
    for block in parse(text):
        if block.kind == "heading":
            parts.append(format_html('<h3 class="h5 mt-3">{}</h3>', block.text))
        elif block.kind == "list":
            parts.append(format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((i,) for i in block.items))))
        elif block.kind == "table":
            width = max(len(row) for row in block.rows)
            head, *rest = block.rows
            parts.append(
                format_html(
                    '<div class="table-responsive"><table class="table table-sm table-bordered">'
                    "<thead><tr>{}</tr></thead><tbody>{}</tbody></table></div>",
                    format_html_join("", "<th>{}</th>", ((c,) for c in head + [""] * (width - len(head)))),
                    mark_safe(  # noqa: S308 - built from format_html pieces only
                        "".join(
                            format_html(
                                "<tr>{}</tr>",
                                format_html_join("", "<td>{}</td>", ((c,) for c in row + [""] * (width - len(row)))),
                            )
                            for row in rest
                        )
                    ),
                )
            )
        else:
            parts.append(format_html("<p>{}</p>", block.text))
    return mark_safe("".join(parts))  # noqa: S308 - every part comes from format_html
