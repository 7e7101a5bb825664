"""Two-step verification: an authenticator app's code after the password, turned on by the person
or required for admins and signers (OTP_REQUIRED_FOR); the pages owe nothing to the database."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import twostep

pytestmark = pytest.mark.django_db


def code_for(device: TOTPDevice, *, offset: int = 0) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset):06d}"


def sign_in(client, user, password):
    return client.post(reverse("login"), {"username": user.username, "password": password})


@pytest.fixture(autouse=True)
def english(client, settings):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # a wrong code slows the next try by seconds: not here


def turn_on(client, user, password) -> TOTPDevice:
    sign_in(client, user, password)
    page = client.get(reverse("two_step"))
    assert page.status_code == 200 and "Turn two-step verification on" in page.content.decode()
    qr = client.get(reverse("two_step_qr"))
    assert qr["Content-Type"] == "image/svg+xml" and b"<svg" in qr.content
    pending = TOTPDevice.objects.get(user=user, confirmed=False)
    refused = client.post(reverse("two_step"), {"action": "confirm", "code": "000000"})
    assert refused.status_code == 400 and "That code is not right" in refused.content.decode()
    response = client.post(reverse("two_step"), {"action": "confirm", "code": code_for(pending)})
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.confirmed
    return pending


def test_a_person_turns_it_on_and_each_sign_in_then_asks_for_the_code(client, org):
    device = turn_on(client, org.requester, org.password)
    client.post(reverse("logout"))
    sign_in(client, org.requester, org.password)
    # Every page leads to the code first.
    home = client.get(reverse("home"))
    assert home.status_code == 302 and home["Location"].startswith(reverse("two_step_verify"))
    assert client.get("/requests/").status_code == 302
    wrong = client.post(reverse("two_step_verify"), {"code": "123456", "next": "/requests/"})
    assert wrong.status_code == 400 and "That code is not right" in wrong.content.decode()
    # The code used to turn it on is spent: the app's next one.
    right = client.post(reverse("two_step_verify"), {"code": code_for(device, offset=1), "next": "/requests/"})
    assert right.status_code == 302 and right["Location"] == "/requests/"
    assert client.get(reverse("home")).status_code == 200
    # A code is good once: signing in again wants the next one.
    client.post(reverse("logout"))
    sign_in(client, org.requester, org.password)
    again = client.post(reverse("two_step_verify"), {"code": code_for(device, offset=1)})
    assert again.status_code == 400


def test_a_crafted_next_stays_on_the_portal(client, org):
    device = turn_on(client, org.requester, org.password)
    client.post(reverse("logout"))
    sign_in(client, org.requester, org.password)
    response = client.post(
        reverse("two_step_verify"), {"code": code_for(device, offset=1), "next": "https://evil.example.com/"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("home")


def test_turning_it_off_and_the_organisation_requiring_it(client, org, settings):
    turn_on(client, org.requester, org.password)
    client.post(reverse("two_step"), {"action": "off"})
    assert not TOTPDevice.objects.filter(user=org.requester).exists()
    # Required for admins: an admin without an authenticator is sent to set one up, and cannot turn it off.
    settings.OTP_REQUIRED_FOR = {"admins"}
    client.post(reverse("logout"))
    sign_in(client, org.admin, org.password)
    home = client.get(reverse("home"))
    assert home.status_code == 302 and home["Location"].startswith(reverse("two_step"))
    assert "requires two-step verification" in client.get(reverse("two_step")).content.decode()
    device = TOTPDevice.objects.get(user=org.admin, confirmed=False)
    client.post(reverse("two_step"), {"action": "confirm", "code": code_for(device)})
    assert client.get(reverse("home")).status_code == 200
    client.post(reverse("two_step"), {"action": "off"})
    assert TOTPDevice.objects.filter(user=org.admin, confirmed=True).exists()
    # A person who is neither admin nor signer is not asked.
    client.post(reverse("logout"))
    sign_in(client, org.sales_head, org.password)
    assert client.get(reverse("home")).status_code == 200


def test_signers_when_required_and_the_policy_helper(org, settings):
    settings.OTP_REQUIRED_FOR = {"signers"}
    assert twostep.required(org.leader) and not twostep.required(org.admin)
    settings.OTP_REQUIRED_FOR = set()
    assert not twostep.required(org.leader)


def test_a_page_asks_no_more_queries_with_two_step_on(client, org, django_assert_max_num_queries):
    """After the code, pages read nothing more than before: the owed code is a session flag."""
    sign_in(client, org.sales_head, org.password)
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as before:
        assert client.get(reverse("home")).status_code == 200
    queries = len(before)
    assert queries > 0
    client.post(reverse("logout"))
    device = turn_on(client, org.sales_head, org.password)
    assert device.confirmed
    with django_assert_max_num_queries(queries):
        assert client.get(reverse("home")).status_code == 200


def test_wrong_codes_slow_the_next_try_down(client, org, settings):
    device = turn_on(client, org.requester, org.password)
    settings.OTP_TOTP_THROTTLE_FACTOR = 1
    client.post(reverse("logout"))
    sign_in(client, org.requester, org.password)
    client.post(reverse("two_step_verify"), {"code": "111111"})
    throttled = client.post(reverse("two_step_verify"), {"code": code_for(device, offset=1)})
    assert throttled.status_code == 400 and "Too many wrong codes" in throttled.content.decode()
    assert client.get(reverse("home")).status_code == 302
