"""A manager hands over the work of someone leaving, in a real chromium, in Chinese and English:
from the person's page to the hand-over page, one person for everything typed into the people
picker, another for the delegation, deactivation ticked. Screenshots: test-artifacts/browser/handover/."""

import pytest

from handover.sources import held_by
from tests.browser.test_journeys import LANGUAGES, assert_clean
from tests.handover.conftest import holder  # noqa: F401  (the person holding one of everything)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def choose(b, field_id: str, typed: str, person):
    b.page.type(f"#{field_id}", typed)
    b.page.wait_for_selector(f"#{field_id} ~ .people-list button")
    b.page.click(f"#{field_id} ~ .people-list button")
    assert b.page.is_checked(f"input[value='{person.pk}'][name='{field_id.removeprefix('id_')}']")


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_manager_hands_over_and_deactivates(language, browser_for, org, holder):  # noqa: F811
    b = browser_for(language, "handover")
    b.login("purchasing_head", org.password)
    b.goto(f"/people/{holder.person.username}/")
    b.submit(f"a[href='/people/{holder.person.username}/handover/']")
    assert b.page.locator(".handover-item").count() == 11
    assert holder.handled.number in b.page.content()
    choose(b, "id_default", "purchasing_h", org.purchasing_head)
    choose(b, f"id_to_delegate-{holder.delegation.pk}", "leader", org.leader)
    b.page.check("[name=deactivate]")
    b.shot("chosen")
    b.submit("form.handover-form button[type=submit]")
    b.shot("done")

    holder.person.refresh_from_db()
    assert not holder.person.is_active
    assert held_by(holder.person) == []
    holder.delegation.refresh_from_db()
    assert holder.delegation.delegate == org.leader
    holder.handled.refresh_from_db()
    assert holder.handled.assignee == org.purchasing_head
    # The page now says the account is deactivated and holds nothing.
    assert b.page.locator(".handover-item").count() == 0
    if language == "en":
        assert "This account is deactivated" in b.page.content()
    assert_clean(b)
