"""GET /healthz/: is the database reachable, the broker reachable, a worker alive?

Answers JSON, 200 when every part is well and 503 naming the failing parts
otherwise. Each check is short and bounded so a dead dependency cannot hang
the load balancer's probe.
"""

from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_deny
from django.views.decorators.http import require_GET

HEARTBEAT_NAME = "worker"


def record_heartbeat() -> None:
    from collab_portal.models import Heartbeat

    Heartbeat.objects.update_or_create(name=HEARTBEAT_NAME, defaults={"beat_at": timezone.now()})


def check_database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return f"database unreachable: {exc.__class__.__name__}"
    return None


def check_broker() -> str | None:
    url = settings.CELERY_BROKER_URL
    if url.startswith(("redis://", "rediss://")):
        import redis

        from core.broker import Breaker

        if Breaker.is_open():  # a publish or a probe failed moments ago: no need to wait on it again
            return "broker unreachable: failed recently"
        options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
        try:
            client = redis.Redis.from_url(
                url, socket_connect_timeout=options.get("socket_connect_timeout", 0.5), socket_timeout=1
            )
            client.ping()
        except redis.RedisError as exc:
            Breaker.trip()
            return f"broker unreachable: {exc.__class__.__name__}"
        finally:
            try:
                client.close()
            except Exception:  # noqa: BLE001, S110 - closing a failed client is best effort
                pass
        return None
    if url.startswith("filesystem://"):
        import os

        folder = settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"]
        if not os.path.isdir(folder) or not os.access(folder, os.W_OK):
            return f"broker folder missing or read-only: {folder}"
        return None
    return f"broker transport not checked: {url.split(':', 1)[0]}"


def check_worker() -> str | None:
    from collab_portal.models import Heartbeat

    try:
        beat = Heartbeat.objects.filter(name=HEARTBEAT_NAME).values_list("beat_at", flat=True).first()
    except DatabaseError:
        return "worker heartbeat unreadable"
    if beat is None:
        return "no worker heartbeat yet"
    age = timezone.now() - beat
    if age > timedelta(seconds=settings.HEARTBEAT_MAX_AGE_SECONDS):
        return f"worker heartbeat is {int(age.total_seconds())} s old"
    return None


@never_cache
@xframe_options_deny  # answered ahead of XFrameOptionsMiddleware (HealthCheckMiddleware)
@require_GET
def healthz(request):
    checks = {"database": check_database(), "broker": check_broker()}
    checks["worker"] = check_worker() if checks["database"] is None else "database unreachable"
    failing = [name for name, problem in checks.items() if problem]
    body = {
        "status": "ok" if not failing else "fail",
        "checks": {name: {"ok": problem is None, "detail": problem or "ok"} for name, problem in checks.items()},
        "failing": failing,
    }
    return JsonResponse(body, status=200 if not failing else 503)


class HealthCheckMiddleware:
    """Answers /healthz/ before the session and the signed-in person are read, so a probe that
    carries a login cookie (a browser, a monitoring tool reusing one) still gets the 503 naming
    the database when the database is down, rather than the error of reading its session.

    It also answers whatever the Host header says (it runs before CommonMiddleware's
    ALLOWED_HOSTS check): container and load-balancer probes call the server by its address,
    not by the public name people use, and the answer reveals nothing a Host check protects."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == "/healthz/":
            return healthz(request)
        return self.get_response(request)
