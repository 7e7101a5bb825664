import time_machine

from tests.conftest import login


@time_machine.travel("2026-11-20 09:00 +0800", tick=False)
def test_pages_render(client, org, weekly):
    login(client, org.sales_head)
    team = weekly
    for url in [
        "/teams/",
        "/teams/new/",
        f"/teams/{team.pk}/",
        f"/teams/{team.pk}/edit/",
        f"/teams/{team.pk}/plan/",
        f"/teams/{team.pk}/milestones/new/",
        f"/teams/{team.pk}/requests/new/",
        "/calendar/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
