"""Hostile .docx templates are refused on upload, and the work of refusing them is bounded.

Each file is built here: a small zip whose document.xml unpacks to tens of megabytes, a
document.xml with a billion-laughs DTD, and one of hundreds of thousands of tiny elements that
stays under the size limits. The checks count what was done (bytes decompressed, elements
parsed, whether python-docx was reached at all) rather than timing themselves; an alarm only
keeps a broken run from hanging. A template kept before the limits existed fails its render at
once with a clear message, and a render past the task's soft time limit is failed, not retried."""

import io
import signal
import zipfile
from functools import cache

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from docx import Document as Docx

from core import rendering
from core.models import GeneratedFile
from core.tasks import render_generated
from departments.models import User
from documents import services, usertemplates
from documents.models import DocumentTemplate
from documents.usertemplates import TemplateRejected, fill, inspect
from tests.conftest import login

pytestmark = pytest.mark.django_db

PARAGRAPH = b"<w:p><w:r><w:t>{{ title }}</w:t></w:r></w:p>"


@pytest.fixture(autouse=True)
def guard():
    """Not a speed check: a generous alarm so that a regression fails instead of hanging."""

    def expired(signum, frame):
        raise AssertionError("the check did not finish within 60 s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(60)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture(autouse=True)
def english(org):
    User.objects.update(language="en")
    with translation.override("en"):
        yield


def good_docx(paragraphs=("{{ title }}", "{{ body }}")) -> bytes:
    document = Docx()
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def with_document_xml(make_body) -> bytes:
    """A real template whose word/document.xml is replaced: `make_body(head, tail)` gives it."""
    source = good_docx()
    with zipfile.ZipFile(io.BytesIO(source)) as archive:
        original = archive.read("word/document.xml")
    head, tail = original.split(b"<w:body>")
    xml = make_body(head + b"<w:body>", tail)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(source)) as archive, zipfile.ZipFile(out, "w") as target:
        for item in archive.infolist():
            content = xml if item.filename == "word/document.xml" else archive.read(item.filename)
            target.writestr(item.filename, content, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


@cache
def repetitive(megabytes: int) -> bytes:
    return with_document_xml(lambda head, tail: head + PARAGRAPH * (megabytes * 1024 * 1024 // len(PARAGRAPH)) + tail)


@cache
def billion_laughs() -> bytes:
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">' for i in range(1, 10)
    )

    def make(head, tail):
        declaration, rest = head.split(b"?>", 1)
        doctype = f"<!DOCTYPE w:document [{entities}]>".encode()
        return declaration + b"?>" + doctype + rest + b"<w:p><w:r><w:t>{{ title }}&lol9;</w:t></w:r></w:p>" + tail

    return with_document_xml(make)


@cache
def tiny_elements() -> bytes:
    """Hundreds of thousands of empty paragraphs: each is 6 bytes, all under the size limits."""
    count = (usertemplates.MAX_XML_PART_BYTES - 4096) // len(b"<w:p/>")
    return with_document_xml(lambda head, tail: head + PARAGRAPH + b"<w:p/>" * count + tail)


@pytest.fixture
def spy(monkeypatch):
    """What a check did: bytes decompressed from the zip, XML elements parsed, python-docx opened."""
    for make in (lambda: repetitive(30), lambda: repetitive(10), billion_laughs, tiny_elements):
        make()  # built before counting starts
    seen = {"bytes": 0, "elements": 0, "opened": 0}
    read = zipfile.ZipExtFile.read
    iterparse = usertemplates.iterparse
    open_docx = usertemplates.open_docx

    def counting_read(self, n=-1):
        data = read(self, n)
        seen["bytes"] += len(data)
        return data

    def counting_iterparse(*args, **kwargs):
        for event in iterparse(*args, **kwargs):
            seen["elements"] += 1
            yield event

    def counting_open(*args, **kwargs):
        seen["opened"] += 1
        return open_docx(*args, **kwargs)

    monkeypatch.setattr(zipfile.ZipExtFile, "read", counting_read)
    monkeypatch.setattr(usertemplates, "iterparse", counting_iterparse)
    monkeypatch.setattr(usertemplates, "open_docx", counting_open)
    return seen


def test_a_small_zip_that_unpacks_to_30_mb_is_refused_without_unpacking_it(spy):
    data = repetitive(30)
    assert len(data) < 150 * 1024  # tens of KB on the wire, most of them the styles
    with pytest.raises(TemplateRejected, match="too much"):
        inspect("bomb.docx", data)
    assert spy["bytes"] == 0 and spy["elements"] == 0 and spy["opened"] == 0


def test_a_10_mb_document_part_is_refused_after_reading_no_more_than_the_part_limit(spy):
    data = repetitive(10)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.getinfo("word/document.xml").file_size > 4 * usertemplates.MAX_XML_PART_BYTES
    with pytest.raises(TemplateRejected, match="too much XML"):
        inspect("big.docx", data)
    assert spy["bytes"] <= usertemplates.MAX_XML_BYTES and spy["opened"] == 0


def test_a_billion_laughs_document_is_refused_for_its_dtd(spy):
    with pytest.raises(TemplateRejected, match="DTD"):
        inspect("laughs.docx", billion_laughs())
    assert spy["opened"] == 0 and spy["elements"] < 1000  # stopped at the root, nothing expanded


def test_hundreds_of_thousands_of_tiny_elements_are_refused_at_the_element_limit(spy):
    data = tiny_elements()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        part = archive.getinfo("word/document.xml").file_size
    assert part <= usertemplates.MAX_XML_PART_BYTES and part // 6 > 3 * usertemplates.MAX_ELEMENTS
    with pytest.raises(TemplateRejected, match="too many XML elements"):
        inspect("tiny.docx", data)
    assert spy["elements"] <= usertemplates.MAX_ELEMENTS + 1 and spy["opened"] == 0


def test_an_ordinary_template_passes_the_limits(spy):
    assert inspect("ok.docx", good_docx()) == ["body", "title"]
    assert spy["opened"] == 1 and 0 < spy["elements"] < usertemplates.MAX_ELEMENTS


@pytest.mark.parametrize("make", [lambda: repetitive(30), lambda: repetitive(10), billion_laughs, tiny_elements])
def test_the_admin_shows_a_form_error_and_keeps_nothing(client, org, make):
    login(client, org.admin)
    response = client.post(
        "/admin/documents/documenttemplate/add/",
        {"name": "红头", "kind": "", "is_active": "on", "file": SimpleUploadedFile("t.docx", make())},
    )
    assert response.status_code == 200
    assert "errorlist" in response.content.decode() and "template" in response.content.decode()
    assert not DocumentTemplate.objects.exists()


def test_filling_refuses_a_hostile_template_kept_before_the_limits(spy):
    with pytest.raises(TemplateRejected):
        fill(tiny_elements(), {"title": "x"}, ["y"])
    assert spy["opened"] == 0


def test_a_document_with_a_hostile_template_fails_its_render_at_once(org, django_capture_on_commit_callbacks):
    template = DocumentTemplate(name="旧模板", placeholders=["title"])
    template.file.save("old.docx", ContentFile(tiny_elements()), save=False)
    template.save()
    document = services.document_create(
        by=org.requester,
        kind="notice",
        title="通知",
        recipients="各部门",
        body="正文。",
        recipient_departments=[org.purchasing],
        template=template,
    )
    job = rendering.request_file(document, "document", version="1")
    with translation.override("zh-hans"):  # the worker's language does not decide the message's
        assert rendering.run(job.pk) == "failed"
    job.refresh_from_db()
    assert job.status == GeneratedFile.Status.FAILED and job.attempts == 1
    assert job.error == "The file has too many XML elements to be a template."


def test_a_render_past_the_soft_time_limit_is_failed_with_a_clear_message(org):
    def overrun(obj):
        raise SoftTimeLimitExceeded()

    rendering.builder("test-overrun", can_view=lambda user, obj: True)(overrun)
    try:
        job = rendering.request_file(org.requester, "test-overrun", version="1")
        assert rendering.run(job.pk) == "failed"
    finally:
        rendering.BUILDERS.pop("test-overrun", None)
    job.refresh_from_db()
    assert job.status == GeneratedFile.Status.FAILED and job.attempts == 1
    assert job.error == rendering.TOO_SLOW
    assert render_generated.soft_time_limit == rendering.SOFT_TIME_LIMIT < render_generated.time_limit
