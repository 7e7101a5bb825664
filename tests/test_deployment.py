"""docker-compose.yml cannot be run here (no Docker engine), so read it and
check that it describes what production needs."""

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def command_text(service: dict) -> str:
    command = service.get("command", "")
    return " ".join(command) if isinstance(command, list) else command


def test_services_present():
    assert set(compose()["services"]) == {"db", "redis", "web", "worker", "beat"}


def test_images_and_build():
    services = compose()["services"]
    assert services["db"]["image"].startswith("postgres:15")
    assert services["redis"]["image"].startswith("redis:7")
    for name in ("web", "worker", "beat"):
        assert services[name]["build"] == "."
    assert (ROOT / "Dockerfile").exists()


def test_commands():
    services = compose()["services"]
    web = command_text(services["web"])
    assert "migrate" in web and "gunicorn collab_portal.wsgi:application" in web and "0.0.0.0:8000" in web
    assert command_text(services["worker"]).startswith("celery -A collab_portal worker")
    assert command_text(services["beat"]).startswith("celery -A collab_portal beat")


def test_app_services_point_at_postgres_and_redis():
    for name in ("web", "worker", "beat"):
        service = compose()["services"][name]
        env = service["environment"]
        assert env["DATABASE_URL"].startswith("postgres://") and "@db:5432/" in env["DATABASE_URL"]
        assert env["REDIS_URL"] == "redis://redis:6379/0"
        assert service["depends_on"]["db"]["condition"] == "service_healthy"
        assert service["depends_on"]["redis"]["condition"] == "service_healthy"
        assert service["restart"] == "unless-stopped"


def test_health_checks():
    services = compose()["services"]
    for name in ("db", "redis", "web", "worker"):
        assert "test" in services[name]["healthcheck"], name
    assert "/healthz/" in " ".join(services["web"]["healthcheck"]["test"])
    assert "pg_isready" in services["db"]["healthcheck"]["test"][1]


def test_volumes_keep_data():
    document = compose()
    assert {"pgdata", "redisdata", "media"} <= set(document["volumes"])
    assert "pgdata:/var/lib/postgresql/data" in document["services"]["db"]["volumes"]
    assert "media:/app/var/media" in document["services"]["web"]["volumes"]
    assert "media:/app/var/media" in document["services"]["worker"]["volumes"]


def test_dockerfile_runs_as_unprivileged_user_and_collects_static():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert dockerfile.startswith("#") and "FROM python:3.11" in dockerfile
    assert "collectstatic" in dockerfile
    assert re.search(r"^USER portal$", dockerfile, re.M)


def test_every_environment_variable_is_documented():
    settings_source = (ROOT / "collab_portal" / "settings.py").read_text()
    names = set(re.findall(r'env(?:bool|int|list|database|broker|timezone)?\("([A-Z_]+)"', settings_source))
    names |= set(re.findall(r'os\.environ\.get\("([A-Z_]+)"', settings_source))
    readme = (ROOT / "README.md").read_text()
    missing = sorted(name for name in names if f"`{name}`" not in readme)
    assert names and not missing, f"README.md does not document: {missing}"


def _example_environment() -> dict:
    lines = (ROOT / ".env.example").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line.strip() and not line.startswith("#"))


@pytest.mark.django_db
def test_the_web_health_check_passes_with_the_example_environment(client, settings):
    """The web container probes itself by address, whatever ALLOWED_HOSTS names for people."""
    from urllib.parse import urlsplit

    from collab_portal.health import record_heartbeat

    probe = " ".join(compose()["services"]["web"]["healthcheck"]["test"])
    url = urlsplit(re.search(r"https?://[^'\" ]+", probe).group(0))
    env = _example_environment()
    settings.ALLOWED_HOSTS = env["ALLOWED_HOSTS"].split(",")
    settings.SECURE_SSL_REDIRECT = True  # HTTPS_ONLY's default in production
    record_heartbeat()
    assert client.get(url.path, HTTP_HOST=url.netloc, secure=url.scheme == "https").status_code == 200
    # Other pages keep Django's Host check.
    assert client.get("/accounts/login/", HTTP_HOST=url.netloc).status_code == 400
