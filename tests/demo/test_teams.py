"""seed_demo adds the demo teams once: a second run adds nothing."""

from django.core.management import call_command

from demo.teams import seed_teams
from teams.models import ActionItem, Meeting, MetricReading, Milestone, Team


def test_seed_demo_teams_idempotent(db):
    call_command("seed_demo", quiet=True)
    teams = {t.name: t for t in Team.objects.all()}
    assert teams["华东区市场份额提升"].state == Team.State.ACTIVE
    assert teams["原材料降本小组"].state == Team.State.EVALUATED
    assert teams["原材料降本小组"].evaluation_score is not None
    assert teams["智能终端新品上市"].state == Team.State.PLANNING and teams["智能终端新品上市"].private
    market = teams["华东区市场份额提升"]
    assert market.milestones.count() == 4 and market.readings.count() == 3
    assert market.action_items.filter(task__isnull=False).exists()
    counts = [Model.objects.count() for Model in (Team, Milestone, MetricReading, Meeting, ActionItem)]
    assert seed_teams() == 0
    call_command("seed_demo", quiet=True)
    assert [Model.objects.count() for Model in (Team, Milestone, MetricReading, Meeting, ActionItem)] == counts


def test_demo_team_pages_render(client, db):
    from departments.models import User
    from tests.conftest import login

    call_command("seed_demo", quiet=True)
    for team in Team.objects.all():
        login(client, team.lead)
        plan = [f"/teams/{team.pk}/plan/"] if team.is_open else []
        for url in [f"/teams/{team.pk}/", "/teams/", *plan] + [
            f"/teams/{team.pk}/meetings/{m.pk}/" for m in team.meetings.all()[:3]
        ]:
            assert client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").status_code == 200, url
    outsider = User.objects.get(username="finance_staff3")
    login(client, outsider)
    private = Team.objects.get(private=True)
    assert client.get(f"/teams/{private.pk}/").status_code == 404
