"""What people met when the portal was tried from outside, walked again in a real chromium in
Chinese and in English: a draft stays its author's until it is submitted, every id on a request
page is unique (a label focuses its own form's field), a returned request says so with its
reason, and the department inbox explains and defaults to its suggestion.
Screenshots: test-artifacts/browser/found-from-outside/<language>/."""

import pytest

from tasks import services
from tasks.models import Reason, Task

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LANGUAGES = ["zh", "en"]
RETURNED = {"zh": "退回修改", "en": "Returned"}
DUPLICATE_IDS = """() => {
  const seen = new Map();
  for (const element of document.querySelectorAll("[id]")) seen.set(element.id, (seen.get(element.id) || 0) + 1);
  return [...seen].filter(([, count]) => count > 1).map(([id]) => id);
}"""


def refused(b, path: str) -> int:
    """Open an address expected to be refused; the refusal is the point, not a page error."""
    response = b.page.goto(b.base_url + path)
    b.errors[:] = [error for error in b.errors if path not in error]
    return response.status


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_draft_is_private_and_a_return_says_why(language, browser_for, org, purchase):
    b = browser_for(language, "found-from-outside")
    title = f"草稿不外传 {language}"

    # The requester saves a purchase request as a draft.
    b.login("requester", org.password)
    b.goto("/requests/new/purchase/")
    b.page.fill("[name=title]", title)
    b.page.fill("[name=f_amount]", "800")
    b.submit("#task-form button[name=action][value=draft]")
    task = Task.objects.get(title=title)
    assert task.state == "draft" and b.page.url.endswith(f"/requests/{task.number}/")
    detail = f"/requests/{task.number}/"

    # Nobody else sees it: not a member of the department it is for, not their head.
    for person in ("assignee", "purchasing_head", "sales_head"):
        b.login(person, org.password)
        assert refused(b, detail) == 404, person
        for page in (f"/search/?q={task.number}", "/requests/list/all/", "/"):
            b.goto(page)
            assert b.page.locator(f"main a[href='{detail}']").count() == 0, (person, page)
    b.shot("draft-not-found-for-others")

    # Submitted, it reaches the requester's head, whose page has one id per element: the label of
    # the return form's reason focuses the return form's field, not the reject form's.
    services.task_submit(task=task, by=org.requester)
    b.login("sales_head", org.password)
    b.goto(detail)
    assert b.page.evaluate(DUPLICATE_IDS) == []
    b.page.click("button[data-bs-target='#act-return']")
    b.page.wait_for_selector("#act-return.show")
    b.page.click("#act-return label[for$=reason]")
    assert b.page.evaluate("() => document.activeElement.closest('#act-return') !== null")
    b.shot("approver-page")
    b.page.select_option("#act-return [name=reason]", Reason.INCOMPLETE)
    b.page.fill("#act-return [name=comment]", "请补充报价单")
    b.submit("#act-return button[type=submit]")
    task.refresh_from_db()
    assert task.state == "draft"

    # Back with the requester: the badge says Returned, the reason and the opinion lead the page.
    b.login("requester", org.password)
    b.goto(detail)
    header = b.page.inner_text("main")
    assert RETURNED[language] in header and "请补充报价单" in header
    assert b.page.is_visible(".alert-warning")
    b.goto("/requests/list/mine/")
    assert RETURNED[language] in b.page.inner_text("main")
    b.shot("returned")
    # Returned, it is its requester's alone again.
    b.login("assignee", org.password)
    assert refused(b, detail) == 404
    assert not b.errors, b.errors


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_inbox_explains_and_defaults_to_its_suggestion(language, browser_for, org, support, file_request):
    for n in range(3):
        file_request(support, title=f"打印机故障 {n}")
    b = browser_for(language, "found-from-outside-inbox")
    b.login("purchasing_head", org.password)
    b.goto("/requests/inbox/")
    waiting = Task.objects.filter(state="pending_acceptance", target_department=support.department)
    assert waiting.count() == 3
    board = f"#bulk-assignee-{support.department.pk}"
    explanation = b.page.inner_text(f"#suggestion-{support.department.pk}")
    assert "★" in explanation and len(explanation) > 5
    # Bulk assign proposes the suggestion of the first row, not the first person of the list.
    first = waiting.order_by("-priority", "created_at").first()
    row_choice = b.page.eval_on_selector(f"#assignee-{first.pk}", "e => e.value")
    assert b.page.eval_on_selector(board, "e => e.value") == row_choice
    b.page.click(f"details[hx-get*='/workload/{support.department.code}/'] summary")
    b.page.wait_for_selector("details[open] .workload table")
    # The workload table marks the same person.
    marked = b.page.inner_text("details[open] .workload tr.table-success")
    chosen = b.page.eval_on_selector(board, "e => e.options[e.selectedIndex].text")
    assert chosen.split()[0].lstrip("★").strip() in marked
    b.shot("inbox")
    assert not b.errors, b.errors
