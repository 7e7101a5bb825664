"""Pages: 200 for those who may, 403 for a wrong person's action, 404 for outsiders, 405 for the
wrong method; bad input leaves nothing half-saved; query counts; search; the decision .docx."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from docx import Document

from conflicts import services
from conflicts.models import Conflict
from tests.conftest import login


@pytest.fixture
def conflict(raise_conflict):
    return raise_conflict()


def decided(org, chair, conflict, text="按四周交货，销售部向客户解释"):
    services.conflict_escalate(conflict=conflict, by=org.sales_head, text="协商失败")
    services.conflict_escalate(conflict=Conflict.objects.get(pk=conflict.pk), by=org.leader, text="调解不成")
    return services.conflict_decide(conflict=Conflict.objects.get(pk=conflict.pk), by=chair, text=text)


def test_anonymous_goes_to_login(client, conflict):
    for url in (reverse("conflicts:list"), reverse("conflicts:detail", args=[conflict.pk])):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response["Location"]


def test_outsider_gets_404_everywhere(client, org, task, conflict):
    login(client, org.outsider)
    assert client.get(reverse("conflicts:detail", args=[conflict.pk])).status_code == 404
    assert client.post(reverse("conflicts:act", args=[conflict.pk, "position"]), {"text": "x"}).status_code == 404
    assert client.get(reverse("conflicts:raise", args=[task.number])).status_code == 404
    assert conflict.subject.encode() not in client.get(reverse("conflicts:list") + "?scope=all").content


def test_party_page_shows_its_actions(client, org, conflict):
    login(client, org.purchasing_head)
    response = client.get(reverse("conflicts:detail", args=[conflict.pk]))
    assert response.status_code == 200
    perms = response.context["perms"]
    assert perms["position"] and perms["propose"] and perms["escalate"] and not perms["decide"]
    assert not perms["withdraw"]
    assert "客户要求两周内交货" in response.content.decode()


def test_wrong_persons_action_is_403_and_changes_nothing(client, org, chair, conflict):
    login(client, org.outsider)  # 人力资源部 has nothing to do with the request → 404
    assert client.post(reverse("conflicts:act", args=[conflict.pk, "decide"]), {"text": "x"}).status_code == 404
    login(client, org.leader)  # oversees both departments, so sees it, but is not its holder → 403
    assert client.post(reverse("conflicts:act", args=[conflict.pk, "decide"]), {"text": "x"}).status_code == 403
    login(client, org.sales_head)
    assert client.post(reverse("conflicts:act", args=[conflict.pk, "decide"]), {"text": "x"}).status_code == 403
    assert client.post(reverse("conflicts:act", args=[conflict.pk, "withdraw"]), {"text": "x"}).status_code == 403
    assert client.post(reverse("conflicts:act", args=[conflict.pk, "nonsense"]), {"text": "x"}).status_code == 404
    assert client.get(reverse("conflicts:act", args=[conflict.pk, "position"])).status_code == 405
    assert Conflict.objects.get(pk=conflict.pk).state == Conflict.State.NEGOTIATION


def test_actions_through_the_page(client, org, conflict):
    login(client, org.purchasing_head)
    url = reverse("conflicts:act", args=[conflict.pk, "position"])
    response = client.post(url, {"text": "产能只够四周", "seen_state": "negotiation"})
    assert response.status_code == 302
    assert conflict.positions.filter(author=org.purchasing_head).exists()
    response = client.post(url, {"text": "", "seen_state": "negotiation"}, follow=True)
    assert conflict.positions.count() == 2  # an empty position is refused with a message
    assert list(response.context["messages"])
    client.post(reverse("conflicts:act", args=[conflict.pk, "propose"]), {"text": "三周交货"})
    login(client, org.sales_head)
    conflict = Conflict.objects.get(pk=conflict.pk)
    client.post(
        reverse("conflicts:act", args=[conflict.pk, "agree"]),
        {"seen_proposal_at": conflict.proposal_at.isoformat(), "seen_state": "negotiation"},
    )
    assert Conflict.objects.get(pk=conflict.pk).state == Conflict.State.RESOLVED


def test_the_mediator_sees_a_conflict_of_others(client, org, conflict):
    services.conflict_escalate(conflict=conflict, by=org.sales_head, text="协商失败")
    login(client, org.leader)
    response = client.get(reverse("conflicts:detail", args=[conflict.pk]))
    assert response.status_code == 200 and response.context["perms"]["propose"]
    assert conflict.subject in client.get(reverse("conflicts:list")).content.decode()


def test_raise_form(client, org, task):
    login(client, org.requester)
    url = reverse("conflicts:raise", args=[task.number])
    assert client.get(url).status_code == 200
    response = client.post(url, {"subject": "交期", "departments": [org.sales.pk], "position": "两周"})
    assert response.status_code == 200 and response.context["form"].errors["departments"]
    response = client.post(url, {"subject": "交期", "departments": [org.hr.pk, org.purchasing.pk], "position": "两周"})
    assert response.status_code == 200 and response.context["form"].errors["departments"]
    response = client.post(url, {"subject": "交期", "departments": ["abc"], "position": "两周"})
    assert response.status_code == 200
    assert not Conflict.objects.exists()
    response = client.post(
        url, {"subject": "交期", "departments": [org.sales.pk, org.purchasing.pk], "position": "两周"}
    )
    conflict = Conflict.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("conflicts:detail", args=[conflict.pk])


def test_raise_form_is_403_for_someone_who_sees_the_request_but_is_not_involved(client, org, task):
    login(client, org.sales_deputy)  # sees the request (their department's) but only as a member… and manager
    assert client.get(reverse("conflicts:raise", args=[task.number])).status_code == 200
    from tests.factories import MembershipFactory, UserFactory

    colleague = UserFactory(username="colleague")
    MembershipFactory(user=colleague, department=org.sales)
    login(client, colleague)
    assert client.get(reverse("conflicts:raise", args=[task.number])).status_code == 403


def test_detail_query_count_does_not_grow_with_positions_and_steps(
    client, org, conflict, django_assert_max_num_queries
):
    login(client, org.sales_head)
    url = reverse("conflicts:detail", args=[conflict.pk])
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for n in range(6):
        services.conflict_add_position(conflict=conflict, by=org.purchasing_head, text=f"立场 {n}")
        services.conflict_propose(conflict=conflict, by=org.sales_head, text=f"方案 {n}")
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)
    with django_assert_max_num_queries(22):
        client.get(url)


def test_list_query_count_does_not_grow_with_rows(client, org, raise_conflict):
    raise_conflict()
    login(client, org.sales_head)
    url = reverse("conflicts:list") + "?scope=all"
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for n in range(5):
        raise_conflict(subject=f"争议 {n}")
    with CaptureQueriesContext(connection) as six:
        response = client.get(url)
    assert response.context["page"].paginator.count == 6
    assert len(six) == len(one)


def test_search_finds_settled_conflicts_by_position_and_decision(client, org, chair, raise_conflict):
    first = raise_conflict(subject="交货期争议", position="客户要求两周内交货")
    decided(org, chair, first, text="按四周交货")
    open_one = raise_conflict(subject="包装争议", position="纸箱太贵")
    login(client, org.sales_head)
    url = reverse("conflicts:search")
    found = client.get(url, {"q": "两周内"}).context["page"].object_list
    assert [c.pk for c in found] == [first.pk]
    assert [c.pk for c in client.get(url, {"q": "四周"}).context["page"].object_list] == [first.pk]
    assert not client.get(url, {"q": "纸箱"}).context["page"].object_list  # still open
    # every word must match somewhere: a position and the decision together
    assert [c.pk for c in client.get(url, {"q": "两周内  四周"}).context["page"].object_list] == [first.pk]
    assert not client.get(url, {"q": "两周内 纸箱"}).context["page"].object_list
    assert open_one.pk
    login(client, org.outsider)
    assert not client.get(url, {"q": "两周内"}).context["page"].object_list


def test_decision_docx_is_rendered_by_a_worker_and_opens(client, org, chair, conflict, settings, tmp_path):
    from django.test import TestCase

    from core.models import GeneratedFile

    settings.MEDIA_ROOT = str(tmp_path)
    login(client, org.purchasing_head)
    assert client.get(reverse("conflicts:detail", args=[conflict.pk])).context["decision_job"] is None
    with TestCase.captureOnCommitCallbacks(execute=True):  # the render runs in the (eager) worker
        decided(org, chair, conflict)
    job = GeneratedFile.objects.get(kind="conflict_decision", object_id=conflict.pk)
    assert job.status == GeneratedFile.Status.READY, job.error
    page = client.get(reverse("conflicts:detail", args=[conflict.pk]))
    assert page.context["decision_job"] == job
    download = reverse("core:generated_file", args=[job.pk])
    assert download in page.content.decode()
    response = client.get(download)
    assert response.status_code == 200
    document = Document(io.BytesIO(b"".join(response.streaming_content)))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = "\n".join(cell.text for table in document.tables for row in table.rows for cell in row.cells)
    assert "仲裁决定书" in text and "按四周交货，销售部向客户解释" in text
    assert "协调〔" in text and "仲裁人：" in text
    assert "客户要求两周内交货" in cells and "销售部" in cells
    login(client, org.outsider)
    assert client.get(download).status_code == 404


def test_a_settlement_renders_as_an_agreement(org, raise_conflict):
    from conflicts.docx import decision_docx

    conflict = raise_conflict()
    services.conflict_propose(conflict=conflict, by=org.purchasing_head, text="三周交货")
    services.conflict_agree(conflict=Conflict.objects.get(pk=conflict.pk), by=org.sales_head)
    document = Document(io.BytesIO(decision_docx(Conflict.objects.get(pk=conflict.pk))))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "和解协议书" in text and "三周交货" in text and "同意" in text


def test_task_page_shows_its_conflicts_and_the_raise_link(client, org, task, conflict):
    login(client, org.requester)
    page = client.get(reverse("tasks:detail", args=[task.number])).content.decode()
    assert reverse("conflicts:raise", args=[task.number]) in page
    assert reverse("conflicts:detail", args=[conflict.pk]) in page


def test_task_page_keeps_listing_closed_conflicts(client, org, task, conflict):
    services.conflict_withdraw(conflict=conflict, by=org.requester, text="客户改期")
    login(client, org.purchasing_head)
    page = client.get(reverse("tasks:detail", args=[task.number])).content.decode()
    assert reverse("conflicts:detail", args=[conflict.pk]) in page
    login(client, org.outsider)
    assert client.get(reverse("tasks:detail", args=[task.number])).status_code == 404


def test_mediator_and_arbiter_act_through_the_page(client, org, chair, conflict):
    services.conflict_escalate(conflict=conflict, by=org.sales_head, text="协商失败")
    login(client, org.leader)
    act = reverse("conflicts:act", args=[conflict.pk, "escalate"])
    client.post(act, {"text": "", "seen_state": "mediation"})
    assert Conflict.objects.get(pk=conflict.pk).state == Conflict.State.MEDIATION  # a reason is required
    client.post(act, {"text": "调解不成", "seen_state": "mediation"})
    assert Conflict.objects.get(pk=conflict.pk).state == Conflict.State.ARBITRATION
    login(client, chair)
    page = client.get(reverse("conflicts:detail", args=[conflict.pk]))
    assert page.context["perms"]["decide"] and not page.context["perms"]["propose"]
    decide = reverse("conflicts:act", args=[conflict.pk, "decide"])
    response = client.post(decide, {"text": "x" * 6000, "seen_state": "arbitration"}, follow=True)
    assert list(response.context["messages"]) and Conflict.objects.get(pk=conflict.pk).decision == ""
    client.post(decide, {"text": "按四周交货", "seen_state": "arbitration"})
    conflict = Conflict.objects.get(pk=conflict.pk)
    assert (conflict.state, conflict.decision, conflict.decided_by) == ("resolved", "按四周交货", chair)
    response = client.post(decide, {"text": "改判", "seen_state": "arbitration"}, follow=True)
    assert response.status_code == 200 and Conflict.objects.get(pk=conflict.pk).decision == "按四周交货"
