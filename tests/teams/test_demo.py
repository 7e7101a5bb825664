"""seed_demo adds the demo teams once: a second run adds nothing."""

from django.core.management import call_command

from teams.demo import seed_teams
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
