"""A department head runs their service catalogue in a real chromium: 采购部's head creates a
request type with four fields and a two-step route with an amount condition, previews it as a
filer, publishes it; 销售部's 张三 files it; the head adds a required field and changes the route;
the request already filed keeps its form and route, a new one gets the new ones. Then the head
names 财务部 as co-handling department (协办) in the guide: the next request goes to it too (ticked
and fixed on the form); restoring version 2 in one click takes it off again for new requests only.
In English and in Simplified Chinese: the words shown are those of the reader's language, everything
else is asserted by selectors and stored state. Screenshots: test-artifacts/browser/catalogue/<language>/."""

import pytest

from tasks.models import Approval, Task
from tests.browser.test_journeys import LANGUAGES, assert_clean

pytestmark = [pytest.mark.browser, pytest.mark.slow]

FIELDS = [
    {"key": "amount", "label": "金额", "label_en": "Amount", "kind": "amount", "required": True},
    {"key": "model", "label": "型号", "label_en": "Model", "kind": "choice", "choices": "轻薄本\n工作站"},
    {"key": "needed", "label": "需要日期", "label_en": "Needed on", "kind": "date"},
    {"key": "note", "label": "说明", "label_en": "Notes", "kind": "long_text"},
]


def add_field(b, code, field):
    b.goto(f"/catalogue/{code}/fields/new/")
    form = "main form.card"
    for name in ("key", "label", "label_en", "choices"):
        if field.get(name):
            b.page.fill(f"{form} [name={name}]", field[name])
    b.page.select_option(f"{form} [name=kind]", field["kind"])
    if field.get("required"):
        b.page.check(f"{form} [name=required]")
    b.submit(f"{form} button[type=submit]")
    assert b.page.url.endswith(f"/catalogue/{code}/fields/"), b.page.url


def add_step(b, code, approver, *, department=None, condition=None):
    b.goto(f"/catalogue/{code}/route/new/")
    form = "main form.card"
    b.page.select_option(f"{form} [name=approver]", approver)
    if department is not None:
        b.page.select_option(f"{form} [name=department]", str(department.pk))
    if condition:
        field, operator, value = condition
        b.page.select_option(f"{form} [name=condition_field]", field)
        b.page.select_option(f"{form} [name=condition_operator]", operator)
        b.page.fill(f"{form} [name=condition_value]", value)
    b.submit(f"{form} button[type=submit]")
    assert b.page.url.endswith(f"/catalogue/{code}/route/"), b.page.url


def publish(b, code):
    b.goto(f"/catalogue/{code}/")
    b.submit(f"form[action='/catalogue/{code}/publish/'] button[type=submit]")
    assert b.page.locator(".alert-success").count() == 1, b.page.inner_text("main")


def file(b, code, title, values):
    b.goto(f"/requests/new/{code}/")
    b.page.fill("#task-form [name=title]", title)
    for name, value in values.items():
        field = f"#task-form [name={name}]"
        if b.page.eval_on_selector(field, "e => e.tagName") == "SELECT":
            b.page.select_option(field, value)
        else:
            b.page.fill(field, value)
    b.submit("#task-form button[value=submit]")
    return Task.objects.get(title=title)


def label(language: str, key: str) -> str:
    """A field's label as the request page shows it in `language`."""
    field = next(f for f in [*FIELDS, REASON] if f["key"] == key)
    return field["label"] if language == "zh" else field["label_en"]


def name(language: str, department) -> str:
    """A department's name as the pages show it in `language`."""
    return department.name if language == "zh" else department.name_en


REASON = {"key": "reason", "label": "采购理由", "label_en": "Reason", "kind": "text", "required": True}


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_head_publishes_a_type_and_filed_requests_keep_their_version(language, browser_for, org, finance):
    for person in (org.purchasing_head, org.requester):
        person.set_password(org.password)
        person.save()
    b = browser_for(language, "catalogue")
    b.login("purchasing_head", org.password)
    b.goto("/")
    b.page.click("#user-menu")
    b.submit("a.dropdown-item[href='/catalogue/']")
    b.submit("a[href='/catalogue/new/']")
    b.page.select_option("main [name=department]", str(org.purchasing.pk))
    b.page.fill("main [name=code]", "laptop")
    b.page.fill("main [name=name]", "笔记本电脑申请")
    b.page.fill("main [name=name_en]", "Laptop request")
    b.submit("main form.card button[type=submit]")
    assert b.page.url.endswith("/catalogue/laptop/")

    for field in FIELDS:
        add_field(b, "laptop", field)
    # Move the notes up above the date, with the plain button.
    b.submit("form[action='/catalogue/laptop/fields/note/move/'] button[value=up]")
    assert b.page.locator("#designer li").count() == 4
    assert b.page.locator("#live-preview [name=f_amount]").count() == 1
    b.shot("designer")

    add_step(b, "laptop", "requester_manager")
    add_step(b, "laptop", "department_head", department=finance, condition=("amount", "gt", "10000"))
    b.goto("/catalogue/laptop/preview/")
    b.page.fill("main [name=filer_find]", "requester")
    b.page.fill("main [name=f_amount]", "20000")
    b.submit("main form button.btn-primary[type=submit]")
    route = b.page.inner_text("#route-preview")
    assert "王经理" in route and "周会计" in route, route
    b.shot("preview")
    publish(b, "laptop")
    b.shot("published")

    b.login("requester", org.password)
    first = file(b, "laptop", "两台工作站", {"f_amount": "20000", "f_model": "工作站", "f_note": "研发用"})
    assert first.state == Task.State.PENDING_APPROVAL
    assert set(Approval.objects.filter(task=first).values_list("step_order", flat=True)) == {1, 2}

    # The head adds a required field and drops the finance step.
    b.login("purchasing_head", org.password)
    add_field(b, "laptop", REASON)
    b.goto("/catalogue/laptop/route/")
    b.submit("form[action='/catalogue/laptop/route/2/delete/'] button[type=submit]")
    assert b.page.locator("#route-editor li").count() == 1
    publish(b, "laptop")

    b.login("requester", org.password)
    b.goto(f"/requests/{first.number}/")
    page = b.page.inner_text("main")
    assert label(language, "model") in page and label(language, "reason") not in page
    b.shot("first-request-keeps-its-form")
    second = file(b, "laptop", "一台轻薄本", {"f_amount": "20000", "f_reason": "出差"})
    assert second.type_version.number == 2 and first.type_version.number == 1
    assert set(Approval.objects.filter(task=second).values_list("step_order", flat=True)) == {1}
    b.goto(f"/requests/{second.number}/")
    assert label(language, "reason") in b.page.inner_text("main")
    b.shot("second-request-new-form")

    # 财务部 co-handles every purchase from now on.
    b.login("purchasing_head", org.password)
    b.goto("/catalogue/laptop/guide/")
    assert name(language, org.purchasing) in b.page.inner_text("main form.card")  # the lead department, named
    b.page.check(f"main form.card [name=co_departments][value='{finance.pk}']")
    b.shot("guide-co-handling")
    b.submit("main form.card button[type=submit]")
    assert name(language, finance) in b.page.inner_text("#co-departments")
    publish(b, "laptop")

    b.login("requester", org.password)
    b.goto("/requests/new/laptop/")
    box = b.page.locator(f"#task-form [name=co_departments][value='{finance.pk}']")
    assert box.is_checked() and box.is_disabled()
    assert name(language, finance) in b.page.inner_text("#guide-co-departments")
    b.shot("filing-with-co-handling")
    third = file(b, "laptop", "三台显示器", {"f_amount": "3000", "f_reason": "新人"})
    assert [d.code for d in third.co_departments.all()] == ["finance"]
    b.goto(f"/requests/{third.number}/")
    assert name(language, finance) in b.page.inner_text("main")
    b.shot("filed-request-co-handled")

    # One click restores version 2 (no co-handling department) as version 4.
    b.login("purchasing_head", org.password)
    b.goto("/catalogue/laptop/")
    b.submit("form[action='/catalogue/laptop/versions/2/publish/'] button[type=submit]")
    assert "4" in b.page.inner_text(".alert-success")
    assert Task.objects.get(pk=third.pk).request_type.current_version.number == 4
    assert name(language, finance) not in b.page.inner_text("#co-departments")
    b.shot("restored-version-2")
    assert [d.code for d in Task.objects.get(pk=third.pk).co_departments.all()] == ["finance"]
    assert_clean(b)
