"""The mediator's delegate mediates for them while the delegation is in force, and only then; the
log, the conflict's page and the mediator's notice say for whom."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from conflicts import services
from conflicts.models import Conflict, ConflictAction
from conflicts.rules import can
from departments.models import Delegation
from notifications.models import Notification
from tests.conftest import login

pytestmark = pytest.mark.django_db


def in_mediation(org, raise_conflict) -> Conflict:
    conflict = raise_conflict()
    services.conflict_escalate(conflict=conflict, by=org.sales_head, text="协商失败")
    conflict = Conflict.objects.get(pk=conflict.pk)
    assert conflict.state == "mediation" and conflict.mediator == org.leader
    return conflict


def test_the_mediators_delegate_proposes_for_them(client, org, chair, raise_conflict):
    conflict = in_mediation(org, raise_conflict)
    stand_in = chair  # holds no party's seat
    assert not can(stand_in, "propose", conflict)
    today = timezone.localdate()
    Delegation.objects.create(delegator=org.leader, delegate=stand_in, starts_on=today, ends_on=today)
    conflict = Conflict.objects.get(pk=conflict.pk)
    assert can(stand_in, "propose", conflict)
    services.conflict_propose(conflict=conflict, by=stand_in, text="各让一步：三周交货")
    entry = conflict.logs.get(action=ConflictAction.PROPOSED)
    assert (entry.actor, entry.acting_for) == (stand_in, org.leader)
    assert Notification.objects.filter(recipient=org.leader, kind="delegation.acted").count() == 1
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(client, org.leader)
    assert f"for {org.leader.name}" in client.get(f"/conflicts/{conflict.pk}/").content.decode()


def test_outside_the_window_or_ended_the_mediators_delegate_may_not(org, chair, raise_conflict):
    conflict = in_mediation(org, raise_conflict)
    today = timezone.localdate()
    Delegation.objects.create(
        delegator=org.leader, delegate=chair, starts_on=today + timedelta(1), ends_on=today + timedelta(2)
    )
    Delegation.objects.create(delegator=org.leader, delegate=chair, starts_on=today, ends_on=today, is_active=False)
    assert not can(chair, "propose", Conflict.objects.get(pk=conflict.pk))
    with pytest.raises(PermissionDenied):
        services.conflict_propose(conflict=Conflict.objects.get(pk=conflict.pk), by=chair, text="代为调解")
