"""Settings for the test suite: the real settings, read from the environment,
with fast hashing and eager Celery. DATABASE_URL and REDIS_URL still choose
PostgreSQL and Redis when set (CI), SQLite and the filesystem broker when not."""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-not-used-anywhere-else-0123456789")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("HTTPS_ONLY", "false")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("VAR_DIR", tempfile.mkdtemp(prefix="collab-portal-tests-"))

from collab_portal.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}, "fragments": FRAGMENT_CACHE}  # noqa: F405
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
STATIC_ROOT = VAR_DIR / "static"  # noqa: F405
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
# LibreOffice takes a few seconds a file: only the tests about PDFs (tests/documents/test_pdf.py) turn it on.
PDF_CONVERSION = False

# A file, not memory, for the SQLite test database, so that real worker
# processes started by the tests can open it too.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}  # noqa: F405
