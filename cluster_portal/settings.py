"""The portal's one settings module. Everything that differs between machines comes from the
environment (or a `.env` file beside manage.py); the defaults are the embedded set-up: SQLite,
local files, local-memory cache, console e-mail and SMS."""

import hashlib
import hmac
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set in the environment when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-never-use-in-production-0123456789abcdef"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Demo accounts have well-known passwords: only a development or test machine may seed them.
ALLOW_DEMO_SEED = env.bool("ALLOW_DEMO_SEED", default=DEBUG)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django.forms",
    "axes",
    "django_ratelimit",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # Django's Tasks API (the backport; built into Django 6 as django.tasks) with its queue in
    # the portal's own database. Workers: `manage.py db_worker`.
    "django_tasks",
    "django_tasks_db",
    "core",
    "catalogue",
    "news",
    "members",
    "pricing",
    "events",
    "permits",
    "showcase",
    "programmes",
    "estate",
    "market",
    "packaging",
    "plan",
    "cluster_portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files with far-future caching and precompressed gzip (collectstatic makes them).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    # An unchanged Q&A poll is answered here, before sessions and users load (events/middleware.py).
    "events.middleware.QaPollMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Cache-Control: private, no-store on whatever may be personal (cluster_portal/middleware.py).
    "core.middleware.PrivateCacheMiddleware",
    "core.middleware.CookieLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's, with the signed-in user's row from the shared cache (core/auth_cache.py).
    "core.auth_cache.AuthenticationMiddleware",
    "core.middleware.SessionTimeoutMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "members.twofactor.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A signed-in user's write request renews their cached dashboard (members/dashboard_cache.py).
    "members.dashboard_cache.DashboardWriteMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Persian digits in the text of admin pages in fa (cluster_portal/admin_display.py).
    "core.admin_display.AdminPersianDigitsMiddleware",
    "axes.middleware.AxesMiddleware",
    # A request over a rate limit gets the translated 429 page (RATELIMIT_VIEW), not a 403.
    "django_ratelimit.middleware.RatelimitMiddleware",
    # Last, so that its process_exception runs first: a database that is down gives a 503 page.
    "core.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "cluster_portal.urls"
WSGI_APPLICATION = "cluster_portal.wsgi.application"

TEMPLATES = [
    {
        # Django's, with {% url %} and {% translate %} remembering what they rendered.
        "BACKEND": "core.template_backend.PortalTemplates",
        "NAME": "django",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "cluster_portal.context_processors.portal",
            ],
            "builtins": ["core.templatetags.persian"],
        },
    }
]

FORM_RENDERER = "core.forms.PortalFormRenderer"

# --- Data -----------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A page never waits long on a database that has gone away: it answers 503 instead.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 2)
    # Values sent apart from the SQL (server-side binding), and psycopg's prepared statements
    # (Django turns them off unless asked): a statement a connection has run five times is
    # prepared, and PostgreSQL no longer parses and plans it on each run. A member dashboard on a
    # miss cost PostgreSQL 6 ms of CPU for its 18 statements, 2.5 ms of it planning them, and
    # 2.2 ms with them prepared (docs/operations.md). Behind a pooler in transaction mode that
    # cannot keep prepared statements, set DATABASE_PREPARED_STATEMENTS=false.
    if env.bool("DATABASE_PREPARED_STATEMENTS", default=True):
        DATABASES["default"]["OPTIONS"].update(server_side_binding=True, prepare_threshold=5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "members.User"


def _deployment_id(database: dict, secret: str) -> str:
    """Names this deployment: its database (engine, host, port, name) signed with its secret
    key. Two portals sharing one Redis, or one browser host, never share a cache key or a
    cookie name unless both their database and their secret are the same."""
    identity = "|".join(str(database.get(key) or "") for key in ("ENGINE", "HOST", "PORT", "NAME"))
    return hmac.new(secret.encode(), identity.encode(), hashlib.sha256).hexdigest()[:12]


DEPLOYMENT_ID = _deployment_id(DATABASES["default"], SECRET_KEY)
# Every cache key (cached pages and fragments, sessions, sign-in lockouts, rate limits) starts
# with this; set CACHE_KEY_PREFIX to keep caches and sessions across a change of secret key.
CACHE_KEY_PREFIX = env.str("CACHE_KEY_PREFIX", default=f"portal-{DEPLOYMENT_ID}")
# Browsers send a host's cookies to every port of it: two portals on one host (staging beside
# production, two clusters behind one name) must not overwrite each other's session.
SESSION_COOKIE_NAME = env.str("SESSION_COOKIE_NAME", default=f"portal_session_{DEPLOYMENT_ID[:8]}")
CSRF_COOKIE_NAME = env.str("CSRF_COOKIE_NAME", default=f"portal_csrf_{DEPLOYMENT_ID[:8]}")

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            "OPTIONS": {
                "SOCKET_CONNECT_TIMEOUT": 1,
                "SOCKET_TIMEOUT": 1,
            },
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "KEY_PREFIX": CACHE_KEY_PREFIX}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"
    AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
    # The local-memory cache counts rate limits per process: right for one server (the embedded
    # default); set REDIS_URL when running several.
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]

# Whether every process of the portal (app servers, db_worker) reads and writes one cache: what
# must be right at every moment may be kept in the cache between requests only then (a bump in
# one process must reach all). The verification page (/v/<code>/) keeps its verdicts there and
# counts scans there, only with it; without Redis (the embedded default: one cache per process)
# it reads and writes the database on every scan.
SHARED_CACHE = bool(REDIS_URL)
# With the shared cache, a box code's scans wait in it and are written to the database by a
# background task at most this many seconds after the first of them (showcase.services.
# box_code_scan_count); 0 writes every scan at once.
SCAN_FLUSH_SECONDS = env.int("SCAN_FLUSH_SECONDS", default=60)

# Off: every cached page and fragment (dashboard, directory, permits dashboard, Q&A, showcase) is
# rendered afresh and stored as usual, but never read back: what `make bench` measures as a
# cache miss. Leave it on in production.
PAGE_CACHE_READS = env.bool("PAGE_CACHE_READS", default=True)

# --- Users and sign-in ----------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "members.auth.PhoneCodeBackend",  # sign-in by SMS code (credentials: username, sms_token)
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 60 * 60 * 2
if env.bool("FAST_PASSWORD_HASHER", default=False):  # test runs only: hashing is deliberately slow
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Five failures for one mobile number from one address lock that pair for 15 minutes.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "members.auth.axes_username"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
PROXY_COUNT = env.int("PROXY_COUNT", default=0)  # trusted reverse proxies in front of the app
AXES_IPWARE_PROXY_COUNT = PROXY_COUNT
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
AXES_VERBOSE = True
# Sign-in records keep the posted form: never the number in clear, the password or an SMS code.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "password", "code"]

# Rate limits count in the default cache (Redis when configured: shared by every app server).
RATELIMIT_VIEW = "core.ratelimits.ratelimited"
RATELIMIT_ENABLE = env.bool("RATELIMIT_ENABLE", default=True)
RATELIMIT_IP_META_KEY = "core.ratelimits.client_ip"

# Two-step sign-in (members/twofactor/): required for estates staff, the union head and
# superusers; optional for members.
TWO_FACTOR_REQUIRED = True
OTP_TOTP_ISSUER = "Qazvin Sweets Cluster"
OTP_TOTP_THROTTLE_FACTOR = 1

# Sessions end after a bounded idle time and a bounded total time, shorter for staff.
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=60 * 60 * 2)
SESSION_ABSOLUTE_TIMEOUT = env.int("SESSION_ABSOLUTE_TIMEOUT", default=60 * 60 * 12)
STAFF_SESSION_IDLE_TIMEOUT = env.int("STAFF_SESSION_IDLE_TIMEOUT", default=60 * 30)
STAFF_SESSION_ABSOLUTE_TIMEOUT = env.int("STAFF_SESSION_ABSOLUTE_TIMEOUT", default=60 * 60 * 8)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"

# --- Language, time, formats ----------------------------------------------------------------
LANGUAGE_CODE = "fa"
LANGUAGES = [("fa", "فارسی"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Tehran"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["core.formats"]

# --- Static and media -----------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# Private files (permit scans) never sit under MEDIA_URL: an authorised view serves them.
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=BASE_DIR / "private_media")
MEDIA_BACKEND = env.str("MEDIA_BACKEND", default="local")  # local | s3
if MEDIA_BACKEND == "s3":
    _s3 = {
        "bucket_name": env.str("AWS_STORAGE_BUCKET_NAME"),
        "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default=None),
        "access_key": env.str("AWS_ACCESS_KEY_ID", default=None),
        "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default=None),
        "file_overwrite": False,
        "default_acl": "private",
        "querystring_auth": True,
    }
    STORAGES = {
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {**_s3}},
        "private": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {**_s3, "location": "private"},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
else:
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
# Production: hashed, gzip-precompressed static files that `collectstatic` writes and whitenoise
# serves with far-future caching. Development and tests read the source folders (no collectstatic).
STATIC_MANIFEST = env.bool("STATIC_MANIFEST", default=not DEBUG)
if STATIC_MANIFEST:
    STORAGES["staticfiles"] = {
        "BACKEND": "core.staticfiles.PortalStaticFilesStorage",
        # Readable by the web server that may serve STATIC_ROOT (uploads stay 0640).
        "OPTIONS": {"file_permissions_mode": 0o644, "directory_permissions_mode": 0o755},
    }
else:
    WHITENOISE_AUTOREFRESH = True
    WHITENOISE_USE_FINDERS = True
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o640

# --- E-mail and SMS -------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="portal@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
SMS_BACKEND = env.str("SMS_BACKEND", default="core.sms.ConsoleSmsBackend")
SMS_API_URL = env.str("SMS_API_URL", default="")
SMS_API_KEY = env.str("SMS_API_KEY", default="")
SMS_SENDER = env.str("SMS_SENDER", default="")
SMS_TIMEOUT = env.float("SMS_TIMEOUT", default=10)
STAFF_NOTIFY_EMAILS = env.list("STAFF_NOTIFY_EMAILS", default=[])
# The estates staff's group (members.roles.ESTATES_STAFF): told by `core.notifications.notify_staff`,
# and the group the platform's staff-only admin pages admit.
ESTATES_STAFF_GROUP = "estates_staff"

EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)

# --- Background work ------------------------------------------------------------------------
# E-mail and SMS are sent by tasks (cluster_portal/notifications.py), run by `manage.py
# db_worker` processes from a queue in the portal's own database (SQLite or PostgreSQL): as many
# workers as wanted, on any machine that reaches the database. TASKS_BACKEND is for tests
# (the immediate backend runs each task at once, in the process that queues it).
TASKS = {
    "default": {
        "BACKEND": env.str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
# A failed send is tried again after NOTIFICATION_RETRY_SECONDS, then 4× longer each time, at
# most NOTIFICATION_MAX_TRIES tries in all. A send claimed longer ago than
# NOTIFICATION_SENDING_TIMEOUT was interrupted (see `manage.py requeue_deliveries`).
NOTIFICATION_MAX_TRIES = env.int("NOTIFICATION_MAX_TRIES", default=5)
NOTIFICATION_RETRY_SECONDS = env.float("NOTIFICATION_RETRY_SECONDS", default=30)
NOTIFICATION_SENDING_TIMEOUT = env.int("NOTIFICATION_SENDING_TIMEOUT", default=600)

# --- Membership years (members.services) ----------------------------------------------------
# A membership runs a (Jalali) year from approval or renewal. Its users are reminded
# MEMBERSHIP_REMINDER_DAYS days before it ends (once each); MEMBERSHIP_GRACE_DAYS after the end
# an unrenewed member lapses by itself (`manage.py check_membership_years`, daily). Staff may
# record a renewal once the current year ends within MEMBERSHIP_RENEWAL_OPEN_DAYS.
MEMBERSHIP_GRACE_DAYS = env.int("MEMBERSHIP_GRACE_DAYS", default=30)
MEMBERSHIP_REMINDER_DAYS = [int(days) for days in env.list("MEMBERSHIP_REMINDER_DAYS", default=["30", "7"])]
MEMBERSHIP_RENEWAL_OPEN_DAYS = env.int("MEMBERSHIP_RENEWAL_OPEN_DAYS", default=90)

# --- Security headers -----------------------------------------------------------------------
HTTPS = env.bool("HTTPS", default=not DEBUG)
SECURE_SSL_REDIRECT = HTTPS and env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
if env.bool("BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- Logging: failures and lockouts are logged; never passwords or codes --------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "axes": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "INFO"},
    },
}

PORTAL_NAME = _("Qazvin Traditional-Sweets Cluster")
