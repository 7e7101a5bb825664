"""StartTLS: against a slapd that refuses every operation outside TLS, the portal signs people in
and syncs only when LDAP_START_TLS is on and the server's certificate is trusted."""

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.models import DirectorySync
from departments.models import User
from tests.accounts import ldap_server

pytestmark = pytest.mark.django_db


@pytest.fixture
def over_tls(slapd_tls, settings):
    settings.LDAP_SERVER_URI = slapd_tls.uri
    settings.LDAP_BIND_DN = ldap_server.ADMIN_DN
    settings.LDAP_BIND_PASSWORD = ldap_server.ADMIN_PASSWORD
    settings.LDAP_USER_BASE = ldap_server.PEOPLE
    settings.LDAP_DEPARTMENT_BASE = ldap_server.DEPARTMENTS
    settings.LDAP_MANAGER_GROUP = ldap_server.MANAGERS
    settings.LDAP_ENABLED = True
    settings.LDAP_START_TLS = True
    settings.LDAP_CA_CERT_FILE = str(slapd_tls.certificate)
    return slapd_tls


def sign_in(client):
    return client.post(reverse("login"), {"username": "wang.fang", "password": ldap_server.PASSWORD})


def test_sign_in_and_sync_over_starttls(client, over_tls):
    assert sign_in(client).status_code == 302
    assert User.objects.get(username="wang.fang").primary_department.code == "sales"
    call_command("sync_directory")
    assert DirectorySync.objects.get().people_created == 3


def test_without_starttls_the_server_refuses(client, over_tls, settings):
    settings.LDAP_START_TLS = False
    assert sign_in(client).status_code == 200
    with pytest.raises(CommandError):
        call_command("sync_directory")
    assert not User.objects.exists()


def test_an_untrusted_certificate_is_refused(client, over_tls, settings):
    settings.LDAP_CA_CERT_FILE = str(over_tls.make_certificate("stranger"))
    assert sign_in(client).status_code == 200
    with pytest.raises(CommandError, match="cannot be read"):
        call_command("sync_directory")
    assert not User.objects.exists()
