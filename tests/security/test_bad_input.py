"""Bad input: Hypothesis throws arbitrary text at the main forms (never a 500, nothing half-saved),
an XSS corpus goes through every text field and must come out inert, and uploads that are too big
or disguised are refused or served so that a browser cannot run them."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from documents.models import Document
from tasks.models import Attachment, Task
from tests.conftest import login
from tests.security.test_headers import inline_violations

pytestmark = pytest.mark.django_db

FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
# Text as people and attackers type it: any unicode (CJK, emoji, control characters), long or empty.
TEXT = st.text(max_size=300) | st.sampled_from(
    ["", " ", "\x00", "　", "😀" * 50, "a" * 5000, "1e309", "-1", "Infinity"]
)
# NaN was found by this fuzzing (a 500, now fixed); test_nan_amount_is_a_form_error keeps it pinned.
NUMBER = st.one_of(
    TEXT,
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.floats(allow_nan=False).map(str),
)


@FUZZ
@given(title=TEXT, description=TEXT, amount=NUMBER, priority=TEXT, action=st.sampled_from(["submit", "draft", "x"]))
def test_filing_form_never_500_and_never_half_saved(
    client, org, purchase, title, description, amount, priority, action
):
    login(client, org.requester)
    before = Task.objects.count()
    response = client.post(
        "/requests/new/purchase/",
        {"title": title, "description": description, "f_amount": amount, "priority": priority, "action": action},
    )
    assert response.status_code in (200, 302)
    if response.status_code == 200:  # the form again, with its errors: nothing saved
        assert Task.objects.count() == before
        assert response.context["form"].errors
    else:
        task = Task.objects.latest("pk")
        assert Task.objects.count() == before + 1 and task.title == title.strip()
        assert task.state == ("pending_approval" if action == "submit" else "draft")


@pytest.mark.parametrize("amount", ["NaN", "sNaN", "-nan"])
def test_nan_amount_is_a_form_error(client, org, purchase, amount):
    login(client, org.requester)
    response = client.post(
        "/requests/new/purchase/", {"title": "非数", "f_amount": amount, "priority": "2", "action": "submit"}
    )
    assert response.status_code == 200 and not Task.objects.exists()


@FUZZ
@given(kind=TEXT | st.just("notice"), title=TEXT, body=TEXT, urgency=TEXT | st.just("normal"), recipients=TEXT)
def test_document_form_never_500_and_never_half_saved(client, org, kind, title, body, urgency, recipients):
    login(client, org.requester)
    before = Document.objects.count()
    response = client.post(
        "/documents/new/",
        {
            "kind": kind,
            "title": title,
            "body": body,
            "urgency": urgency,
            "secrecy": "internal",
            "recipients": recipients,
            "recipient_departments": [org.purchasing.pk],
        },
    )
    assert response.status_code in (200, 302)
    assert Document.objects.count() == before + (response.status_code == 302)


@FUZZ
@given(
    params=st.dictionaries(
        st.sampled_from(["q", "state", "department", "request_type", "priority", "overdue", "page"]), TEXT
    )
)
def test_list_filters_never_500(client, org, purchase, params):
    login(client, org.requester)
    assert client.get("/requests/list/all/", params).status_code == 200


@FUZZ
@given(body=TEXT, percent=NUMBER, action=st.sampled_from(["comment", "progress", "approve", "reject", "hold", "urge"]))
def test_request_actions_never_500(client, org, in_state, body, percent, action):
    task = in_state("in_progress")
    login(client, org.assignee)
    response = client.post(
        f"/requests/{task.number}/do/{action}/",
        {"body": body, "comment": body, "note": body, "opinion": body, "percent": percent, "reason": body},
    )
    assert response.status_code in (302, 403)


# XSS: what people type is shown as text, never run.

XSS = [
    "<script>alert('xss')</script>",
    '"><img src=x onerror=alert(1)>',
    "<svg/onload=alert(1)>",
    "javascript:alert(1)",
    '<a href="javascript:alert(1)">点我</a>',
    "'';!--\"<XSS>=&{()}",
    "<iframe src=//evil.example></iframe>",
    "<style>body{display:none}</style>",
    "{{ request.user.password }}{% debug %}",
    "@requester <b onmouseover=alert(1)>hi</b>",
]


def assert_inert(payload: str, page: str, path: str, shown: bool = False) -> None:
    """Markup in the payload shows escaped; template syntax shows as typed (never evaluated)."""
    if any(c in payload for c in "<>\"'"):
        assert payload not in page, (path, payload)
    if shown and "{{" in payload:
        assert payload in page.replace("&#x27;", "'"), (path, "template syntax should show as typed")
    assert not inline_violations(page), (path, payload)


@pytest.mark.parametrize("payload", XSS)
def test_xss_in_a_request_is_inert_everywhere_it_shows(client, org, in_state, payload):
    task = in_state("in_progress", title=f"采购 {payload}"[:200], description=payload)
    login(client, org.assignee)
    client.post(f"/requests/{task.number}/do/comment/", {"body": payload})
    client.post(f"/requests/{task.number}/do/progress/", {"percent": "50", "note": payload})
    for path in (f"/requests/{task.number}/", "/requests/list/assigned/", "/", "/notifications/"):
        for user in (org.assignee, org.requester):
            login(client, user)
            page = client.get(path).content.decode()
            assert_inert(payload, page, path, shown=path == f"/requests/{task.number}/")


@pytest.mark.parametrize("payload", XSS)
def test_xss_in_a_document_is_inert(client, org, payload):
    login(client, org.requester)
    client.post(
        "/documents/new/",
        {
            "kind": "notice",
            "title": f"通知 {payload}"[:200],
            "body": f"正文\n\n{payload}\n\n| a | {payload} |\n|---|---|\n| 1 | 2 |",
            "urgency": "normal",
            "secrecy": "internal",
            "recipients": payload[:200],
        },
    )
    document = Document.objects.get()
    for path in (f"/documents/{document.pk}/", "/documents/?scope=all"):
        page = client.get(path).content.decode()
        assert_inert(payload, page, path)


# Uploads.


def test_oversized_upload_is_refused_and_nothing_saved(client, org, purchase, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024
    login(client, org.requester)
    response = client.post(
        "/requests/new/purchase/",
        {
            "title": "大文件",
            "f_amount": "100",
            "priority": "2",
            "action": "submit",
            "attachments": SimpleUploadedFile("big.pdf", b"%PDF-1.4 " + b"x" * 4096),
        },
    )
    assert response.status_code == 200 and response.context["form"].errors
    assert not Task.objects.exists() and not Attachment.objects.exists()


@pytest.mark.parametrize("name", ["evil.html", "evil.svg", "run.exe", "evil.pdf.html", "noextension"])
def test_dangerous_file_types_are_refused(client, org, purchase, name):
    login(client, org.requester)
    response = client.post(
        "/requests/new/purchase/",
        {
            "title": "附件",
            "f_amount": "100",
            "priority": "2",
            "action": "submit",
            "attachments": SimpleUploadedFile(name, b"<script>alert(1)</script>"),
        },
    )
    assert response.status_code == 200 and response.context["form"].errors
    assert not Task.objects.exists() and not Attachment.objects.exists()


def test_disguised_file_is_refused_and_a_stored_one_cannot_run(client, org, in_state, settings, tmp_path):
    """HTML named .pdf is refused (its content is not a PDF); one stored before that check downloads as
    an opaque attachment in a sandbox."""
    settings.MEDIA_ROOT = str(tmp_path)
    task = in_state("in_progress")
    login(client, org.assignee)
    client.post(
        f"/requests/{task.number}/do/comment/",
        {"body": "", "files": SimpleUploadedFile("report.pdf", b"<html><script>alert(1)</script></html>")},
    )
    assert not Attachment.objects.exists()
    attachment = Attachment.objects.create(
        task=task,
        file=SimpleUploadedFile("report.pdf", b"<html><script>alert(1)</script></html>"),
        name="report.pdf",
        size=38,
        uploaded_by=org.assignee,
    )
    response = client.get(f"/requests/{task.number}/files/{attachment.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


@pytest.mark.parametrize("amount", ["-1", "-0.01", "-99999999"])
def test_negative_amount_is_a_form_error(client, org, purchase, amount):
    login(client, org.requester)
    for action in ("submit", "draft"):
        response = client.post(
            "/requests/new/purchase/", {"title": "负数", "f_amount": amount, "priority": "2", "action": action}
        )
        assert response.status_code == 200 and not Task.objects.exists()
        with translation.override(response.wsgi_request.LANGUAGE_CODE):  # the person's language
            assert response.context["form"].errors["f_amount"] == [
                translation.gettext("Enter zero or more: this field takes no negative numbers.")
            ]
        assert 'min="0"' in response.content.decode()  # the browser says so before sending too


def test_zero_amount_is_accepted_and_minus_zero_is_zero(client, org, purchase):
    login(client, org.requester)
    for amount in ("0", "-0"):
        response = client.post(
            "/requests/new/purchase/", {"title": "零", "f_amount": amount, "priority": "2", "action": "draft"}
        )
        assert response.status_code == 302
        assert Task.objects.latest("pk").field_values["amount"] == "0"


def test_a_number_field_may_allow_negatives(client, org, purchase):
    from tasks.models import RequestField

    RequestField.objects.create(
        request_type=purchase, key="difference", label="差额", kind=RequestField.Kind.NUMBER, allow_negative=True
    )
    login(client, org.requester)
    response = client.post(
        "/requests/new/purchase/",
        {"title": "差额", "f_amount": "10", "f_difference": "-12.50", "priority": "2", "action": "draft"},
    )
    assert response.status_code == 302
    assert Task.objects.get().field_values == {"amount": "10", "difference": "-12.50"}


def test_the_admin_sets_whether_a_number_field_allows_negatives(client, org, purchase):
    from tasks.models import RequestField

    assert RequestField.objects.get(request_type=purchase, key="amount").allow_negative is False
    login(client, org.admin)
    response = client.get(f"/admin/tasks/requesttype/{purchase.pk}/change/")
    assert response.status_code == 200 and "allow_negative" in response.content.decode()
