import ast
import io
import pathlib

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from core.uploads import HEAD_BYTES, UploadRejected, check_upload
from tests.samples import ELF, MACH_O, SAMPLES, WINDOWS_EXE, sample

ALLOWED = list(settings.ATTACHMENT_EXTENSIONS)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def test_every_allowed_type_has_a_sample():
    assert set(ALLOWED) <= set(SAMPLES)


@pytest.mark.parametrize("extension", ALLOWED)
def test_a_real_file_of_each_allowed_type_is_accepted_and_left_at_its_start(extension):
    data = sample(extension)
    file = upload(f"文件.{extension.upper()}", data)
    assert check_upload(file) == extension
    assert file.read() == data


@pytest.mark.parametrize("executable", [WINDOWS_EXE, ELF, MACH_O], ids=["windows", "elf", "mach-o"])
@pytest.mark.parametrize("extension", ALLOWED)
def test_an_executable_is_refused_whatever_it_is_called(extension, executable):
    with pytest.raises(UploadRejected, match=rf"“invoice\.{extension}”.*does not match its type"):
        check_upload(upload(f"invoice.{extension}", executable))


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("report.pdf", b"<html><script>alert(1)</script></html>"),
        ("photo.png", sample("jpg")),
        ("photo.jpg", sample("png")),
        ("letter.docx", sample("xlsx")),  # a workbook is no Word document
        ("sheet.xlsx", sample("docx")),
        ("letter.docx", sample("zip")),  # a zip without [Content_Types].xml
        ("letter.docx", b"PK\x03\x04 truncated"),
        ("old.doc", sample("pdf")),
        ("notes.txt", b"plain start\x00\x01\x02binary"),
        ("list.csv", sample("xlsx")),
        ("archive.zip", sample("pdf")),
        ("invoice.ofd", sample("zip")),
        ("empty.pdf", b""),
    ],
)
def test_content_that_is_not_its_type_is_refused(name, data):
    with pytest.raises(UploadRejected, match="does not match its type"):
        check_upload(upload(name, data))


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("run.txt", b"#!/bin/sh\necho hello\n"),  # a script is text; it is never served to run
        ("unicode.txt", "编号\t名称\n".encode("utf-16")),  # UTF-16 text has NUL bytes after its BOM
        ("mz.txt", b"MZ is how the list starts\n"),
    ],
)
def test_text_that_is_text_is_accepted(name, data):
    assert check_upload(upload(name, data)) == "txt"


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("a.webp", b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 20),
        ("a.bmp", b"BM" + b"\x00" * 60),
        ("a.rar", b"Rar!\x1a\x07\x01\x00" + b"\x00" * 20),
        ("a.7z", b"7z\xbc\xaf\x27\x1c\x00\x04" + b"\x00" * 20),
        ("a.odt", b"anything without a known signature"),
    ],
)
def test_other_types_an_organisation_may_allow(name, data):
    extension = name.rsplit(".", 1)[-1]
    assert check_upload(upload(name, data), extensions=[extension]) == extension
    with pytest.raises(UploadRejected):
        check_upload(upload(name, WINDOWS_EXE), extensions=[extension])


def test_size_and_list_are_checked_before_the_content(settings):
    settings.ATTACHMENT_MAX_BYTES = 10
    with pytest.raises(UploadRejected, match="too large"):
        check_upload(upload("a.pdf", sample("pdf")))
    with pytest.raises(UploadRejected, match="not an allowed file type"):
        check_upload(upload("a.exe", b"x"))


class CountingFile(io.BytesIO):
    def __init__(self, data):
        super().__init__(data)
        self.largest = 0
        self.name = "big.pdf"
        self.size = len(data)

    def read(self, size=-1):
        chunk = super().read(size)
        self.largest = max(self.largest, len(chunk))
        return chunk


def test_only_the_head_of_a_large_file_is_read():
    file = CountingFile(b"%PDF-1.7\n" + b"x" * (5 * 1024 * 1024))
    assert check_upload(file) == "pdf"
    assert file.largest <= HEAD_BYTES and file.tell() == 0


def test_the_kernel_imports_no_app_of_the_project():
    project = {"collab_portal", "departments", "tasks", "documents", "teams", "conflicts", "reports", "bench"}
    for path in pathlib.Path(settings.BASE_DIR, "core").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            assert not {name.split(".")[0] for name in names} & project, (path, names)
