"""The department inbox's filters at a common laptop size (1366×768): no select clips its text
(the priority filter read "全部优" when its column was too narrow)."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LAPTOP = {"width": 1366, "height": 768}
MEASURE = """selects => selects.map(s => {
  const style = getComputedStyle(s);
  const context = document.createElement("canvas").getContext("2d");
  context.font = style.font;
  const text = context.measureText(s.options[s.selectedIndex].text).width;
  const room = s.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return {name: s.name, text: s.options[s.selectedIndex].text, needs: Math.ceil(text), room: room};
}).filter(m => m.needs > m.room)"""


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_inbox_filters_fit_at_1366_wide(language, browser_for, org, support, file_request):
    file_request(support)
    b = browser_for(language, "inbox-layout")
    b.page.set_viewport_size(LAPTOP)
    b.login("purchasing_head", org.password)
    b.goto("/requests/inbox/")
    # A select's scrollWidth is its clientWidth however long its text (chromium draws the text
    # clipped inside): measure the chosen option's text in the select's font against the room
    # its padding leaves.
    clipped = b.page.eval_on_selector_all("form[role=search] select", MEASURE)
    b.shot("filters")
    assert not clipped, clipped
    assert not b.errors, b.errors
