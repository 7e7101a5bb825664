"""Organisations' own .docx templates: checked when uploaded, filled by plain substitution.

A template is an ordinary Word file with placeholders such as ``{{ title }}`` or ``{{ number }}``
in its paragraphs, tables, headers and footers. On upload the file must be a real .docx (a zip
whose content types declare a Word document, no macros), not larger than the limit, and use only
the known placeholders; the message lists any unknown ones. Filling replaces each placeholder
with text and nothing else: there is no template language, so ``{{ settings.SECRET_KEY }}`` or
``{% load %}`` can never run — they are refused on upload and would be left as text anyway.
"""

import io
import re
import zipfile

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from docx import Document as open_docx

MAX_BYTES = 5 * 1024 * 1024
PLACEHOLDER = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
TEMPLATE_TAG = re.compile(r"\{%.*?%\}")
KNOWN = {
    "organ": gettext_lazy("issuing organ (发文机关)"),
    "number": gettext_lazy("document number (文号)"),
    "title": gettext_lazy("title"),
    "recipients": gettext_lazy("main recipients (主送)"),
    "body": gettext_lazy("body (its paragraphs replace the paragraph holding it)"),
    "issuer": gettext_lazy("issuing department (署名)"),
    "date": gettext_lazy("issue date"),
    "cc": gettext_lazy("CC (抄送)"),
    "urgency": gettext_lazy("urgency"),
    "confidentiality": gettext_lazy("confidentiality"),
    "kind": gettext_lazy("document kind"),
    "drafter": gettext_lazy("drafter"),
}
MACRO_MARKERS = (b"vbaProject", b"macroEnabled", b"vbaData")


class TemplateRejected(ValueError):
    """The uploaded file cannot be a template; the message says why."""


def _paragraphs(document):
    """Every paragraph of the body, tables, headers and footers."""
    yield from document.paragraphs
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                yield from cell.paragraphs
    for section in document.sections:
        for part in (section.header, section.footer):
            yield from part.paragraphs


def inspect(name: str, data: bytes) -> list[str]:
    """The placeholders of a valid template, or TemplateRejected with the reason."""
    if not name.lower().endswith(".docx"):
        raise TemplateRejected(_("Only .docx files can be templates (not .doc, .docm or .dotm)."))
    if len(data) > MAX_BYTES:
        raise TemplateRejected(_("The file is larger than %(mb)s MB.") % {"mb": MAX_BYTES // (1024 * 1024)})
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise TemplateRejected(_("The file is not a Word document (it could not be opened)."))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            content_types = archive.read("[Content_Types].xml")
            total = sum(info.file_size for info in archive.infolist())
    except (KeyError, zipfile.BadZipFile, OSError):
        raise TemplateRejected(_("The file is not a Word document (it could not be opened).")) from None
    if total > 20 * MAX_BYTES:
        raise TemplateRejected(_("The file unpacks to too much data to be a template."))
    if any(marker.lower() in content_types.lower() for marker in MACRO_MARKERS) or any(
        "vbaproject" in entry.lower() for entry in names
    ):
        raise TemplateRejected(_("The file contains macros; save it as a plain .docx without macros."))
    if b"wordprocessingml.document.main" not in content_types:
        raise TemplateRejected(_("The file is not a Word document (it could not be opened)."))
    try:
        document = open_docx(io.BytesIO(data))
    except Exception:  # noqa: BLE001 - python-docx raises many kinds for a broken file
        raise TemplateRejected(_("The file is not a Word document (it could not be opened).")) from None
    found, unknown = [], []
    for paragraph in _paragraphs(document):
        text = paragraph.text
        if TEMPLATE_TAG.search(text):
            unknown.append(TEMPLATE_TAG.search(text).group(0))
        for match in PLACEHOLDER.finditer(text):
            key = match.group(1)
            (found if key in KNOWN else unknown).append(key)
    if unknown:
        raise TemplateRejected(
            _("Unknown placeholders: %(unknown)s. Known ones: %(known)s.")
            % {
                "unknown": ", ".join(sorted({f"{{{{ {u} }}}}" if "{%" not in u else u for u in unknown})),
                "known": ", ".join(f"{{{{ {k} }}}}" for k in KNOWN),
            }
        )
    if not found:
        raise TemplateRejected(_("The template has no placeholders; put {{ title }} and {{ body }} where they go."))
    return sorted(set(found))


def _set_text(paragraph, text: str) -> None:
    """Replace a paragraph's text, keeping the formatting of its first run."""
    runs = paragraph.runs
    if not runs:
        paragraph.add_run(text)
        return
    runs[0].text = text
    for run in runs[1:]:
        run.text = ""


def fill(data: bytes, values: dict[str, str], body: list[str]) -> bytes:
    """The template with every placeholder replaced by plain text; the paragraph holding
    {{ body }} becomes the body's paragraphs (same formatting)."""
    document = open_docx(io.BytesIO(data))
    for paragraph in list(_paragraphs(document)):
        text = paragraph.text
        if "{{" not in text:
            continue
        if PLACEHOLDER.fullmatch(text.strip()) and PLACEHOLDER.fullmatch(text.strip()).group(1) == "body":
            _set_text(paragraph, body[0] if body else "")
            anchor = paragraph
            for part in body[1:]:
                new = anchor.insert_paragraph_before("")
                anchor._p.addnext(new._p)  # move it from above the anchor to below

                new.style = paragraph.style
                new.paragraph_format.first_line_indent = paragraph.paragraph_format.first_line_indent
                new.add_run(part)
                anchor = new
            continue
        replaced = PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), m.group(0))), text)
        _set_text(paragraph, replaced)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
