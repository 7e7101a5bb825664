"""The one check every uploaded file passes: its size, its type, and that its content is that type.

A name is chosen by whoever uploads the file, so ``invoice.pdf`` says nothing about what the bytes
are. Each allowed extension is matched against the content's signature (its first bytes, or for
zip-based formats such as .docx the archive's table of contents); text types must not look binary;
and whatever the extension, a Windows, Linux or macOS executable is refused. Only the first few KB
are read (a zip's table of contents is read from its end), so a large file is never held in memory.

Stored files are served by :func:`serve_upload`: as an opaque download, never with a type that a
browser would render, so even a file stored before these checks existed cannot run. The one
exception is a preview's picture (`inline=True`): a raster image whose content is what its name
says is served as that image type, still sandboxed, so the page can show it.
"""

import zipfile

from django.conf import settings
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _

HEAD_BYTES = 4096

_ZIP = (b"PK\x03\x04", b"PK\x05\x06")  # an archive with entries, an empty archive
_OLE2 = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)  # old Office (.doc, .xls, .ppt)

# Extension -> the prefixes its content may start with.
SIGNATURES = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "gif": (b"GIF87a", b"GIF89a"),
    "bmp": (b"BM",),
    "tif": (b"II*\x00", b"MM\x00*"),
    "tiff": (b"II*\x00", b"MM\x00*"),
    "zip": _ZIP,
    "rar": (b"Rar!\x1a\x07",),
    "7z": (b"7z\xbc\xaf\x27\x1c",),
    "gz": (b"\x1f\x8b",),
    "doc": _OLE2,
    "xls": _OLE2,
    "ppt": _OLE2,
    "docx": _ZIP,
    "xlsx": _ZIP,
    "pptx": _ZIP,
    "ofd": _ZIP,
}
# Zip-based formats: an entry each must hold (compared case-insensitively): OOXML declares its
# parts in [Content_Types].xml and keeps them under word/, xl/ or ppt/; OFD (GB/T 33190) starts at OFD.xml.
ZIP_ENTRIES = {
    "docx": ("[content_types].xml", "word/"),
    "xlsx": ("[content_types].xml", "xl/"),
    "pptx": ("[content_types].xml", "ppt/"),
    "ofd": ("ofd.xml",),
}
TEXT = {"txt", "csv", "md", "json", "xml", "log"}
# Executables, refused whatever the extension: Windows PE/DOS ("MZ", whose header always holds NUL
# bytes early), ELF, Mach-O (both byte orders, 32/64-bit, universal), WebAssembly.
_EXECUTABLES = (
    b"\x7fELF",
    b"\xfe\xed\xfa\xce",
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",
    b"\x00asm",
)
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


class UploadRejected(ValueError):
    """The file may not be kept; the message (translated) names it and says why."""


def extension_of(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def is_executable(head: bytes) -> bool:
    if head.startswith(b"MZ") and b"\x00" in head[:64]:
        return True
    return head.startswith(_EXECUTABLES)


def _looks_like_text(head: bytes) -> bool:
    if head.startswith(_UTF16_BOMS):  # Excel's "Unicode text" and similar: NUL bytes are expected
        return True
    return b"\x00" not in head[:1024] and not is_executable(head)


def _zip_holds(upload, required: tuple[str, ...]) -> bool:
    """Whether the archive opens and has each required entry (a name, or a folder ending in /)."""
    try:
        with zipfile.ZipFile(upload) as archive:
            names = [name.lower() for name in archive.namelist()]
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        return False
    return all(any(name.startswith(entry) for name in names) for entry in required)


def content_matches(upload, extension: str) -> bool:
    """Whether the upload's content is what its extension says (the file is left at its start)."""
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    if is_executable(head):
        return False
    if extension in TEXT:
        return _looks_like_text(head)
    if extension == "webp":
        return head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    signatures = SIGNATURES.get(extension)
    if signatures is None:  # no reliable signature: refusing executables is all that can be done
        return True
    if not head.startswith(signatures):
        return False
    if extension in ZIP_ENTRIES:
        matches = _zip_holds(upload, ZIP_ENTRIES[extension])
        upload.seek(0)
        return matches
    return True


def check_upload(upload, *, extensions=None, max_bytes: int | None = None) -> str:
    """Refuse a file over the size limit, of a type not allowed, or whose content is not its type.

    ``extensions`` and ``max_bytes`` default to the attachment settings. Returns the extension.
    """
    limit = settings.ATTACHMENT_MAX_BYTES if max_bytes is None else max_bytes
    allowed = list(settings.ATTACHMENT_EXTENSIONS if extensions is None else extensions)
    if upload.size > limit:
        raise UploadRejected(
            _("“%(name)s” is too large: the limit is %(limit)s MB.")
            % {"name": upload.name, "limit": round(limit / 1024 / 1024, 1)}
        )
    extension = extension_of(upload.name)
    if extension not in allowed:
        raise UploadRejected(
            _("“%(name)s” is not an allowed file type. Allowed: %(types)s.")
            % {"name": upload.name, "types": ", ".join(allowed)}
        )
    if not content_matches(upload, extension):
        raise UploadRejected(
            _("The content of “%(name)s” does not match its type (.%(extension)s); it was not saved.")
            % {"name": upload.name, "extension": extension}
        )
    return extension


# Raster images a preview shows in the page (never SVG, which can carry scripts), with their types.
PREVIEW_IMAGES = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "bmp": "image/bmp",
}


# Word-processing files a worker makes into a PDF for their preview (core.previews). Only these:
# the image and `make pdf` install LibreOffice's Writer alone (libreoffice-writer-nogui), which
# cannot open spreadsheets or presentations (.xlsx, .pptx stay downloads).
CONVERTED = {"docx", "doc", "odt", "rtf"}


def preview_kind(name: str) -> str:
    """How a preview page shows a file of this name: "pdf", "image", "office" (through the PDF a
    worker makes of it, when PDF_CONVERSION is on) or "" (download only)."""
    extension = extension_of(name)
    if extension == "pdf":
        return "pdf"
    if extension in CONVERTED and settings.PDF_CONVERSION:
        return "office"
    return "image" if extension in PREVIEW_IMAGES else ""


def serve_upload(field_file, filename: str, *, inline: bool = False) -> FileResponse:
    """A stored upload as an opaque download: never rendered by the browser, whatever it holds.
    `inline` (a preview's picture): a raster image whose content matches its name is served as
    that image; anything else is still the opaque download."""
    try:
        handle = field_file.open("rb")
    except (FileNotFoundError, ValueError):  # gone from the storage, or no file on the row
        raise Http404 from None
    extension = extension_of(filename)
    if inline and extension in PREVIEW_IMAGES and content_matches(handle, extension):
        response = FileResponse(handle, filename=filename, content_type=PREVIEW_IMAGES[extension])
    else:
        response = FileResponse(handle, as_attachment=True, filename=filename, content_type="application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
