"""The document workflow: draft → review → countersign → sign-off (number, .docx) → distribute →
acknowledge → archive, with returns, withdrawal, delegation and the wrong person refused."""

import io
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from docx import Document as Docx

from core import rendering
from core.models import GeneratedFile
from departments.models import Delegation, Membership
from documents import services
from documents.models import Document, Opinion
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(org):
    def make(countersign=(), recipients=None):
        return services.document_create(
            by=org.requester,
            kind="notice",
            title="关于新产品上市协作安排的通知",
            recipients="生产部、采购部",
            body="为确保新产品按期上市，现将有关事项通知如下。\n\n请各部门按计划推进。",
            cc="公司领导",
            countersign_departments=countersign,
            recipient_departments=[org.purchasing, org.hr] if recipients is None else recipients,
        )

    return make


def test_the_whole_way_to_the_archive(org, draft, settings, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = str(settings.VAR_DIR / "media-tests")
    document = draft(countersign=[org.purchasing, org.hr])
    services.document_submit(document=document, by=org.requester)
    services.document_review(document=document, by=org.sales_head, agree=True, text="同意")
    document.refresh_from_db()
    assert document.state == "countersigning"
    services.document_countersign(document=document, by=org.purchasing_head, department=org.purchasing, agree=True)
    assert Document.objects.get(pk=document.pk).state == "countersigning"
    hr_head = UserFactory(username="hr_head")
    MembershipFactory(user=hr_head, department=org.hr, role=Membership.Role.MANAGER)
    with django_capture_on_commit_callbacks(execute=True):  # the draft is rendered for the layout check
        services.document_countersign(document=document, by=hr_head, department=org.hr, agree=True, text="无意见")
    document.refresh_from_db()
    assert document.state == "pending_issue"
    with django_capture_on_commit_callbacks(execute=True):  # the render job goes to the (eager) worker
        services.document_sign_off(document=document, by=org.leader, text="同意印发")
    document.refresh_from_db()
    assert document.state == "issued" and document.number.text == f"销售〔{timezone.localdate().year}〕1号"
    # The draft was rendered for the layout check when it reached the leader, the final at sign-off.
    assert list(GeneratedFile.objects.filter(kind="document").values_list("version", "status")) == [
        (f"1-{document.number_id}", "ready"),
        ("1-0", "ready"),
    ]
    job = rendering.latest(document, "document")
    assert job.status == "ready" and job.problems == []
    docx = Docx(io.BytesIO(job.file.read()))
    texts = [p.text for p in docx.paragraphs]
    assert document.number.text in texts and "关于新产品上市协作安排的通知" in texts
    assert str(docx.paragraphs[0].runs[0].font.color.rgb) == "FF0000"
    services.document_distribute(document=document, by=org.requester)
    services.document_acknowledge(document=document, by=org.assignee, department=org.purchasing)
    with pytest.raises(services.DocumentConflict):
        services.document_acknowledge(document=document, by=org.purchasing_head, department=org.purchasing)
    services.document_archive(document=document, by=org.sales_head)
    document.refresh_from_db()
    assert document.state == "archived" and document.retention_year == timezone.localdate().year + 10
    stages = list(document.opinions.values_list("stage", "decision"))
    assert stages == [("review", "agree"), ("countersign", "agree"), ("countersign", "agree"), ("sign_off", "agree")]
    # Who did what when: every step is in the document's action log, with its states.
    steps = list(document.logs.values_list("action", "actor__username", "from_state", "to_state"))
    assert steps == [
        ("document.drafted", "requester", "", "draft"),
        ("document.submitted", "requester", "draft", "reviewing"),
        ("document.reviewed", "sales_head", "reviewing", "countersigning"),
        ("document.countersigned", "purchasing_head", "countersigning", "countersigning"),
        ("document.countersigned", "hr_head", "countersigning", "pending_issue"),
        ("document.issued", "leader", "pending_issue", "issued"),
        ("document.distributed", "requester", "issued", "distributed"),
        ("document.acknowledged", "assignee", "", "distributed"),
        ("document.archived", "sales_head", "distributed", "archived"),
    ]
    assert document.logs.get(action="document.issued").data == {"number": document.number.text}


def test_any_disagreement_returns_the_draft(org, draft):
    document = draft(countersign=[org.purchasing])
    services.document_submit(document=document, by=org.requester)
    services.document_review(document=document, by=org.sales_head, agree=True)
    with pytest.raises(services.DocumentError):
        services.document_countersign(
            document=document, by=org.purchasing_head, department=org.purchasing, agree=False, text=""
        )
    services.document_countersign(
        document=document, by=org.purchasing_head, department=org.purchasing, agree=False, text="预算需调整"
    )
    document.refresh_from_db()
    assert document.state == "draft"
    assert document.opinions.get(stage="countersign").decision == "disagree"
    returned = document.logs.get(action="document.returned")
    assert (returned.actor, returned.comment, returned.data) == (
        org.purchasing_head,
        "预算需调整",
        {"department": org.purchasing.pk},
    )
    # The drafter revises (a new version) and it goes round again.
    services.document_edit(
        document=document, by=org.requester, title=document.title, recipients="生产部", body="修改后的正文"
    )
    assert Document.objects.get(pk=document.pk).version == 2


def test_withdraw_before_review_and_not_after(org, draft):
    document = draft()
    services.document_submit(document=document, by=org.requester)
    services.document_withdraw(document=document, by=org.requester)
    services.document_submit(document=document, by=org.requester)
    services.document_review(document=document, by=org.sales_head, agree=True)
    with pytest.raises(services.DocumentConflict):
        services.document_withdraw(document=document, by=org.requester)


def test_the_wrong_people_are_refused(org, draft):
    document = draft()
    with pytest.raises(PermissionDenied):
        services.document_submit(document=document, by=org.sales_head)
    services.document_submit(document=document, by=org.requester)
    with pytest.raises(PermissionDenied):
        services.document_review(document=document, by=org.purchasing_head, agree=True)
    services.document_review(document=document, by=org.sales_deputy, agree=True)  # a deputy reviews too
    with pytest.raises(PermissionDenied):
        services.document_sign_off(document=document, by=org.sales_head)
    assert Document.objects.get(pk=document.pk).number is None


def test_a_delegate_signs_off_for_the_leader_and_the_sheet_says_so(org, draft):
    today = timezone.localdate()
    Delegation.objects.create(
        delegator=org.leader, delegate=org.sales_head, starts_on=today, ends_on=today + timedelta(days=1)
    )
    document = draft()
    services.document_submit(document=document, by=org.requester)
    services.document_review(document=document, by=org.sales_deputy, agree=True)
    services.document_sign_off(document=document, by=org.sales_head)
    document.refresh_from_db()
    opinion = document.opinions.get(stage=Opinion.Stage.SIGN_OFF)
    assert (opinion.author, opinion.acting_for, document.signed_by) == (org.sales_head, org.leader, org.leader)


def test_return_at_sign_off_needs_a_reason_and_takes_no_number(org, draft):
    document = draft()
    services.document_submit(document=document, by=org.requester)
    services.document_review(document=document, by=org.sales_head, agree=True)
    with pytest.raises(services.DocumentError):
        services.document_sign_off(document=document, by=org.leader, agree=False, text="")
    services.document_sign_off(document=document, by=org.leader, agree=False, text="标题不够准确")
    document.refresh_from_db()
    assert document.state == "draft" and document.number is None


def test_a_failed_render_is_retried_then_recorded_and_can_run_again(org, draft, monkeypatch):
    document = draft()
    job = services.document_render(document=document)
    builder = rendering.builder_for("document")
    monkeypatch.setitem(
        rendering.BUILDERS,
        "document",
        rendering.Builder(
            "document", lambda d: (_ for _ in ()).throw(RuntimeError("disk full")), builder.can_view, builder.filename
        ),
    )
    assert [rendering.run(job.pk) for _ in range(rendering.MAX_ATTEMPTS)] == ["retry", "retry", "failed"]
    job.refresh_from_db()
    assert job.status == "failed" and "disk full" in job.error and job.attempts == rendering.MAX_ATTEMPTS
    assert rendering.run(job.pk) == "not claimed"
    monkeypatch.undo()
    assert services.document_render(document=document).pk == job.pk  # "try again" re-queues the same job
    assert rendering.run(job.pk) == "ready"
    job.refresh_from_db()
    assert job.status == "ready" and job.error == "" and job.seconds is not None


def test_countersigning_for_a_department_asks_the_rule_of_rules_py(org, draft):
    """Who may countersign for a department is written once, in documents/rules.py."""
    from documents.rules import may_countersign_for

    document = draft(countersign=[org.purchasing])
    services.document_submit(document=document, by=org.requester)
    services.document_review(document=document, by=org.sales_head, agree=True)
    assert may_countersign_for(org.purchasing_head, document, org.purchasing)
    assert not may_countersign_for(org.purchasing_head, document, org.hr)  # not a countersigning department
    assert not may_countersign_for(org.sales_head, document, org.purchasing)  # not its manager
    with pytest.raises(PermissionDenied):
        services.document_countersign(document=document, by=org.sales_head, department=org.purchasing, agree=True)
    services.document_countersign(document=document, by=org.purchasing_head, department=org.purchasing, agree=True)
    assert Document.objects.get(pk=document.pk).state == "pending_issue"
