from datetime import date, timedelta

import pytest
from django.test import TestCase

from core.models import ActionLog
from departments.models import CalendarDay
from notifications.models import Delivery, ImRobot
from tasks.models import RequestType
from tests.conftest import login
from tests.factories import SkillFactory

pytestmark = pytest.mark.django_db

BASE = "/departments/purchasing/admin/"


# The hub and the way to it


def test_hub_lists_what_the_administrator_manages(admin_client, org, support):
    response = admin_client.get(BASE)
    assert response.status_code == 200
    for text in ("Dispatch rules", "skills", "IM robots", "Calendar exceptions"):
        assert text in response.content.decode()


def test_hub_of_another_department_is_forbidden(admin_client):
    assert admin_client.get("/departments/sales/admin/").status_code == 403
    assert admin_client.get("/departments/no-such/admin/").status_code == 404


def test_the_department_page_and_the_menu_link_to_the_hub(admin_client, org):
    page = admin_client.get("/departments/purchasing/").content.decode()
    assert f'href="{BASE}"' in page
    assert 'href="/administer/"' in page
    other = admin_client.get("/departments/sales/").content.decode()
    assert "/departments/sales/admin/" not in other


def test_plain_members_see_no_link(client, org):
    login(client, org.assignee)
    page = client.get("/departments/purchasing/").content.decode()
    assert BASE not in page and 'href="/administer/"' not in page
    assert client.get("/administer/").status_code == 403


def test_index_goes_to_the_only_hub_or_lists_several(admin_client, client, org):
    assert admin_client.get("/administer/")["Location"] == BASE
    org.sales.administrators.add(org.purchasing_head)
    page = admin_client.get("/administer/")
    assert page.status_code == 200 and b"/departments/sales/admin/" in page.content


def test_the_menu_answer_follows_a_change_of_administrators(client, org):
    login(client, org.assignee)
    assert b'href="/administer/"' not in client.get("/").content
    org.purchasing.administrators.add(org.assignee)
    assert b'href="/administer/"' in client.get("/").content


def test_the_menu_costs_no_query_once_known(client, org, django_assert_num_queries):
    from deptadmin.selectors import administers_any, remember

    assert remember(org.assignee) is False  # as at sign-in
    with django_assert_num_queries(0):
        assert administers_any(org.assignee) is False


# Dispatch rules


def test_dispatch_list_and_edit(admin_client, org, purchase, support, django_assert_max_num_queries):
    skill = SkillFactory(name="谈判")
    org.assignee.skills.add(skill)
    with django_assert_max_num_queries(12):
        response = admin_client.get(f"{BASE}dispatch/")
    assert response.status_code == 200 and "Purchase request" in response.content.decode()
    page = admin_client.get(f"{BASE}dispatch/{purchase.pk}/")
    assert page.status_code == 200
    response = admin_client.post(
        f"{BASE}dispatch/{purchase.pk}/", {"auto_assign": "least_loaded", "skills": [skill.pk]}
    )
    assert response.status_code == 302
    purchase.refresh_from_db()
    assert purchase.auto_assign == "least_loaded"
    assert list(purchase.skills.all()) == [skill]
    assert ActionLog.objects.filter(action="deptadmin.dispatch_changed").count() == 1
    # What the dispatcher would pick now: the member with the skill.
    page = admin_client.get(f"{BASE}dispatch/{purchase.pk}/").content.decode()
    assert "it would go to <strong>钱四</strong>" in page


def test_dispatch_list_query_count_does_not_grow(admin_client, org, django_assert_max_num_queries):
    skills = [SkillFactory(name=f"技能{i}") for i in range(3)]
    for i in range(15):
        rt = RequestType.objects.create(department=org.purchasing, code=f"t{i}", name=f"类型{i}")
        rt.skills.set(skills)
    with django_assert_max_num_queries(12):
        assert admin_client.get(f"{BASE}dispatch/").status_code == 200


def test_dispatch_invalid_post_saves_nothing(admin_client, purchase):
    response = admin_client.post(f"{BASE}dispatch/{purchase.pk}/", {"auto_assign": "whoever", "skills": ["999999"]})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    purchase.refresh_from_db()
    assert purchase.auto_assign == "none" and not purchase.skills.exists()


def test_dispatch_of_another_departments_type_is_not_found(admin_client, sales_type):
    for path in (f"{BASE}dispatch/{sales_type.pk}/", f"/departments/sales/admin/dispatch/{sales_type.pk}/"):
        response = admin_client.post(path, {"auto_assign": "round_robin"})
        assert response.status_code in (403, 404)
    assert admin_client.post(f"{BASE}dispatch/{sales_type.pk}/", {"auto_assign": "round_robin"}).status_code == 404
    sales_type.refresh_from_db()
    assert sales_type.auto_assign == "none"


# Members' skills


def test_skills_list_and_edit(admin_client, org, django_assert_max_num_queries):
    skills = [SkillFactory(name="谈判"), SkillFactory(name="物流")]
    with django_assert_max_num_queries(12):
        assert admin_client.get(f"{BASE}skills/").status_code == 200
    assert admin_client.get(f"{BASE}skills/assignee/").status_code == 200
    response = admin_client.post(f"{BASE}skills/assignee/", {"skills": [s.pk for s in skills]})
    assert response.status_code == 302
    assert set(org.assignee.skills.all()) == set(skills)
    assert admin_client.post(f"{BASE}skills/assignee/", {}).status_code == 302  # none: allowed
    assert not org.assignee.skills.exists()


def test_skills_list_query_count_does_not_grow(admin_client, org, django_assert_max_num_queries):
    from tests.factories import MembershipFactory, UserFactory

    skills = [SkillFactory(name=f"技能{i}") for i in range(3)]
    for i in range(15):
        person = UserFactory(username=f"p{i}")
        MembershipFactory(user=person, department=org.purchasing)
        person.skills.set(skills)
    with django_assert_max_num_queries(12):
        assert admin_client.get(f"{BASE}skills/").status_code == 200


def test_skills_invalid_post_saves_nothing(admin_client, org):
    skill = SkillFactory(name="谈判")
    org.assignee.skills.add(skill)
    response = admin_client.post(f"{BASE}skills/assignee/", {"skills": ["nope"]})
    assert response.status_code == 200
    assert "valid value" in response.content.decode()
    assert list(org.assignee.skills.all()) == [skill]


def test_skills_of_someone_of_another_department_are_not_found(admin_client, org):
    skill = SkillFactory(name="谈判")
    assert admin_client.post(f"{BASE}skills/requester/", {"skills": [skill.pk]}).status_code == 404
    assert admin_client.post("/departments/sales/admin/skills/requester/", {"skills": [skill.pk]}).status_code == 403
    assert not org.requester.skills.exists()


# Robots


def test_robot_list_masks_tokens_and_secrets(admin_client, robots, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        page = admin_client.get(f"{BASE}robots/").content.decode()
    assert "采购群" in page and "销售群" not in page
    assert "purchasingtoken" not in page and "SECpurchasing" not in page
    edit = admin_client.get(f"{BASE}robots/{robots[0].pk}/").content.decode()
    assert "SECpurchasing" not in edit
    assert "A secret is set" in edit


def test_robot_add(admin_client, org):
    response = admin_client.post(
        f"{BASE}robots/new/",
        {
            "name": "仓库群",
            "kind": "feishu",
            "url": "https://open.feishu.cn/open-apis/bot/v2/hook/abcdefghijk",
            "secret": "s3cret",
            "kinds": ["inbox"],
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    robot = ImRobot.objects.get(name="仓库群")
    assert robot.department == org.purchasing and robot.secret == "s3cret" and robot.kinds == ["inbox"]


def test_robot_edit_keeps_replaces_or_removes_the_secret(admin_client, robots):
    robot = robots[0]
    data = {"name": "采购群", "kind": "dingtalk", "url": robot.url, "is_active": "on"}
    assert admin_client.post(f"{BASE}robots/{robot.pk}/", {**data, "secret": ""}).status_code == 302
    robot.refresh_from_db()
    assert robot.secret == "SECpurchasing"
    admin_client.post(f"{BASE}robots/{robot.pk}/", {**data, "secret": "SECnew"})
    robot.refresh_from_db()
    assert robot.secret == "SECnew"
    admin_client.post(f"{BASE}robots/{robot.pk}/", {**data, "remove_secret": "on"})
    robot.refresh_from_db()
    assert robot.secret == ""


@pytest.mark.parametrize(
    "kind, url, message",
    [
        ("dingtalk", "http://oapi.dingtalk.com/robot/send?access_token=x", "must start with https://"),
        ("slack", "https://127.0.0.1/hook", "public host name"),
        ("slack", "https://localhost/hook", "public host name"),
        ("dingtalk", "https://example.com/robot/send", "oapi.dingtalk.com"),
        ("slack", "not a url", "Enter a valid URL"),
    ],
)
def test_robot_invalid_address_saves_nothing(admin_client, org, kind, url, message):
    response = admin_client.post(f"{BASE}robots/new/", {"name": "坏", "kind": kind, "url": url, "is_active": "on"})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ImRobot.objects.filter(name="坏").exists()


def test_robot_delete(admin_client, robots):
    assert admin_client.post(f"{BASE}robots/{robots[0].pk}/delete/").status_code == 302
    assert not ImRobot.objects.filter(pk=robots[0].pk).exists()
    assert admin_client.get(f"{BASE}robots/{robots[0].pk}/delete/").status_code == 405


def test_robot_test_message_goes_through_the_outbox(admin_client, robots):
    with TestCase.captureOnCommitCallbacks(execute=False):
        response = admin_client.post(f"{BASE}robots/{robots[0].pk}/test/", follow=True)
    assert "A test message is on its way" in response.content.decode()
    delivery = Delivery.objects.get(robot=robots[0])
    assert delivery.channel == "webhook" and "Test message" in delivery.body


def test_a_robot_that_is_off_is_not_tested(admin_client, robots):
    ImRobot.objects.filter(pk=robots[0].pk).update(is_active=False)
    response = admin_client.post(f"{BASE}robots/{robots[0].pk}/test/", follow=True)
    assert "turned off" in response.content.decode()
    assert not Delivery.objects.exists()


def test_another_departments_robot_is_not_found(admin_client, robots):
    theirs = robots[1]
    data = {"name": "x", "kind": "wecom", "url": theirs.url, "is_active": "on"}
    assert admin_client.get(f"{BASE}robots/{theirs.pk}/").status_code == 404
    assert admin_client.post(f"{BASE}robots/{theirs.pk}/", data).status_code == 404
    assert admin_client.post(f"{BASE}robots/{theirs.pk}/delete/").status_code == 404
    assert admin_client.post(f"{BASE}robots/{theirs.pk}/test/").status_code == 404
    assert admin_client.post(f"/departments/sales/admin/robots/{theirs.pk}/delete/").status_code == 403
    theirs.refresh_from_db()
    assert theirs.name == "销售群"
    assert not Delivery.objects.exists()


def test_a_crafted_department_field_is_ignored(admin_client, org):
    admin_client.post(
        f"{BASE}robots/new/",
        {
            "name": "偷渡",
            "kind": "slack",
            "url": "https://hooks.example.com/services/x",
            "department": org.sales.pk,
            "is_active": "on",
        },
    )
    assert ImRobot.objects.get(name="偷渡").department == org.purchasing


# Calendar exceptions


def _saturday() -> date:
    today = date.today()
    return today + timedelta(days=(5 - today.weekday()) % 7 or 7)


def test_calendar_add_and_delete(admin_client, org, django_assert_max_num_queries):
    saturday = _saturday()
    CalendarDay.objects.create(date=saturday, kind="holiday", name="全公司放假")
    response = admin_client.post(f"{BASE}calendar/", {"date": saturday.isoformat(), "kind": "workday", "name": "盘点"})
    assert response.status_code == 302
    day = CalendarDay.objects.get(department=org.purchasing)
    assert day.kind == "workday" and day.date == saturday
    with django_assert_max_num_queries(12):
        page = admin_client.get(f"{BASE}calendar/").content.decode()
    assert "盘点" in page and "全公司放假" in page
    assert admin_client.post(f"{BASE}calendar/{day.pk}/delete/").status_code == 302
    assert not CalendarDay.objects.filter(department=org.purchasing).exists()
    assert CalendarDay.objects.filter(department=None).count() == 1


def test_calendar_invalid_post_saves_nothing(admin_client, org):
    saturday = _saturday()
    CalendarDay.objects.create(date=saturday, kind="workday", department=org.purchasing)
    for data in (
        {"date": saturday.isoformat(), "kind": "holiday"},  # the same date twice
        {"date": "not a date", "kind": "holiday"},
        {"date": saturday.isoformat(), "kind": "sometimes"},
    ):
        response = admin_client.post(f"{BASE}calendar/", data)
        assert response.status_code == 200
    assert (
        "already has an exception on this date"
        in admin_client.post(f"{BASE}calendar/", {"date": saturday.isoformat(), "kind": "holiday"}).content.decode()
    )
    assert CalendarDay.objects.filter(department=org.purchasing).count() == 1


def test_the_same_date_may_be_an_exception_of_two_departments(admin_client, org):
    saturday = _saturday()
    CalendarDay.objects.create(date=saturday, kind="workday", department=org.sales)
    response = admin_client.post(f"{BASE}calendar/", {"date": saturday.isoformat(), "kind": "workday"})
    assert response.status_code == 302
    assert CalendarDay.objects.filter(date=saturday).count() == 2


def test_another_departments_day_is_not_found(admin_client, org):
    theirs = CalendarDay.objects.create(date=_saturday(), kind="workday", department=org.sales)
    organisation = CalendarDay.objects.create(date=_saturday() + timedelta(7), kind="holiday")
    assert admin_client.post(f"{BASE}calendar/{theirs.pk}/delete/").status_code == 404
    assert admin_client.post(f"{BASE}calendar/{organisation.pk}/delete/").status_code == 404
    assert admin_client.post(f"/departments/sales/admin/calendar/{theirs.pk}/delete/").status_code == 403
    assert CalendarDay.objects.count() == 2


def test_admins_reach_every_department(client, org, robots):
    login(client, org.admin)
    for path in ("", "dispatch/", "skills/", "robots/", "calendar/", f"robots/{robots[1].pk}/"):
        assert client.get(f"/departments/sales/admin/{path}").status_code == 200, path


def test_heads_do_not_administer_when_the_organisation_says_so(client, org, settings):
    settings.DEPARTMENT_HEADS_ADMINISTER = False
    login(client, org.purchasing_head)
    assert client.get(BASE).status_code == 403
    org.purchasing.administrators.add(org.assignee)
    login(client, org.assignee)
    assert client.get(BASE).status_code == 200


def test_a_new_head_sees_the_link_at_once(client, org):
    login(client, org.outsider)
    assert b'href="/administer/"' not in client.get("/").content
    org.hr.head = org.outsider
    org.hr.save()
    assert b'href="/administer/"' in client.get("/").content
