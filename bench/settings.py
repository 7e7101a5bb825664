"""The production settings, as `make bench` serves them under gunicorn, plus two things only the
benchmark needs: a trivial page (/bench/ceiling/) that gives the machine's ceiling, and a header
with the number of SQL queries each response took (X-Bench-Queries)."""

from collab_portal.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
MIDDLEWARE = ["bench.middleware.count_queries", *MIDDLEWARE]  # noqa: F405
