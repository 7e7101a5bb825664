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


PROVIDER_PEOPLE = [
    {
        "username": "chen.jing",
        "email": "chen.jing@example.org",
        "first_name": "静",
        "last_name": "陈",
        "claims": {"employee_number": "E2001", "department": "purchasing", "role": "manager", "job_title": "采购经理"},
    },
    {
        "username": "liu.yang",
        "email": "liu.yang@example.org",
        "first_name": "洋",
        "last_name": "刘",
        "claims": {"employee_number": "E2002", "department": "sales", "role": "staff"},
    },
    {"username": "no.claims", "email": "no.claims@example.org", "first_name": "名", "last_name": "无"},
]


@pytest.fixture(scope="session")
def oidc_provider():
    from tests.accounts.oidc_provider import Provider

    provider = Provider().start()
    provider.setup(portal_urls=["http://testserver"], people=PROVIDER_PEOPLE)
    yield provider
    provider.stop()


@pytest.fixture
def oidc_configured(oidc_provider, settings):
    """The portal pointed at the test provider, as the OIDC_* environment variables would."""
    from tests.accounts.oidc_provider import CLIENT_ID, CLIENT_SECRET

    settings.OIDC_ENABLED = True
    settings.OIDC_PROVIDER_NAME = "Example SSO"
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_OP_DISCOVERY = oidc_provider.issuer
    settings.OIDC_RP_SCOPES = "openid email profile organisation"
    return oidc_provider


@pytest.fixture
def slapd_tls():
    """A slapd that refuses anything not protected by StartTLS."""
    if not ldap_server.available():
        pytest.skip("no slapd: `make ldap` installs it (apt-get install slapd ldap-utils)")
    server = ldap_server.Slapd().start(ldap_server.organisation(), tls=True)
    yield server
    server.stop()
