from django.http import HttpResponse
from django.urls import path

from collab_portal.urls import urlpatterns as portal


def ceiling(request):
    """Through every middleware, no database: the most requests per second this server can answer."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/ceiling/", ceiling, name="bench_ceiling"), *portal]
