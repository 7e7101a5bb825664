"""Sign-in is configured by the environment alone: a bad value stops start-up naming it; a
configured provider and directory switch on the button, the CSP's form target and the nightly sync."""

import pytest

from tests.test_settings import PRODUCTION, run_manage

pytestmark = pytest.mark.slow

LDAP = {
    "LDAP_SERVER_URI": "ldap://dc1.example.com",
    "LDAP_USER_BASE": "ou=people,dc=example,dc=com",
    "LDAP_DEPARTMENT_BASE": "ou=departments,dc=example,dc=com",
}
OIDC = {
    "OIDC_PROVIDER_NAME": "Keycloak",
    "OIDC_RP_CLIENT_ID": "portal",
    "OIDC_RP_CLIENT_SECRET": "s3cret",
    "OIDC_OP_DISCOVERY": "https://sso.example.com/realms/org",
}


@pytest.mark.parametrize(
    "bad, name",
    [
        ({"PASSWORD_LOGIN": "nobody"}, "PASSWORD_LOGIN"),
        ({**LDAP, "LDAP_DEPARTMENT_BASE": ""}, "LDAP_DEPARTMENT_BASE"),
        ({**LDAP, "LDAP_SYNC_HOUR": "25"}, "LDAP_SYNC_HOUR"),
        ({"LDAP_START_TLS": "perhaps"}, "LDAP_START_TLS"),
        ({"OIDC_CREATE_USERS": "perhaps"}, "OIDC_CREATE_USERS"),
    ],
)
def test_start_up_stops_naming_the_variable(bad, name):
    result = run_manage({**PRODUCTION, **bad}, "check")
    assert result.returncode != 0
    assert name in result.stderr and "ImproperlyConfigured" in result.stderr


def _read(env: dict, expression: str) -> str:
    code = f"from django.conf import settings; from collab_portal.celery import _beat_schedule; print({expression})"
    result = run_manage({**PRODUCTION, **env}, "shell", "--no-imports", "-c", code)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_nothing_is_on_without_its_variables():
    assert _read({}, "settings.OIDC_ENABLED, settings.LDAP_ENABLED, 'directory-sync' in _beat_schedule()") == (
        "False False False"
    )


def test_a_configured_provider_and_directory():
    found = _read(
        {**LDAP, **OIDC, "OIDC_CREATE_USERS": "false", "PASSWORD_LOGIN": "admins-only"},
        "settings.OIDC_ENABLED, settings.OIDC_CREATE_USER, settings.LDAP_ENABLED, settings.PASSWORD_LOGIN, "
        "settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action'], "
        "_beat_schedule()['directory-sync']['schedule'].hour",
    )
    assert found == "True False True admins-only [\"'self'\", 'https://sso.example.com'] {2}"


def test_check_deploy_stays_clean_with_sign_in_configured():
    result = run_manage({**PRODUCTION, **LDAP, **OIDC}, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_nightly_sync_goes_through_run_periodic_with_a_day_for_its_period():
    """Beat sends every entry's arguments as JSON: the crontab entry names a number as its period."""
    found = _read(LDAP, "__import__('json').dumps(_beat_schedule()['directory-sync']['args'])")
    assert found == '["accounts.tasks.sync_directory_nightly", 86400.0]'
