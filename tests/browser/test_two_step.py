"""Two-step verification in chromium: a person turns it on from the account menu by scanning the
QR code (here: reading the key the page shows), signs out, and signing in again asks for the
authenticator's code before any page. Screenshots: test-artifacts/browser/two-step/<language>/."""

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TEXT = {
    "zh": {"on": "两步验证已开启", "title": "两步验证", "wrong": "验证码不正确"},
    "en": {"on": "Two-step verification is on", "title": "Two-step verification", "wrong": "That code is not right"},
}


def code_for(device, offset=0) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset):06d}"


@pytest.mark.parametrize("language", ["zh", "en"])
def test_turn_on_then_sign_in_with_the_code(browser_for, org, language, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    text = TEXT[language]
    b = browser_for(language, "two-step")
    b.login("requester", org.password)
    b.goto("/accounts/two-step/")
    assert text["title"] in b.page.inner_text("h1")
    # The QR code is an image the page loads (the CSP allows it) and the key is shown as text.
    assert b.page.eval_on_selector("img[src$='qr.svg']", "img => img.complete && img.naturalWidth > 0")
    key = b.page.inner_text("code").replace(" ", "")
    device = TOTPDevice.objects.get(user=org.requester, confirmed=False)
    assert key and key in __import__("base64").b32encode(device.bin_key).decode()
    b.shot("scan")
    b.page.fill("[name=code]", code_for(device))
    b.submit("main form:has([name=code]) button[type=submit]")
    assert text["on"] in b.page.content()
    b.shot("on")
    b.login("requester", org.password)  # lands on the code page, not the home page
    assert "/accounts/two-step/verify/" in b.page.url
    b.goto("/documents/")
    assert "/accounts/two-step/verify/" in b.page.url
    b.page.fill("[name=code]", "000000")
    b.submit("main form:has([name=code]) button[type=submit]")
    assert text["wrong"] in b.page.content()
    b.shot("wrong-code")
    b.page.fill("[name=code]", code_for(device, offset=1))
    b.submit("main form:has([name=code]) button[type=submit]")
    assert b.page.url.endswith("/documents/")
    b.shot("signed-in")
    # The wrong code's page answers 400, as every refused form does.
    assert [e for e in b.errors if not e.startswith("400 ")] == [], b.errors
