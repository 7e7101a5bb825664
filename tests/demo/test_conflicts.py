"""seed_demo adds conflicts at each level of the ladder, once."""

import pytest
from django.core.management import call_command

from conflicts.models import Conflict

pytestmark = pytest.mark.django_db


def test_seed_demo_adds_conflicts_at_every_level_once():
    call_command("seed_demo", quiet=True)
    states = sorted(Conflict.objects.values_list("state", flat=True))
    assert states.count("resolved") == 2
    assert "negotiation" in states and "mediation" in states
    resolutions = set(Conflict.objects.filter(state="resolved").values_list("resolution", flat=True))
    assert resolutions == {"agreed", "arbitrated"}
    count = Conflict.objects.count()
    call_command("seed_demo", quiet=True)
    assert Conflict.objects.count() == count
