"""Runs the teams' authorization-matrix entries (tests/teams/authorization.py) with the matrix's
own world, personas and rules, so they hold before the matrix takes them."""

import pytest

from tests.conftest import login
from tests.teams.authorization import team_entries
from tests.test_authorization_matrix import LOGIN, PERSONAS, _persona_user, everyone, get, post, world  # noqa: F401

ENTRIES = team_entries(get, post, everyone)


def test_every_teams_pattern_has_an_entry():
    from teams.urls import urlpatterns

    names = {f"teams:{p.name}" for p in urlpatterns} - {"teams:list", "teams:feed"}  # already in the matrix
    assert names == set(ENTRIES)


@pytest.mark.parametrize(
    "key, index, persona",
    [(key, index, persona) for key, checks in ENTRIES.items() for index in range(len(checks)) for persona in PERSONAS],
)
def test_team_matrix(key, index, persona, world, client):  # noqa: F811
    check = ENTRIES[key][index]
    user = _persona_user(world, check, persona)
    if user is not None:
        login(client, user)
    url = check.url(world)
    data = check.data(world) if check.data else {}
    response = client.get(url, data) if check.method == "GET" else client.post(url, data)
    expected = check.expect[persona]
    if expected == LOGIN:
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    else:
        assert response.status_code == expected, (check.method, url, persona, response.status_code)
    if check.after:
        check.after(world, persona, response)
