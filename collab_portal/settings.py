"""Collab Portal settings: environment only (DESIGN §3).

Every value comes from an environment variable documented in README.md. The
helpers below fail loudly, naming the variable, when a value is malformed, so
a typo stops start-up instead of running with a surprise default.
"""

import os
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def envbool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean: use one of true/false, yes/no, on/off, 1/0.")


def envint(name: str, default: int | None, *, minimum: int | None = None) -> int | None:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={raw!r} must be at least {minimum}.")
    return value


def envlist(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def envdatabase(name: str, default: str) -> dict:
    raw = os.environ.get(name) or default
    try:
        config = dj_database_url.parse(raw, conn_max_age=envint("DATABASE_CONN_MAX_AGE", 60, minimum=0))
    except Exception as exc:  # noqa: BLE001 - dj-database-url raises several types for a bad URL
        raise ImproperlyConfigured(f"{name}={raw!r} is not a database URL ({exc}).") from None
    if not config.get("ENGINE"):
        raise ImproperlyConfigured(f"{name}={raw!r} is not a database URL (unknown scheme).")
    if config["ENGINE"] != "django.db.backends.sqlite3" and not config.get("NAME"):
        raise ImproperlyConfigured(f"{name}={raw!r} names no database.")
    return config


def envbroker(name: str) -> str | None:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return None
    if not raw.startswith(("redis://", "rediss://")):
        raise ImproperlyConfigured(f"{name}={raw!r} is not a Redis URL (redis://host:port/db).")
    return raw


def envtimezone(name: str, default: str) -> str:
    raw = os.environ.get(name) or default
    try:
        ZoneInfo(raw)
    except (ZoneInfoNotFoundError, ValueError):
        raise ImproperlyConfigured(f"{name}={raw!r} is not a known time zone (e.g. Asia/Shanghai).") from None
    return raw


DEBUG = envbool("DEBUG", False)


ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["localhost", "127.0.0.1"] + (["*"] if DEBUG else []))
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])

# Where the embedded default keeps its database, broker folders and media.
VAR_DIR = Path(os.environ.get("VAR_DIR") or BASE_DIR / "var")

# The key comes from the environment; the embedded default (make install / make run) keeps a
# generated one in var/secret_key. Anywhere else a missing key stops start-up.
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY and (VAR_DIR / "secret_key").is_file():
    SECRET_KEY = (VAR_DIR / "secret_key").read_text().strip()
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY is not set; it is required unless DEBUG=true.")
    SECRET_KEY = "insecure-development-key-only-used-with-debug"  # noqa: S105

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "rules.apps.AutodiscoverRulesConfig",
    "collab_portal",
    "core",
    "departments",
    "notifications",
    "teams",
    "tasks",
    "documents",
    "conflicts",
    "reports",
    "webhooks",
    "api",
    "handover",
    "imports",
    "deptadmin",
    "catalogue",
    "retention",
    "accounts",
    "simple_history",
    "confighistory",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # Outside the production apps, installed for their commands: seed_demo, bench.
    "demo",
    "bench",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "collab_portal.health.HealthCheckMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.request_cache.RequestCacheMiddleware",
    "departments.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.twostep.SecondStepMiddleware",
    # Who changed the configuration: the signed-in person of the request, on every history row.
    "simple_history.middleware.HistoryRequestMiddleware",
    "collab_portal.middleware.NulPathMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "collab_portal.urls"
WSGI_APPLICATION = "collab_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "notifications.context_processors.bell",
            ],
        },
    },
]

# Form widgets from the project's template settings, so that a widget's template may live in templates/.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

DATABASES = {"default": envdatabase("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share the file: wait for a lock rather than fail.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
else:
    # No server-side cursors: PgBouncer in transaction mode (docs/operations.md) cannot carry them,
    # and Django opens one for every <select> of a model form field (DECLARE, FETCH, CLOSE: three
    # round trips where one query does).
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "departments.User"

# Sign-in (accounts/): passwords kept here, and, when their variables are set, the organisation's
# LDAP / Active Directory and an OpenID Connect provider (docs/operations.md, "Single sign-on").
# PASSWORD_LOGIN=admins-only keeps passwords kept here for superusers and staff alone.
# Department administrators: whom admins named on each department, plus the head and deputies
# unless the organisation turns this off.
DEPARTMENT_HEADS_ADMINISTER = envbool("DEPARTMENT_HEADS_ADMINISTER", True)

PASSWORD_LOGIN = os.environ.get("PASSWORD_LOGIN", "all").strip().lower() or "all"
if PASSWORD_LOGIN not in {"all", "admins-only"}:
    raise ImproperlyConfigured(f"PASSWORD_LOGIN={PASSWORD_LOGIN!r} is neither 'all' nor 'admins-only'.")
# Two-step verification (TOTP, django-otp): anyone may turn it on for themselves on their profile;
# OTP_REQUIRED_FOR=admins,signers makes it required for superusers and staff and for those who sign
# off documents. Sign-ins through the OpenID provider leave the second step to the provider.
OTP_REQUIRED_FOR = {part.strip().lower() for part in os.environ.get("OTP_REQUIRED_FOR", "").split(",") if part.strip()}
if OTP_REQUIRED_FOR - {"admins", "signers"}:
    raise ImproperlyConfigured(f"OTP_REQUIRED_FOR names {sorted(OTP_REQUIRED_FOR)}: only admins and signers are known.")
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "Collab Portal")

# LDAP / Active Directory (django-auth-ldap at sign-in, manage.py sync_directory for the organisation).
LDAP_SERVER_URI = os.environ.get("LDAP_SERVER_URI", "").strip()
LDAP_BIND_DN = os.environ.get("LDAP_BIND_DN", "")
LDAP_BIND_PASSWORD = os.environ.get("LDAP_BIND_PASSWORD", "")
LDAP_START_TLS = envbool("LDAP_START_TLS", False)
LDAP_CA_CERT_FILE = os.environ.get("LDAP_CA_CERT_FILE", "")
LDAP_TIMEOUT_SECONDS = envint("LDAP_TIMEOUT_SECONDS", 10, minimum=1)
# The sync reads the directory in pages of this many entries (RFC 2696): Active Directory answers at
# most 1,000 entries to a search that does not page.
LDAP_PAGE_SIZE = envint("LDAP_PAGE_SIZE", 500, minimum=1)
LDAP_USER_BASE = os.environ.get("LDAP_USER_BASE", "")
LDAP_USER_FILTER = os.environ.get("LDAP_USER_FILTER", "(uid=%(user)s)")
LDAP_PEOPLE_FILTER = os.environ.get("LDAP_PEOPLE_FILTER", "(objectClass=inetOrgPerson)")
LDAP_DEPARTMENT_BASE = os.environ.get("LDAP_DEPARTMENT_BASE", "")
LDAP_DEPARTMENT_FILTER = os.environ.get("LDAP_DEPARTMENT_FILTER", "(objectClass=groupOfNames)")
LDAP_MANAGER_GROUP = os.environ.get("LDAP_MANAGER_GROUP", "")
LDAP_ATTRS = {
    "username": os.environ.get("LDAP_ATTR_USERNAME", "uid"),
    "uuid": os.environ.get("LDAP_ATTR_UUID", "entryUUID"),
    "email": os.environ.get("LDAP_ATTR_EMAIL", "mail"),
    "first_name": os.environ.get("LDAP_ATTR_FIRST_NAME", "givenName"),
    "last_name": os.environ.get("LDAP_ATTR_LAST_NAME", "sn"),
    "display_name": os.environ.get("LDAP_ATTR_DISPLAY_NAME", "displayName"),
    "employee_no": os.environ.get("LDAP_ATTR_EMPLOYEE_NO", "employeeNumber"),
    "title": os.environ.get("LDAP_ATTR_TITLE", "title"),
    "member": os.environ.get("LDAP_ATTR_MEMBER", "member"),
    "department_code": os.environ.get("LDAP_ATTR_DEPARTMENT_CODE", "cn"),
    "department_name": os.environ.get("LDAP_ATTR_DEPARTMENT_NAME", "description"),
    "department_name_en": os.environ.get("LDAP_ATTR_DEPARTMENT_NAME_EN", ""),
}
# The nightly sync (Celery beat) runs at this hour of the organisation's day when LDAP is configured.
LDAP_SYNC_HOUR = envint("LDAP_SYNC_HOUR", 2, minimum=0)
if LDAP_SYNC_HOUR > 23:
    raise ImproperlyConfigured(f"LDAP_SYNC_HOUR={LDAP_SYNC_HOUR} is not an hour of the day (0-23).")
LDAP_ENABLED = bool(LDAP_SERVER_URI and LDAP_USER_BASE)
if LDAP_ENABLED and not LDAP_DEPARTMENT_BASE:
    raise ImproperlyConfigured(
        "LDAP_SERVER_URI is set but LDAP_DEPARTMENT_BASE is not (where the department groups are)."
    )

# OpenID Connect (mozilla-django-oidc). The endpoints come from the provider's discovery document
# (OIDC_OP_DISCOVERY, its issuer URL) unless set one by one.
OIDC_PROVIDER_NAME = os.environ.get("OIDC_PROVIDER_NAME", "").strip()
OIDC_RP_CLIENT_ID = os.environ.get("OIDC_RP_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_RP_CLIENT_SECRET", "")
OIDC_OP_DISCOVERY = os.environ.get("OIDC_OP_DISCOVERY", "").strip()
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("OIDC_OP_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("OIDC_OP_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = os.environ.get("OIDC_OP_USER_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = os.environ.get("OIDC_OP_JWKS_ENDPOINT", "")
OIDC_OP_LOGOUT_ENDPOINT = os.environ.get("OIDC_OP_LOGOUT_ENDPOINT", "")
OIDC_RP_SIGN_ALGO = os.environ.get("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = os.environ.get("OIDC_RP_SCOPES", "openid email profile")
OIDC_CREATE_USER = envbool("OIDC_CREATE_USERS", True)
OIDC_USE_PKCE = envbool("OIDC_USE_PKCE", True)
OIDC_TIMEOUT = envint("OIDC_TIMEOUT_SECONDS", 10, minimum=1)
OIDC_STORE_ID_TOKEN = True  # sign-out hands it to the provider's end_session_endpoint
OIDC_CLAIMS = {
    "employee_no": os.environ.get("OIDC_CLAIM_EMPLOYEE_NO", "employee_number"),
    "department": os.environ.get("OIDC_CLAIM_DEPARTMENT", "department"),
    "role": os.environ.get("OIDC_CLAIM_ROLE", "role"),
    "title": os.environ.get("OIDC_CLAIM_TITLE", "job_title"),
}
# Values of the role claim (or of LDAP_MANAGER_GROUP membership) that make a person their department's manager.
OIDC_MANAGER_ROLES = envlist("OIDC_MANAGER_ROLES", ["manager"])
OIDC_ENABLED = bool(OIDC_RP_CLIENT_ID and (OIDC_OP_DISCOVERY or OIDC_OP_AUTHORIZATION_ENDPOINT))
if OIDC_ENABLED and not OIDC_PROVIDER_NAME:
    OIDC_PROVIDER_NAME = "OpenID Connect"
LOGIN_REDIRECT_URL_FAILURE = "/accounts/login/?sso=failed"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Off when unconfigured: each answers nothing then.
    "accounts.backends.DirectoryBackend",
    "accounts.backends.OpenIDBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Validates nothing: records each password change in the security audit trail.
    {"NAME": "accounts.audit.PasswordChangeRecorder"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling: after AXES_FAILURE_LIMIT failures for one username from
# one address, that pair is locked out for AXES_COOLOFF_MINUTES.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=envint("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_CALLABLE = "departments.views.login_locked_out"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# Internationalisation: Simplified Chinese first, English second.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
TIME_ZONE = envtimezone("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or VAR_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Media (uploads, generated .docx files): a folder (MEDIA_ROOT, which several web and worker hosts
# may share over NFS or the like) or an S3-compatible object store through django-storages, chosen
# by MEDIA_STORAGE; neither needs a code change (docs/operations.md, "Media storage").
MEDIA_STORAGE = os.environ.get("MEDIA_STORAGE", "filesystem").strip().lower() or "filesystem"
if MEDIA_STORAGE == "s3":
    AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")
    if not AWS_STORAGE_BUCKET_NAME:
        raise ImproperlyConfigured("MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME (the bucket's name).")
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            # Empty: boto3's own lookup (the instance's role, ~/.aws/credentials).
            "access_key": os.environ.get("AWS_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("AWS_SECRET_ACCESS_KEY") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            # MinIO, Ceph, a cloud's S3-compatible service: its address; empty for Amazon S3 itself.
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "location": os.environ.get("AWS_LOCATION", ""),
            "addressing_style": os.environ.get("AWS_S3_ADDRESSING_STYLE") or None,
            # Files are served through the portal (core.uploads.serve_upload, after the access
            # check), never by a public or signed link to the bucket; objects stay private.
            "default_acl": None,
            "querystring_auth": True,
            # Like the folder: a second file of the same name gets a new name, never replaces one.
            "file_overwrite": False,
        },
    }
elif MEDIA_STORAGE != "filesystem":
    raise ImproperlyConfigured(f"MEDIA_STORAGE={MEDIA_STORAGE!r} is not a media storage: use filesystem or s3.")

# Serve files straight from static/ when collectstatic has not been run (make run).
WHITENOISE_USE_FINDERS = envbool("WHITENOISE_USE_FINDERS", False)
if WHITENOISE_USE_FINDERS:
    STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"

# Request attachments: a size limit and the allowed file types.
ATTACHMENT_MAX_BYTES = envint("ATTACHMENT_MAX_MB", 20, minimum=1) * 1024 * 1024
ATTACHMENT_EXTENSIONS = envlist(
    "ATTACHMENT_EXTENSIONS",
    ["pdf", "docx", "xlsx", "pptx", "doc", "xls", "ppt", "txt", "csv", "png", "jpg", "jpeg", "gif", "zip", "ofd"],
)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Official documents and processing sheets also become PDFs on the worker, with LibreOffice
# (core/pdf.py); off, only the .docx is made.
PDF_CONVERSION = envbool("PDF_CONVERSION", True)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Email: console unless SMTP is configured.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Collab Portal <noreply@localhost>")

# Security. HTTPS_ONLY is on by default; `make run` turns it off for http://localhost.
HTTPS_ONLY = envbool("HTTPS_ONLY", not DEBUG)
SECURE_SSL_REDIRECT = HTTPS_ONLY
SESSION_COOKIE_SECURE = HTTPS_ONLY
CSRF_COOKIE_SECURE = HTTPS_ONLY
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000 if HTTPS_ONLY else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS_ONLY
SECURE_HSTS_PRELOAD = HTTPS_ONLY
SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]
if envbool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): only our own scripts and styles, never inline ones
# (templates carry no <script> without src, no <style>, no style=; tests/security checks it).
# data: images for Bootstrap's inline SVG icons (form controls, the navbar toggler).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        # pdf.js's worker on the preview page (core/previews.py), from our own static files.
        "worker-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Signing out (a form) ends the OpenID provider's session by a redirect to it, which the browser
# checks against form-action.
for _url in (OIDC_OP_DISCOVERY, OIDC_OP_LOGOUT_ENDPOINT, OIDC_OP_AUTHORIZATION_ENDPOINT):
    if OIDC_ENABLED and _url:
        _origin = "/".join(_url.split("/", 3)[:3])
        if _origin not in CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"]:
            CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"].append(_origin)

# Cache: Redis when configured (shared by every web node), else local memory.
REDIS_URL = envbroker("REDIS_URL")
if REDIS_URL:
    # A Redis that is down is a cache that misses (collab_portal/cache.py): pages go on from the
    # database. Short timeouts for the same reason as the broker's below.
    CACHES = {
        "default": {
            "BACKEND": "collab_portal.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Template fragments that depend only on the code, its translations and what the key names (the
# navigation: links, account menu): each process keeps its own, so they cost no round trip, and a
# deploy, which restarts the processes, starts them afresh. With DEBUG the development server reloads
# templates without restarting, so nothing is kept.
FRAGMENT_CACHE = {
    "BACKEND": "django.core.cache.backends.dummy.DummyCache"
    if DEBUG
    else "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "fragments",
}
CACHES["fragments"] = FRAGMENT_CACHE
# Sessions in the database, read through the cache when it is Redis (shared by every web process);
# a process's local memory would keep a signed-out session alive in the other processes.
SESSION_ENGINE = "collab_portal.sessions.cached_db" if REDIS_URL else "collab_portal.sessions.db"

# Celery: Redis when REDIS_URL is set, else kombu's filesystem transport under var/.
BROKER_DIR = VAR_DIR / "broker"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # visibility_timeout: a message a dead worker took (acks_late) comes back after this, not after
    # Redis's default hour. It must outlast the longest acks_late task (deliver_many, 600 s), or a
    # message would go to a second worker while the first still works on it; .docx jobs do not wait
    # for it, the sweep finds them stalled within a minute.
    # socket_connect_timeout: Redis is on the local network; a connect that takes longer is to a
    # host that is down, and a web request should learn that quickly (core/broker.py).
    CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 2, "visibility_timeout": 660}
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
    for _folder in ("queue", "processed", "control"):
        (BROKER_DIR / _folder).mkdir(parents=True, exist_ok=True)
CELERY_TASK_IGNORE_RESULT = True
# A web request never waits long on the broker: publishing fails fast and the outbox keeps the work.
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_CONNECTION_TIMEOUT = 0.5
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ALWAYS_EAGER = envbool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_TIMEZONE = TIME_ZONE

# The document register's ranked text search (PostgreSQL): the search index's, in the reports app.
DOCUMENT_TEXT_SEARCH = "reports.search.ranked_documents"

# The organisation's name, printed in official documents' red header (e.g. 某某公司销售部文件).
ORGANISATION_NAME = os.environ.get("ORGANISATION_NAME", "协作门户示范公司")

# Absolute links in e-mails and IM messages.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
# Decision links in e-mails and IM messages (approve, reject…) work this many days, once.
DECISION_LINK_DAYS = envint("DECISION_LINK_DAYS", 7, minimum=1)
# Personal work notices (notifications.workim): each platform's open API; tests point them at a local server.
IM_DINGTALK_API = os.environ.get("IM_DINGTALK_API", "https://oapi.dingtalk.com")
IM_WECOM_API = os.environ.get("IM_WECOM_API", "https://qyapi.weixin.qq.com")
IM_FEISHU_API = os.environ.get("IM_FEISHU_API", "https://open.feishu.cn")
# Reminders: how often the sweep runs, and when in-progress work counts as stale.
REMINDER_SWEEP_SECONDS = envint("REMINDER_SWEEP_SECONDS", 300, minimum=10)
STALE_WORKING_DAYS = envint("STALE_WORKING_DAYS", 3, minimum=1)
AUTO_CLOSE_VERIFICATION_DAYS = envint("AUTO_CLOSE_VERIFICATION_DAYS", 7, minimum=1)

# Retention (`manage.py retention`): years a closed request / an archived document is kept after the
# year it closed or was archived (a document's own "keep until" year wins); empty: kept for ever.
RETENTION_REQUEST_YEARS = envint("RETENTION_REQUEST_YEARS", None, minimum=1)
RETENTION_DOCUMENT_YEARS = envint("RETENTION_DOCUMENT_YEARS", None, minimum=1)
RETENTION_ARCHIVE_DIR = Path(os.environ.get("RETENTION_ARCHIVE_DIR") or VAR_DIR / "retention")

# Outgoing webhooks: the wait for a receiver's answer, the first retry's delay (doubling after
# each failure up to the maximum), attempts before a delivery is given up, and consecutive failed
# attempts after which an endpoint is paused and its owner told.
WEBHOOK_TIMEOUT_SECONDS = envint("WEBHOOK_TIMEOUT_SECONDS", 5, minimum=1)
WEBHOOK_RETRY_SECONDS = envint("WEBHOOK_RETRY_SECONDS", 30, minimum=1)
WEBHOOK_RETRY_MAX_SECONDS = envint("WEBHOOK_RETRY_MAX_SECONDS", 6 * 3600, minimum=1)
WEBHOOK_MAX_ATTEMPTS = envint("WEBHOOK_MAX_ATTEMPTS", 8, minimum=1)
WEBHOOK_PAUSE_AFTER_FAILURES = envint("WEBHOOK_PAUSE_AFTER_FAILURES", 20, minimum=1)

# /healthz/: the worker heartbeat must be younger than this.
HEARTBEAT_INTERVAL_SECONDS = envint("HEARTBEAT_INTERVAL_SECONDS", 30, minimum=1)
HEARTBEAT_MAX_AGE_SECONDS = envint("HEARTBEAT_MAX_AGE_SECONDS", 120, minimum=1)

# The REST API (/api/v1/, api/): tokens or the session, JSON errors, a request budget per token.
API_RATE = os.environ.get("API_RATE", "1200/min")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.BearerTokenAuthentication",
        # The browser's session (the docs page's "Try it out"), with Django's CSRF check on unsafe methods.
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.SignedInWithScope"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"api": API_RATE},
    # JSON only: DRF's browsable pages carry inline scripts the CSP refuses; /api/docs/ is the browsable part.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "UNICODE_JSON": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Collab Portal API",
    "DESCRIPTION": "Requests, documents, teams, conflicts and notifications, as the portal's pages show them.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["api.permissions.SignedInWithScope"],
    # Swagger UI from the drf-spectacular-sidecar package's static files: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
