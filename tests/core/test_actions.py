"""The action log's kernel: one log_action for every app, and the labels each app registers."""

import pytest
from django.utils import translation

from core.actions import action_label, action_logged, log_action, log_actions, register_actions
from core.models import ActionLog
from tasks.models import TaskAction
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db


def test_log_action_records_the_target_people_states_and_extras(org):
    department = DepartmentFactory(code="ops")
    entry = log_action(
        department,
        actor=org.assignee,
        acting_for=org.purchasing_head,
        action=TaskAction.TRANSFERRED,
        from_state="in_progress",
        reason="wrong_department",
        comment="不归我们",
        data={"department": org.hr.pk},
    )
    entry = ActionLog.objects.get(pk=entry.pk)
    assert entry.target == department
    assert (entry.actor, entry.acting_for, entry.from_state, entry.to_state) == (
        org.assignee,
        org.purchasing_head,
        "in_progress",
        "",  # a department has no state
    )
    assert (entry.reason, entry.comment, entry.data) == ("wrong_department", "不归我们", {"department": org.hr.pk})


def test_log_actions_writes_one_row_per_target_in_one_insert(org, django_assert_max_num_queries):
    departments = [DepartmentFactory(code=f"ops{n}") for n in range(3)]
    heard = []

    def listen(sender, target, entry, **kwargs):
        heard.append((target, entry.pk))

    action_logged.connect(listen)
    try:
        with django_assert_max_num_queries(2):  # the INSERT, and the content type unless cached
            entries = log_actions(
                departments, actor=org.admin, action=TaskAction.TRANSFERRED, comment="批量", data={"n": 1}
            )
    finally:
        action_logged.disconnect(listen)
    stored = list(ActionLog.objects.filter(pk__in=[e.pk for e in entries]).order_by("pk"))
    assert [entry.target for entry in stored] == departments
    assert {(e.actor, e.comment, e.to_state, str(e.data)) for e in stored} == {(org.admin, "批量", "", "{'n': 1}")}
    assert heard == [(d, e.pk) for d, e in zip(departments, entries, strict=True)]
    assert log_actions([], actor=None, action=TaskAction.TRANSFERRED) == []


def test_to_state_defaults_to_the_targets_state_after_the_step(org):
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from teams.models import Team, TeamAction

    today = timezone.localdate()
    team = Team.objects.create(
        name="新品上市",
        goal="提高份额",
        metric="份额",
        baseline=Decimal(10),
        target_value=Decimal(20),
        starts_on=today,
        deadline=today + timedelta(days=30),
        lead=org.sales_head,
        created_by=org.sales_head,
        state="active",
    )
    entry = log_action(team, actor=None, action=TeamAction.STARTED, from_state="planning")
    assert (entry.from_state, entry.to_state, entry.actor) == ("planning", "active", None)
    assert list(team.logs.all()) == [entry]


def test_labels_come_from_the_apps_in_the_readers_language():
    with translation.override("zh-hans"):
        assert action_label("task.submitted") == translation.pgettext("what happened to a request", "submitted")
    with translation.override("en"):
        assert action_label("team.started") == "started the team"
        assert ActionLog(action="conflict.decided").get_action_display() == "decided (final)"
    assert action_label("nobody.registered") == "nobody.registered"


def test_an_action_cannot_be_registered_twice_with_other_words():
    register_actions([("task.approved", TaskAction.APPROVED.label)])  # the same words: fine
    with pytest.raises(ValueError, match="task.approved"):
        register_actions([("task.approved", "something else")])
