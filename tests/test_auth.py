"""Login, throttling, logout, password change, the language switch and the admin's door."""

import pytest
from django.urls import reverse

from tests.conftest import login

pytestmark = pytest.mark.django_db


def test_login_with_right_password(client, org):
    response = client.post(reverse("login"), {"username": "requester", "password": org.password})
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_wrong_password_does_not_say_which_part(client, org):
    wrong_password = client.post(reverse("login"), {"username": "requester", "password": "nope"})
    no_such_user = client.post(reverse("login"), {"username": "ghost", "password": "nope"})
    assert wrong_password.status_code == no_such_user.status_code == 200
    errors_a = wrong_password.context["form"].non_field_errors()
    errors_b = no_such_user.context["form"].non_field_errors()
    assert errors_a and errors_a == errors_b


def test_repeated_failures_are_throttled(client, org, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "requester", "password": "wrong"})
    locked = client.post(reverse("login"), {"username": "requester", "password": org.password})
    assert locked.status_code == 429
    assert "登录失败次数过多" in locked.content.decode()
    assert f"请在 {settings.AXES_COOLOFF_TIME.seconds // 60} 分钟后重试" in locked.content.decode()
    assert client.get("/").status_code == 302  # still not logged in
    # Another person on the same address is not locked out.
    other = client.post(reverse("login"), {"username": "outsider", "password": org.password})
    assert other.status_code == 302


def test_logout_is_post_only(client, org):
    login(client, org.requester)
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 302
    assert client.get("/").status_code == 302


def test_password_change(client, org):
    login(client, org.requester)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": org.password,
            "new_password1": "A-much-longer-pass-2026",
            "new_password2": "A-much-longer-pass-2026",
        },
    )
    assert response.status_code == 302
    org.requester.refresh_from_db()
    assert org.requester.check_password("A-much-longer-pass-2026")


def test_password_change_refuses_mismatch(client, org):
    login(client, org.requester)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": org.password,
            "new_password1": "A-much-longer-pass-2026",
            "new_password2": "different-2026!",
        },
    )
    assert response.status_code == 200
    org.requester.refresh_from_db()
    assert org.requester.check_password(org.password)


def test_chinese_is_the_default_language(client, org):
    login(client, org.requester)
    body = client.get("/departments/").content.decode()
    assert 'lang="zh-hans"' in body
    assert "部门目录" in body


def test_browser_language_is_followed(client, org):
    login(client, org.requester)
    body = client.get("/departments/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="en"' in body and "Department directory" in body


def test_language_switch_is_remembered(client, org):
    login(client, org.requester)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/departments/"})
    assert response.status_code == 302 and response["Location"] == "/departments/"
    org.requester.refresh_from_db()
    assert org.requester.language == "en"
    assert "Department directory" in client.get("/departments/").content.decode()
    # Remembered on the person: a new browser with a Chinese Accept-Language still gets English.
    fresh = client.__class__()
    login(fresh, org.requester)
    assert "Department directory" in fresh.get("/departments/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    # And back.
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/departments/"})
    assert "部门目录" in client.get("/departments/").content.decode()


def test_language_switch_ignores_unknown_language(client, org):
    login(client, org.requester)
    response = client.post(reverse("set_language"), {"language": "xx", "next": "/"})
    assert response.status_code == 302
    org.requester.refresh_from_db()
    assert org.requester.language == ""


def test_the_language_chosen_on_the_login_page_is_kept_on_the_profile(client, org):
    """Notifications follow the profile's language, so the choice made before signing in counts."""
    client.post(reverse("set_language"), {"language": "en", "next": "/accounts/login/"})
    response = client.post(reverse("login"), {"username": "requester", "password": org.password})
    assert response.status_code == 302
    org.requester.refresh_from_db()
    assert org.requester.language == "en"
    # Without a choice on this browser, signing in leaves the profile as it is.
    fresh = client.__class__()
    fresh.post(reverse("login"), {"username": "requester", "password": org.password})
    org.requester.refresh_from_db()
    assert org.requester.language == "en"


def test_language_switch_works_anonymously(client, db):
    client.post(reverse("set_language"), {"language": "en", "next": "/accounts/login/"})
    assert "Log in to Collab Portal" in client.get(reverse("login")).content.decode()


@pytest.mark.parametrize("role", ["requester", "sales_head", "leader", "outsider"])
def test_admin_is_for_admins_only(client, org, role):
    login(client, getattr(org, role))
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert client.get("/admin/departments/department/").status_code == 302


def test_admin_sees_the_organisation(client, org):
    login(client, org.admin)
    for url in (
        "/admin/",
        "/admin/departments/department/",
        "/admin/departments/user/",
        "/admin/departments/membership/",
        "/admin/departments/delegation/",
        "/admin/departments/calendarday/",
        "/admin/departments/workcalendar/",
        "/admin/departments/skill/",
        f"/admin/departments/department/{org.sales.pk}/change/",
        f"/admin/departments/user/{org.requester.pk}/change/",
    ):
        assert client.get(url).status_code == 200, url
