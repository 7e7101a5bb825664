"""A .docx made into a PDF by LibreOffice (headless), the PDF recipients open first.

Each conversion runs `soffice --headless --convert-to pdf` in its own temporary profile and
folder (two conversions on one worker never share LibreOffice's profile lock), with the fonts of
GB/T 9704 mapped to free ones by `core/fonts/fonts.conf`, and is stopped past `TIMEOUT` seconds.
A worker without LibreOffice still makes the .docx: `PdfUnavailable` says why there is no PDF.
"""

import os
import shutil
import subprocess  # nosec B404 - a fixed program and arguments, never a shell
import tempfile
from pathlib import Path

from django.utils.translation import gettext_noop

PDF = "application/pdf"
TIMEOUT = 30  # seconds, within the render task's soft limit (40 s); see docs/operations.md for timings
FONTS = Path(__file__).resolve().parent / "fonts" / "fonts.conf"
PROGRAMS = ("soffice", "libreoffice")

# Kept as message ids on the file; pages show them in the reader's language.
NOT_INSTALLED = gettext_noop("No PDF: LibreOffice is not installed on the worker; the .docx is available.")
TOO_SLOW = gettext_noop("No PDF: LibreOffice took too long and was stopped; the .docx is available.")
FAILED = gettext_noop("No PDF: LibreOffice could not convert the file; the .docx is available.")
TURNED_OFF = gettext_noop("No PDF: making PDFs is turned off on this server (PDF_CONVERSION).")


class PdfUnavailable(Exception):
    """No PDF could be made; the message (an English message id) says why."""


def program() -> str | None:
    """The LibreOffice program on this machine, or None."""
    for name in PROGRAMS:
        found = shutil.which(name)
        if found:
            return found
    return None


def available() -> bool:
    return program() is not None


def to_pdf(data: bytes, *, suffix: str = "docx", timeout: float = TIMEOUT) -> bytes:
    """The PDF of a .docx (or any document LibreOffice opens, by `suffix`)."""
    soffice = program()
    if soffice is None:
        raise PdfUnavailable(NOT_INSTALLED)
    with tempfile.TemporaryDirectory(prefix="cp-pdf-") as folder:
        work = Path(folder)
        source = work / f"source.{suffix}"
        source.write_bytes(data)
        env = {**os.environ, "HOME": folder, "FONTCONFIG_FILE": str(FONTS)}
        command = [
            soffice,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            "pdf:writer_pdf_Export",
            "--outdir",
            str(work / "out"),
            str(source),
        ]
        try:
            subprocess.run(  # nosec B603 - fixed arguments, no shell
                command, env=env, cwd=folder, capture_output=True, timeout=timeout, check=False
            )
        except subprocess.TimeoutExpired:
            raise PdfUnavailable(TOO_SLOW) from None
        result = work / "out" / "source.pdf"
        if not result.is_file() or result.stat().st_size == 0:
            raise PdfUnavailable(FAILED)
        return result.read_bytes()
