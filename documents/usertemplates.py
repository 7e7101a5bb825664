"""Organisations' own .docx templates: checked when uploaded, filled by plain substitution.

A template is an ordinary Word file with placeholders such as ``{{ title }}`` or ``{{ number }}``
in its paragraphs, tables, headers and footers. On upload the file must be a real .docx (a zip
whose content types declare a Word document, no macros), not larger than the limit, and use only
the known placeholders; the message lists any unknown ones. Its XML is read before python-docx
sees it, with a parser that refuses any DTD (so no entity is ever expanded) and reaches no network, and within
limits on the unpacked size (each part and all together) and on the number of elements: a small
zip can unpack to an XML that keeps a worker busy for minutes, and a Word document never has a DTD. Filling replaces each placeholder
with text and nothing else: there is no template language, so ``{{ settings.SECRET_KEY }}`` or
``{% load %}`` can never run — they are refused on upload and would be left as text anyway.
"""

import io
import re
import zipfile
import zlib
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as parse_xml
from defusedxml.ElementTree import iterparse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from docx import Document as open_docx

from core.uploads import check_upload

MAX_BYTES = 5 * 1024 * 1024
# Unpacked limits. A plain Word file is far below them (python-docx's own empty document has
# about 800 KB of XML in 19,000 elements, most of it the styles); what makes filling slow is the
# number of elements, so that is the tightest.
MAX_UNPACKED_BYTES = 4 * MAX_BYTES
MAX_XML_PART_BYTES = 2 * 1024 * 1024
MAX_XML_BYTES = 6 * 1024 * 1024
MAX_ELEMENTS = 100_000
XML_TYPES = ("application/xml", "text/xml")
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


def _not_a_document() -> TemplateRejected:
    return TemplateRejected(_("The file is not a Word document (it could not be opened)."))


def _read(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    """A part's bytes, never more than `limit` of them decompressed whatever its header claims."""
    with archive.open(info) as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise TemplateRejected(_("A part of the file unpacks to too much XML to be a template."))
    return data


def _count_elements(data: bytes, budget: int) -> int:
    """The number of elements of one XML part, stopping as soon as there are more than `budget`.
    A DTD (entities, billion laughs) or an external reference is refused where it starts."""
    count = 0
    try:
        for _event in iterparse(
            io.BytesIO(data), events=("start",), forbid_dtd=True, forbid_entities=True, forbid_external=True
        ):
            count += 1
            if count > budget:
                raise TemplateRejected(_("The file has too many XML elements to be a template."))
    except DefusedXmlException:
        raise TemplateRejected(
            _("The file contains XML declarations (a DTD) that Word documents never have.")
        ) from None
    return count


def _content_types(data: bytes) -> tuple[dict[str, str], dict[str, str]]:
    """The package's content types: by file extension, and by part name (both lower case)."""
    root = parse_xml(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    defaults, overrides = {}, {}
    for element in root:
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "Default":
            defaults[element.get("Extension", "").lower()] = element.get("ContentType", "")
        elif tag == "Override":
            overrides[element.get("PartName", "").lstrip("/").lower()] = element.get("ContentType", "")
    return defaults, overrides


def _is_xml(name: str, defaults: dict[str, str], overrides: dict[str, str]) -> bool:
    lower = name.lower()
    kind = overrides.get(lower) or defaults.get(lower.rsplit(".", 1)[-1] if "." in lower else "", "")
    return lower.endswith((".xml", ".rels")) or kind.endswith("+xml") or kind in XML_TYPES


def check_package(data: bytes) -> bytes:
    """Refuse a file that is not a plain Word package within the limits; returns its content
    types part. Every XML part python-docx might parse is read (bounded) and parsed here first
    (hardened, element count bounded), so the work done on any file is bounded by the limits."""
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise _not_a_document()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = [info for info in archive.infolist() if not info.is_dir()]
            if sum(info.file_size for info in infos) > MAX_UNPACKED_BYTES:
                raise TemplateRejected(_("The file unpacks to too much data to be a template."))
            content_types = _read(archive, archive.getinfo("[Content_Types].xml"), MAX_XML_PART_BYTES)
            xml_bytes, elements = len(content_types), _count_elements(content_types, MAX_ELEMENTS)
            defaults, overrides = _content_types(content_types)
            for info in infos:
                if info.filename == "[Content_Types].xml" or not _is_xml(info.filename, defaults, overrides):
                    continue
                part = _read(archive, info, MAX_XML_PART_BYTES)
                xml_bytes += len(part)
                if xml_bytes > MAX_XML_BYTES:
                    raise TemplateRejected(_("The file unpacks to too much XML to be a template."))
                elements += _count_elements(part, MAX_ELEMENTS - elements)
    except (KeyError, zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, NotImplementedError, ParseError):
        # a missing part, a broken or encrypted zip, an unknown compression method, broken XML
        raise _not_a_document() from None
    return content_types


def inspect(name: str, data: bytes) -> list[str]:
    """The placeholders of a valid template, or TemplateRejected with the reason."""
    if not name.lower().endswith(".docx"):
        raise TemplateRejected(_("Only .docx files can be templates (not .doc, .docm or .dotm)."))
    if len(data) > MAX_BYTES:
        raise TemplateRejected(_("The file is larger than %(mb)s MB.") % {"mb": MAX_BYTES // (1024 * 1024)})
    content_types = check_package(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
    if any(marker.lower() in content_types.lower() for marker in MACRO_MARKERS) or any(
        "vbaproject" in entry.lower() for entry in names
    ):
        raise TemplateRejected(_("The file contains macros; save it as a plain .docx without macros."))
    if b"wordprocessingml.document.main" not in content_types:
        raise _not_a_document()
    try:
        document = open_docx(io.BytesIO(data))
    except Exception:  # noqa: BLE001 - python-docx raises many kinds for a broken file
        raise _not_a_document() from None
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


def check_template_upload(upload) -> tuple[bytes, list[str]]:
    """An uploaded template's bytes and placeholders, after the upload check (type, size, content)
    and `inspect`; UploadRejected or TemplateRejected say why not. The upload is left at its start."""
    check_upload(upload, extensions=["docx"], max_bytes=MAX_BYTES)
    data = upload.read()
    upload.seek(0)
    return data, inspect(upload.name, data)


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
    {{ body }} becomes the body's paragraphs (same formatting). A file beyond the limits (one kept
    before they existed) is refused with TemplateRejected rather than worked through."""
    check_package(data)
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
