"""Browsers ask every new tab for /favicon.ico: it leads to the icon in static/, which pages link."""

import pytest
from django.contrib.staticfiles import finders

from tests.conftest import login

pytestmark = pytest.mark.django_db


def test_favicon_ico_leads_to_the_static_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"] == "/static/favicon.ico"
    with open(finders.find("favicon.ico"), "rb") as icon:
        assert icon.read(4) == b"\x00\x00\x01\x00"  # an ICO file's header


def test_pages_link_the_icon(client, org):
    assert '<link rel="icon" href="/static/favicon.ico"' in client.get("/accounts/login/").content.decode()
    login(client, org.requester)
    assert '<link rel="icon" href="/static/favicon.ico"' in client.get("/").content.decode()
