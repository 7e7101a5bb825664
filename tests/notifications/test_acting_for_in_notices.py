"""A delegate's step is named "X (for Y)" in the notices to everyone else, not only on the timeline:
the requester told of an approval, the next approver, followers, a document's drafter, a
conflict's parties, in each person's language (notifications.actors, the one place that renders
it). A classified document's notice still names no title."""

from datetime import timedelta

import pytest
from django.utils import timezone

from conflicts import services as conflict_services
from conflicts.models import Conflict
from departments.models import Delegation
from documents import services as document_services
from notifications.actors import logged_actor, step_actor
from notifications.models import Notification
from tasks import services as task_services
from tasks.models import ApprovalStep, RequestType
from tests.conflicts.conftest import chair, raise_conflict, task  # noqa: F401  (fixtures)
from tests.factories import MembershipFactory, UserFactory
from tests.tasks.conftest import file_request  # noqa: F401

pytestmark = pytest.mark.django_db


def delegate(holder, to):
    today = timezone.localdate()
    return Delegation.objects.create(delegator=holder, delegate=to, starts_on=today, ends_on=today + timedelta(3))


def speaks(person, language):
    person.language = language
    person.save(update_fields=["language"])
    return person


def notice(recipient, **filters):
    return Notification.objects.filter(recipient=recipient, **filters).order_by("-pk").first()


def test_the_rendering_names_both_in_each_language(org):
    from django.utils import translation

    stand_in = UserFactory(username="stand_in", display_name="代理人")
    with translation.override("en"):
        assert str(step_actor(stand_in, org.sales_head)) == "代理人 (for 王经理)"
        assert str(step_actor(stand_in)) == str(step_actor(stand_in, stand_in)) == "代理人"
    with translation.override("zh-hans"):
        assert str(step_actor(stand_in, org.sales_head)) == "代理人（代王经理）"
        assert str(step_actor(None)) == "系统"


def test_a_delegates_approval_names_both_to_the_next_approver_and_the_requester(org, file_request):  # noqa: F811
    rt = RequestType.objects.create(department=org.purchasing, code="two", name="两级审批", name_en="Two steps")
    first = ApprovalStep.objects.create(request_type=rt, order=1, approver="users", mode="all")
    first.users.set([org.outsider])
    second = ApprovalStep.objects.create(request_type=rt, order=2, approver="users", mode="all")
    second.users.set([org.purchasing_head])
    stand_in = UserFactory(username="stand_in", display_name="代理人")
    delegate(org.outsider, stand_in)
    speaks(org.purchasing_head, "en")
    speaks(org.requester, "zh-hans")
    filed = file_request(rt)
    task_services.task_approve(task=filed, by=stand_in, opinion="同意")
    next_approver = notice(org.purchasing_head, kind="approval")
    assert "代理人 (for 孙五) approved" in next_approver.message and filed.number in next_approver.message
    # The second approver's own delegate approves the last step: the requester reads both, in Chinese.
    other = UserFactory(username="other_stand_in", display_name="二代理")
    delegate(org.purchasing_head, other)
    task_services.task_approve(task=filed, by=other, opinion="同意")
    approved = notice(org.requester, kind="approved")
    assert "二代理（代赵经理）" in approved.message, approved.message


def test_a_delegates_rejection_names_both_and_followers_read_it_too(org, file_request):  # noqa: F811
    rt = RequestType.objects.create(department=org.purchasing, code="one", name="一级审批", name_en="One step")
    ApprovalStep.objects.create(request_type=rt, order=1, approver="users", mode="all").users.set([org.outsider])
    stand_in = UserFactory(username="stand_in", display_name="代理人")
    follower = speaks(UserFactory(username="follower", display_name="关注者"), "en")
    MembershipFactory(user=follower, department=org.sales)
    delegate(org.outsider, stand_in)
    speaks(org.requester, "en")
    filed = file_request(rt)
    filed.watchers.add(follower)
    task_services.task_reject(task=filed, by=stand_in, reason="policy", opinion="不符合")
    assert "by 代理人 (for 孙五)" in notice(org.requester, kind="rejected").message
    assert "代理人 (for 孙五)" in notice(follower, kind="watching").message


def test_a_delegates_review_names_both_to_the_drafter(org):
    org.sales.document_reviewers.add(org.requester)  # 张三 reviews 销售部's drafts (核稿人)
    drafter = speaks(UserFactory(username="drafter", display_name="起草人"), "en")
    MembershipFactory(user=drafter, department=org.sales)
    stand_in = org.outsider
    delegate(org.requester, stand_in)

    def draft(**extra):
        document = document_services.document_create(
            by=drafter, kind="notice", title="关于代理核稿的通知", recipients="各部门", body="正文", **extra
        )
        return document_services.document_submit(document=document, by=drafter)

    document_services.document_review(document=draft(), by=stand_in, agree=False, text="请修改")
    returned = notice(drafter, kind="document.returned")
    assert "孙五 (for 张三) returned" in returned.message and "关于代理核稿的通知" in returned.message
    # A classified draft: the notice names neither its title nor more than before.
    secret = draft(secrecy="secret")
    document_services.document_review(document=secret, by=stand_in, agree=False, text="请修改")
    returned = notice(drafter, kind="document.returned")
    assert "关于代理核稿的通知" not in returned.message and "Classified document" in returned.message


def test_a_delegates_conflict_step_names_both_to_the_parties(org, chair, raise_conflict):  # noqa: F811
    conflict = raise_conflict()
    conflict_services.conflict_escalate(conflict=conflict, by=org.sales_head, text="协商失败")
    conflict = Conflict.objects.get(pk=conflict.pk)
    assert conflict.mediator == org.leader
    delegate(org.leader, chair)
    speaks(org.purchasing_head, "en")
    speaks(org.sales_head, "zh-hans")
    conflict_services.conflict_propose(conflict=Conflict.objects.get(pk=conflict.pk), by=chair, text="三周交货")
    assert "陈董 (for 郑总) proposed" in notice(org.purchasing_head, kind="conflict.proposed").message
    assert "陈董（代郑总）" in notice(org.sales_head, kind="conflict.proposed").message
    # And when the mediator's delegate refers it to arbitration.
    conflict_services.conflict_escalate(conflict=Conflict.objects.get(pk=conflict.pk), by=chair, text="调解失败")
    assert "陈董 (for 郑总)" in notice(org.purchasing_head, kind="conflict.escalated").message


def test_an_action_log_entry_is_named_the_same_way(org):
    from core.models import ActionLog

    entry = ActionLog(actor=org.sales_deputy, acting_for=org.sales_head)
    assert str(logged_actor(entry)) == str(step_actor(org.sales_deputy, org.sales_head))
