import pytest

from tests.accounts import ldap_server


@pytest.fixture
def slapd():
    if not ldap_server.available():
        pytest.skip("no slapd: `make ldap` installs it (apt-get install slapd ldap-utils)")
    server = ldap_server.Slapd().start(ldap_server.organisation())
    yield server
    server.stop()


@pytest.fixture
def ldap_configured(slapd, settings):
    """The portal pointed at the test directory, as the LDAP_* environment variables would."""
    settings.LDAP_SERVER_URI = slapd.uri
    settings.LDAP_BIND_DN = ldap_server.ADMIN_DN
    settings.LDAP_BIND_PASSWORD = ldap_server.ADMIN_PASSWORD
    settings.LDAP_USER_BASE = ldap_server.PEOPLE
    settings.LDAP_DEPARTMENT_BASE = ldap_server.DEPARTMENTS
    settings.LDAP_MANAGER_GROUP = ldap_server.MANAGERS
    settings.LDAP_ENABLED = True
    return slapd
