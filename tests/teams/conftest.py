"""A team on top of the shared personas (tests/conftest.py) and the request types of tests/tasks.

market team (public, active from 2026-11-02 to 2027-03-31), lead: sales_head
  members: requester (销售部, 市场调研), assignee (采购部, 成本核算)
outsider and purchasing_head are not on it.
"""

from datetime import date, time
from decimal import Decimal

import pytest

from teams import services
from teams.models import StrategicGoal, Team
from tests.tasks.conftest import finance, purchase, support  # noqa: F401


@pytest.fixture
def goal(db):
    return StrategicGoal.objects.create(title="提高市场份额", title_en="Grow market share")


def team_values(**overrides):
    values = {
        "name": "华东市场份额提升",
        "goal": "一年内把华东区市场份额从12%提高到15%",
        "strategic_goal": None,
        "metric": "华东区市场份额",
        "unit": "%",
        "baseline": Decimal("12"),
        "target_value": Decimal("15"),
        "starts_on": date(2026, 11, 2),
        "deadline": date(2027, 3, 31),
        "private": False,
    }
    values.update(overrides)
    return values


@pytest.fixture
def team(org, goal):
    team = services.team_create(
        by=org.sales_head,
        values=team_values(strategic_goal=goal),
        members=[(org.requester, org.sales, "市场调研"), (org.assignee, org.purchasing, "成本核算")],
    )
    return team


@pytest.fixture
def active_team(org, team):
    return services.team_start(team=team, by=org.sales_head)


@pytest.fixture
def weekly(org, active_team):
    return services.plan_set(
        team=active_team,
        by=org.sales_head,
        values={
            "meeting_freq": "WEEKLY",
            "meeting_interval": 1,
            "meeting_weekdays": [0],
            "meeting_time": time(10, 0),
            "meeting_minutes": 60,
            "meeting_location": "3楼会议室",
            "daily_email": True,
        },
    )


def reload(team) -> Team:
    return Team.objects.get(pk=team.pk)


@pytest.fixture(autouse=True)
def english(settings):
    """These tests read the pages' and services' messages in English (the site's default is Chinese)."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
