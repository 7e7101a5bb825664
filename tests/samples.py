"""Small real files of each allowed type, and executables dressed up as them, for upload tests."""

import io
import zipfile

from docx import Document as Docx
from openpyxl import Workbook

# A Windows executable's first bytes: the DOS header ("MZ", NUL-filled), its stub, then "PE\0\0".
WINDOWS_EXE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00" + b"\x90" * 200
)
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 200
MACH_O = b"\xcf\xfa\xed\xfe\x07\x00\x00\x01" + b"\x00" * 200


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _docx() -> bytes:
    buffer = io.BytesIO()
    document = Docx()
    document.add_paragraph("正文")
    document.save(buffer)
    return buffer.getvalue()


def _xlsx() -> bytes:
    buffer = io.BytesIO()
    book = Workbook()
    book.active["A1"] = "物料"
    book.save(buffer)
    return buffer.getvalue()


_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504

SAMPLES = {
    "pdf": lambda: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n",
    "docx": _docx,
    "xlsx": _xlsx,
    "pptx": lambda: _zip({"[Content_Types].xml": b"<Types/>", "ppt/presentation.xml": b"<p/>"}),
    "doc": lambda: _OLE2,
    "xls": lambda: _OLE2,
    "ppt": lambda: _OLE2,
    "txt": lambda: "盘点清单\n第一行\n".encode(),
    "csv": lambda: "编号,名称\n1,螺丝\n".encode(),
    "png": lambda: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 32,
    "jpg": lambda: b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32,
    "jpeg": lambda: b"\xff\xd8\xff\xe1\x00\x10Exif\x00" + b"\x00" * 32,
    "gif": lambda: b"GIF89a\x01\x00\x01\x00\x00\x00\x00;",
    "zip": lambda: _zip({"a.txt": b"a"}),
    "ofd": lambda: _zip({"OFD.xml": b"<ofd:OFD/>", "Doc_0/Document.xml": b"<d/>"}),
}


def sample(extension: str) -> bytes:
    return SAMPLES[extension]()
