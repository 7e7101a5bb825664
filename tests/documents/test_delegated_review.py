"""A named reviewer's (核稿人) delegate reviews for them while the delegation is in force, and only
then; the opinion, the log, the document's page, the processing sheet and the holder's notice
say for whom; the delegate finds the draft in their waiting list."""

import io
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from docx import Document as Docx

from core.models import ActionLog
from departments.models import Delegation
from documents import services
from documents.models import Opinion
from documents.rules import can
from documents.selectors import waiting_on
from notifications.models import Notification
from tests.conftest import login
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewing(org):
    org.sales.document_reviewers.add(org.requester)  # 张三 reviews 销售部's drafts (核稿人)
    drafter = UserFactory(username="drafter", display_name="起草人")
    from tests.factories import MembershipFactory

    MembershipFactory(user=drafter, department=org.sales)
    document = services.document_create(
        by=drafter,
        kind="notice",
        title="关于代理核稿的通知",
        recipients="各部门",
        body="正文",
        recipient_departments=[org.hr],
    )
    return services.document_submit(document=document, by=drafter)


def test_a_named_reviewers_delegate_reviews_for_them_in_the_window(client, org, reviewing):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    stand_in = org.outsider
    today = timezone.localdate()
    assert not can(stand_in, "review", reviewing)
    Delegation.objects.create(
        delegator=org.requester, delegate=stand_in, starts_on=today + timedelta(days=1), ends_on=today + timedelta(3)
    )
    assert not can(stand_in, "review", reviewing)  # not yet in force
    Delegation.objects.update(starts_on=today)
    assert can(stand_in, "review", reviewing) and can(org.requester, "review", reviewing)
    assert reviewing in waiting_on(stand_in)
    services.document_review(document=reviewing, by=stand_in, agree=True, text="代为核稿")
    reviewing.refresh_from_db()
    opinion = reviewing.opinions.get(stage=Opinion.Stage.REVIEW)
    assert (opinion.author, opinion.acting_for) == (stand_in, org.requester)
    entry = ActionLog.objects.filter(object_id=reviewing.pk, action="document.reviewed").get()
    assert entry.acting_for == org.requester
    assert Notification.objects.filter(recipient=org.requester, kind="delegation.acted").count() == 1
    login(client, org.requester)
    page = client.get(f"/documents/{reviewing.pk}/").content.decode()
    assert f"for {org.requester.name}" in page
    # The processing sheet (发文稿纸) prints the opinion with the person it was given for.
    from django.utils import translation

    from documents.docx import processing_sheet_docx

    with translation.override("en"):
        sheet = Docx(io.BytesIO(processing_sheet_docx(reviewing)))
    text = "\n".join(cell.text for table in sheet.tables for row in table.rows for cell in row.cells)
    text += "\n".join(paragraph.text for paragraph in sheet.paragraphs)
    assert f"{stand_in.name} (for {org.requester.name})" in text


def test_an_ended_delegation_stops_the_review(org, reviewing):
    today = timezone.localdate()
    Delegation.objects.create(
        delegator=org.requester, delegate=org.outsider, starts_on=today, ends_on=today, is_active=False
    )
    with pytest.raises(PermissionDenied):
        services.document_review(document=reviewing, by=org.outsider, agree=True)
    assert reviewing not in waiting_on(org.outsider)
