"""Handing over everything a person holds, all or nothing, from the hand-over page."""

import pytest
from django.urls import reverse
from django.utils import translation

from core.actions import actions_of
from handover import services
from handover.sources import held_by
from notifications.models import Notification
from tasks.models import Approval, Task
from tests.conftest import login
from tests.factories import UserFactory


def url(person):
    return reverse("handover:page", args=[person.username])


def test_every_kind_is_listed(holder):
    roles = sorted(item.role for item in held_by(holder.person))
    assert roles == sorted(
        [
            "assignee",
            "requester",
            "approver",
            "delegate",
            "document_reviewer",
            "drafter",
            "team_lead",
            "team_member",
            "action_owner",
            "mediator",
            "arbiter",
        ]
    )


def test_page_hands_over_everything_and_deactivates(client, org, holder):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(client, org.purchasing_head)
    page = client.get(url(holder.person))
    assert page.status_code == 200
    assert "Hand over the work of" in page.content.decode()
    assert holder.handled.number in page.content.decode()
    data = {
        "default": org.purchasing_head.pk,
        # 赵经理 cannot act for himself: the delegation goes to the leader.
        f"to_delegate-{holder.delegation.pk}": org.leader.pk,
        "deactivate": "on",
    }
    response = client.post(url(holder.person), data)
    assert response.status_code == 302, response.content.decode()[:3000]

    person, head = holder.person, org.purchasing_head
    assert held_by(person) == []
    person.refresh_from_db()
    assert not person.is_active
    holder.handled.refresh_from_db()
    assert holder.handled.assignee == head
    holder.filed.refresh_from_db()
    assert holder.filed.requester == head
    holder.approval.refresh_from_db()
    assert holder.approval.approver == head
    holder.delegation.refresh_from_db()
    assert holder.delegation.delegate == org.leader
    assert list(org.purchasing.document_reviewers.all()) == [head]
    holder.document.refresh_from_db()
    assert holder.document.drafter == head
    holder.led.refresh_from_db()
    assert holder.led.lead == head
    holder.seat.refresh_from_db()
    assert holder.seat.user == head
    holder.action.refresh_from_db()
    assert holder.action.owner == head
    holder.mediated.refresh_from_db()
    holder.arbitrated.refresh_from_db()
    assert (holder.mediated.mediator, holder.arbitrated.arbiter) == (head, head)

    # Each timeline says who handed what from whom to whom.
    for target in (holder.handled, holder.filed, holder.approving, holder.document, holder.led, holder.mediated):
        entries = [e for e in actions_of(target) if e.action.endswith(".handed_over")]
        assert entries, target
        assert entries[-1].actor == head
        assert entries[-1].comment == f"{person.name} → {head.name}"
    request_page = client.get(reverse("tasks:detail", args=[holder.handled.number])).content.decode()
    assert "handed over" in request_page
    assert f"{person.name} → {head.name}" in request_page
    conflict_page = client.get(reverse("conflicts:detail", args=[holder.mediated.pk])).content.decode()
    assert f"{person.name} → {head.name}" in conflict_page
    # The leader hears of the delegation's… no: delegations tell nobody; the head hears of nothing
    # they did themselves. The leader acting for 赵经理 now is recorded on the delegation.
    assert [e.comment for e in actions_of(holder.delegation)] == [f"{person.name} → {org.leader.name}"]
    assert [e.action for e in actions_of(person)] == ["person.handed_over", "person.deactivated"]


def test_new_holders_are_told(org, holder):
    services.hand_over(
        person=holder.person,
        by=org.admin,
        default=org.purchasing_head,
        chosen={f"delegate-{holder.delegation.pk}": org.leader},
    )
    notices = Notification.objects.filter(recipient=org.purchasing_head)
    kinds = set(notices.values_list("kind", flat=True))
    assert {"handover.received", "approval"} <= kinds
    assert notices.filter(link=f"/requests/{holder.handled.number}/").exists()
    assert notices.filter(link=f"/conflicts/{holder.mediated.pk}/").exists()
    # The leader now acts for 赵经理 in 钱四's place, and hears of it.
    told = Notification.objects.get(recipient=org.leader, kind="handover.received")
    assert holder.person.name in told.message and org.purchasing_head.name in told.message


def test_one_refusal_changes_nothing(client, org, holder):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(client, org.purchasing_head)
    # No choice for the delegation: 赵经理 would act for himself, which is refused; and the
    # conflicts go to the sales head, who belongs to a party.
    data = {"default": org.purchasing_head.pk, f"to_mediator-{holder.mediated.pk}": org.sales_head.pk}
    response = client.post(url(holder.person), data)
    assert response.status_code == 200
    text = response.content.decode()
    assert "cannot act for themselves" in text
    assert "belongs to a party" in text
    holder.handled.refresh_from_db()
    assert holder.handled.assignee == holder.person
    assert Approval.objects.get(pk=holder.approval.pk).approver == holder.person
    assert not Notification.objects.filter(kind="handover.received").exists()
    assert not [e for e in actions_of(holder.handled) if e.action == "task.handed_over"]


def test_inactive_or_unfit_person_is_refused(org, holder):
    gone = UserFactory(username="gone", is_active=False)
    with pytest.raises(services.HandoverError) as caught, translation.override("en"):
        services.hand_over(person=holder.person, by=org.admin, default=gone, chosen={})
    assert "deactivated" in str(caught.value)
    # An outsider is no member of 采购部: they cannot handle its request nor draft its document.
    with pytest.raises(services.HandoverError) as caught:
        services.hand_over(
            person=holder.person,
            by=org.admin,
            default=org.outsider,
            chosen={f"delegate-{holder.delegation.pk}": org.leader},
        )
    errors = caught.value.errors
    assert f"assignee-{holder.handled.pk}" in errors
    assert f"drafter-{holder.document.pk}" in errors
    assert Task.objects.get(pk=holder.handled.pk).assignee == holder.person


def test_deactivation_with_items_left_is_refused(client, org, holder):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(client, org.purchasing_head)
    only = {f"to_assignee-{holder.handled.pk}": org.purchasing_head.pk, "deactivate": "on"}
    response = client.post(url(holder.person), only)
    assert response.status_code == 200
    text = response.content.decode()
    assert "still holds these" in text
    assert holder.document.title in text
    holder.person.refresh_from_db()
    assert holder.person.is_active
    assert Task.objects.get(pk=holder.handled.pk).assignee == holder.person


def test_nothing_chosen_is_a_clear_error(client, org, holder):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(client, org.purchasing_head)
    response = client.post(url(holder.person), {})
    assert response.status_code == 200
    assert "Choose who takes over" in response.content.decode()


def test_person_page_offers_the_handover_to_managers_only(client, org, holder):
    login(client, org.purchasing_head)
    page = client.get(reverse("departments:person", args=[holder.person.username])).content.decode()
    assert url(holder.person) in page
    client.logout()
    login(client, org.requester)
    page = client.get(reverse("departments:person", args=[holder.person.username])).content.decode()
    assert url(holder.person) not in page


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("purchasing_head", 200),
        ("admin", 200),
        ("sales_head", 403),
        ("requester", 403),
        ("outsider", 403),
        ("assignee", 403),  # not one's own
    ],
)
def test_who_may_open_the_page(client, org, who, status):
    login(client, getattr(org, who))
    assert client.get(url(org.assignee)).status_code == status


def test_deactivated_person_is_hidden_from_others(client, org):
    org.assignee.is_active = False
    org.assignee.save()
    login(client, org.outsider)
    assert client.get(url(org.assignee)).status_code == 404
    client.logout()
    login(client, org.purchasing_head)
    assert client.get(url(org.assignee)).status_code == 200


def test_anonymous_and_unknown(client, org):
    response = client.get(url(org.assignee))
    assert response.status_code == 302 and "login" in response["Location"]
    login(client, org.admin)
    assert client.get(reverse("handover:page", args=["nobody"])).status_code == 404
    assert client.put(url(org.assignee)).status_code == 405


def test_page_queries_do_not_grow_with_items(client, org, holder, django_assert_max_num_queries, support):
    from tasks import services as task_services

    login(client, org.purchasing_head)
    client.get(url(holder.person))  # warm the per-process caches
    with django_assert_max_num_queries(30) as few:
        client.get(url(holder.person))
    for n in range(5):
        task = task_services.task_create(
            by=org.requester, request_type=support, title=f"更多{n}", values={}, submit=True
        )
        task_services.task_accept(task=task, by=org.purchasing_head, assignee=holder.person)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url(holder.person))
    assert response.content.decode().count("handover-item") == 16


def test_an_admin_hands_over_the_heads_seat(org):
    from departments.models import Membership

    held = [(item.role, item.row) for item in held_by(org.purchasing_head)]
    assert ("department_head", org.purchasing) in held
    services.hand_over(person=org.purchasing_head, by=org.admin, default=org.assignee, chosen={}, deactivate=True)
    org.purchasing.refresh_from_db()
    assert org.purchasing.head == org.assignee
    assert Membership.objects.get(user=org.assignee, department=org.purchasing).role == Membership.Role.MANAGER
    assert Membership.objects.get(user=org.purchasing_head, department=org.purchasing).role == Membership.Role.MEMBER
    assert [e.comment for e in actions_of(org.purchasing)] == [f"{org.purchasing_head.name} → {org.assignee.name}"]


def test_a_deputy_cannot_take_the_heads_seat(client, org):
    # The service leaves the seat for an administrator, and refuses to deactivate while it is held.
    assert services.hand_over(person=org.sales_head, by=org.sales_deputy, default=org.sales_deputy, chosen={}) == 0
    with pytest.raises(services.HandoverError) as caught, translation.override("en"):
        services.hand_over(
            person=org.sales_head, by=org.sales_deputy, default=org.sales_deputy, chosen={}, deactivate=True
        )
    assert "still holds these" in str(caught.value) and "Sales" in str(caught.value)
    org.sales.refresh_from_db()
    assert org.sales.head == org.sales_head
    org.sales_head.refresh_from_db()
    assert org.sales_head.is_active
    # The page offers no picker for it, and says who hands it over.
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(client, org.sales_deputy)
    page = client.get(url(org.sales_head)).content.decode()
    assert "An administrator hands this over." in page
    assert f"to_department_head-{org.sales.pk}" not in page
    # The lower layer refuses it too, should anyone call it directly.
    from departments import handover as departments_handover
    from departments.services import DepartmentError

    with pytest.raises(DepartmentError):
        departments_handover.reassign(
            "department_head", org.sales, from_user=org.sales_head, to_user=org.sales_deputy, by=org.sales_deputy
        )


def test_a_seat_goes_when_the_new_holder_is_already_on_the_team(org, holder):
    from teams.models import TeamMember

    TeamMember.objects.create(team=holder.other, user=org.purchasing_head, department=org.purchasing)
    services.hand_over(
        person=holder.person,
        by=org.admin,
        default=org.purchasing_head,
        chosen={f"delegate-{holder.delegation.pk}": org.leader},
    )
    assert not TeamMember.objects.filter(pk=holder.seat.pk).exists()
    assert TeamMember.objects.filter(team=holder.other, user=org.purchasing_head).count() == 1


def test_approvals_go_to_nobody_who_may_not_approve(org, holder):
    key = f"approver-{holder.approval.pk}"
    base = {f"delegate-{holder.delegation.pk}": org.leader}
    with pytest.raises(services.HandoverError) as caught, translation.override("en"):
        # 张三 filed the request: nobody approves their own.
        services.hand_over(
            person=holder.person, by=org.admin, default=org.purchasing_head, chosen={**base, key: org.requester}
        )
    assert "their own request" in " ".join(caught.value.errors[key])
    with pytest.raises(services.HandoverError) as caught, translation.override("en"):
        # 王经理 already approves this step.
        services.hand_over(
            person=holder.person, by=org.admin, default=org.purchasing_head, chosen={**base, key: org.sales_head}
        )
    assert "already approves" in " ".join(caught.value.errors[key])
    assert Approval.objects.get(pk=holder.approval.pk).approver == holder.person
