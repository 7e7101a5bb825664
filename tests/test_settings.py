"""Settings come from the environment and fail loudly, naming the variable."""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from collab_portal.settings import envbool, envbroker, envdatabase, envint, envlist, envtimezone

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "a-long-random-production-secret-key-9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1",
    "ALLOWED_HOSTS": "portal.example.com",
    "DATABASE_URL": "postgres://portal:secret@db:5432/portal",
    "REDIS_URL": "redis://redis:6379/0",
}


def run_manage(env_changes: dict, *args: str) -> subprocess.CompletedProcess:
    env = {
        k: v for k, v in os.environ.items() if k not in PRODUCTION and k not in ("HTTPS_ONLY", "DJANGO_SETTINGS_MODULE")
    }
    env.update(env_changes)
    env["DJANGO_SETTINGS_MODULE"] = "collab_portal.settings"
    env["VAR_DIR"] = tempfile.mkdtemp(prefix="collab-portal-settings-")  # no var/secret_key to fall back on
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("true", True),
        ("1", True),
        ("YES", True),
        ("on", True),
        ("false", False),
        ("0", False),
        ("no", False),
        ("", False),
    ],
)
def test_envbool_accepts(monkeypatch, raw, expected):
    monkeypatch.setenv("SOME_FLAG", raw)
    assert envbool("SOME_FLAG", not expected) is expected


def test_envbool_default(monkeypatch):
    monkeypatch.delenv("SOME_FLAG", raising=False)
    assert envbool("SOME_FLAG", True) is True


def test_envbool_refuses_maybe(monkeypatch):
    monkeypatch.setenv("DEBUG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="DEBUG"):
        envbool("DEBUG", False)


def test_envint(monkeypatch):
    monkeypatch.setenv("EMAIL_PORT", "587")
    assert envint("EMAIL_PORT", 25) == 587
    monkeypatch.setenv("EMAIL_PORT", "lots")
    with pytest.raises(ImproperlyConfigured, match="EMAIL_PORT"):
        envint("EMAIL_PORT", 25)
    monkeypatch.setenv("EMAIL_PORT", "0")
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        envint("EMAIL_PORT", 25, minimum=1)


def test_envlist(monkeypatch):
    monkeypatch.setenv("ALLOWED_HOSTS", " a.example.com, ,b.example.com ")
    assert envlist("ALLOWED_HOSTS", []) == ["a.example.com", "b.example.com"]


@pytest.mark.parametrize("raw", ["nonsense", "http://example.com/db", "postgres://"])
def test_envdatabase_refuses(monkeypatch, raw):
    monkeypatch.setenv("DATABASE_URL", raw)
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        envdatabase("DATABASE_URL", "sqlite:///x.sqlite3")


def test_envdatabase_accepts_postgres(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db:5432/portal")
    config = envdatabase("DATABASE_URL", "sqlite:///x.sqlite3")
    assert config["ENGINE"] == "django.db.backends.postgresql" and config["NAME"] == "portal"


def test_envbroker(monkeypatch):
    monkeypatch.setenv("REDIS_URL", "amqp://guest@localhost//")
    with pytest.raises(ImproperlyConfigured, match="REDIS_URL"):
        envbroker("REDIS_URL")
    monkeypatch.setenv("REDIS_URL", "redis://localhost:6379/1")
    assert envbroker("REDIS_URL") == "redis://localhost:6379/1"


def test_envtimezone(monkeypatch):
    monkeypatch.setenv("TIME_ZONE", "Mars/Olympus")
    with pytest.raises(ImproperlyConfigured, match="TIME_ZONE"):
        envtimezone("TIME_ZONE", "Asia/Shanghai")


@pytest.mark.parametrize(
    "bad, name",
    [
        ({"DEBUG": "maybe"}, "DEBUG"),
        ({"DATABASE_URL": "nonsense"}, "DATABASE_URL"),
        ({"REDIS_URL": "localhost:6379"}, "REDIS_URL"),
        ({"SECRET_KEY": ""}, "SECRET_KEY"),
        ({"MEDIA_STORAGE": "ftp"}, "MEDIA_STORAGE"),
        ({"MEDIA_STORAGE": "s3"}, "AWS_STORAGE_BUCKET_NAME"),
    ],
)
def test_start_up_stops_naming_the_variable(bad, name):
    result = run_manage({**PRODUCTION, **bad}, "check")
    assert result.returncode != 0
    assert name in result.stderr
    assert "ImproperlyConfigured" in result.stderr


def test_check_deploy_is_clean_with_production_variables():
    result = run_manage(PRODUCTION, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_debug_is_off_unless_asked():
    code = "from django.conf import settings; print(settings.DEBUG, settings.SECURE_SSL_REDIRECT, settings.SESSION_COOKIE_SECURE)"
    result = run_manage(PRODUCTION, "shell", "--no-imports", "-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True", "True"]


def test_postgresql_runs_without_server_side_cursors():
    """PgBouncer in transaction mode (the operations guide) cannot carry a server-side cursor."""
    code = "from django.conf import settings; print(settings.DATABASES['default']['DISABLE_SERVER_SIDE_CURSORS'])"
    result = run_manage(PRODUCTION, "shell", "--no-imports", "-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True"]


def test_the_embedded_default_reads_its_generated_key(tmp_path):
    (tmp_path / "secret_key").write_text("generated-key-for-this-installation-0123456789abcdef\n")
    code = "from django.conf import settings; print(settings.SECRET_KEY)"
    env = {k: v for k, v in os.environ.items() if k not in PRODUCTION and k not in ("SECRET_KEY", "VAR_DIR")}
    env.update({"DJANGO_SETTINGS_MODULE": "collab_portal.settings", "VAR_DIR": str(tmp_path), "HTTPS_ONLY": "false"})
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "generated-key-for-this-installation-0123456789abcdef"


def test_media_storage_is_chosen_by_the_environment_alone():
    code = (
        'from django.core.files.storage import storages; s = storages["default"]; '
        "print(type(s).__name__, s.bucket_name, s.endpoint_url, s.file_overwrite, s.default_acl)"
    )
    s3 = {
        "MEDIA_STORAGE": "s3",
        "AWS_STORAGE_BUCKET_NAME": "portal-media",
        "AWS_S3_ENDPOINT_URL": "http://10.0.0.5:9000",
        "AWS_ACCESS_KEY_ID": "portal",
        "AWS_SECRET_ACCESS_KEY": "secret",
    }
    result = run_manage({**PRODUCTION, **s3}, "shell", "--no-imports", "-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["S3Storage", "portal-media", "http://10.0.0.5:9000", "False", "None"]
    shared = {"MEDIA_ROOT": "/mnt/shared/media"}
    code = (
        'from django.core.files.storage import storages; s = storages["default"]; print(type(s).__name__, s.location)'
    )
    result = run_manage({**PRODUCTION, **shared}, "shell", "--no-imports", "-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["FileSystemStorage", "/mnt/shared/media"]
