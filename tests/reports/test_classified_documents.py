"""Global search and the organisation report leave out a classified document (秘密, 机密, 绝密) for
everyone not named for it, admins included; the 机要 office finds 秘密 and 机密, not 绝密."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from documents.models import Document
from reports import search
from reports.selectors.organisation import OrganisationReport
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

LEVELS = ["internal", "secret", "highly_secret", "top_secret"]


@pytest.fixture
def registry(org):
    person = UserFactory(username="jiyao", display_name="机要员")
    MembershipFactory(user=person, department=org.sales)
    person.user_permissions.add(Permission.objects.get(codename="view_classified"))
    return person


def _document(org, level, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return Document.objects.create(
            kind="notice",
            title="关于采购笔记本电脑的通知",
            recipients="各部门",
            body="正文",
            department=org.hr,
            drafter=org.outsider,
            secrecy=level,
        )


def _found(user) -> list[int]:
    return [hit.object_id for hit in search.search(user, "笔记本", kinds=("document",))]


@pytest.mark.parametrize("level", LEVELS)
def test_search_and_the_report_leave_it_out_for_those_not_named(
    org, registry, level, django_capture_on_commit_callbacks
):
    document = _document(org, level, django_capture_on_commit_callbacks)
    classified = level != "internal"
    assert _found(org.outsider) == [document.pk]  # the drafter
    assert (document.pk in _found(org.admin)) is not classified
    # the 机要 office: every classified document below 绝密 (an ordinary draft of 人力资源部 is not theirs)
    assert (document.pk in _found(registry)) is (level in ("secret", "highly_secret"))
    now = timezone.now()
    report = OrganisationReport(org.admin, None, now - timedelta(days=1), now + timedelta(days=1))
    assert report.document_qs.filter(pk=document.pk).exists() is not classified
    by_drafter = OrganisationReport(org.outsider, None, now - timedelta(days=1), now + timedelta(days=1))
    assert by_drafter.document_qs.filter(pk=document.pk).exists()
