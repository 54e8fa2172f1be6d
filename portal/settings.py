"""Settings for the overseas IP dispute assistance portal.

Every value that differs between a developer's laptop and production comes from the
environment (django-environ). The defaults are safe for development: a SQLite file,
Celery tasks run in-process, e-mail printed to the console. With DEBUG off, SECRET_KEY
and ALLOWED_HOSTS must be given, and start-up stops with a message naming what is
missing or malformed.
"""

import secrets
import sys
from pathlib import Path

import environ
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from whitenoise.compress import Compressor

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()


def _read(name, cast, default):
    """Read one variable; a malformed value stops start-up naming the variable."""
    try:
        return cast(name, default=default)
    except (ValueError, TypeError, environ.ImproperlyConfigured) as exc:
        raise ImproperlyConfigured(f"Environment variable {name} is malformed: {exc}") from exc


_BOOLEANS = {"1": True, "true": True, "yes": True, "on": True, "0": False, "false": False, "no": False, "off": False}


def _strict_bool(name, default):
    raw = env.str(name, default="")
    if raw == "":
        return default
    if raw.lower() not in _BOOLEANS:
        raise ValueError(f"{raw!r} is not one of {', '.join(_BOOLEANS)}")
    return _BOOLEANS[raw.lower()]


def _database(name, default):
    config = env.db_url(name, default=default)
    if not config.get("ENGINE") or "://" not in env.str(name, default=default):
        raise ValueError("expected a URL such as postgres://user:password@host:5432/dbname or sqlite:///path")
    return config


DEBUG = _read("DEBUG", _strict_bool, False)

# Management commands that work on source files only and never serve a request or sign
# anything: they may run without the production secrets (in a fresh checkout, a build step).
# They get a random key that lives as long as the process.
OFFLINE_COMMANDS = {"makemigrations", "makemessages", "compilemessages", "collectstatic"}
_offline = len(sys.argv) > 1 and Path(sys.argv[0]).name == "manage.py" and sys.argv[1] in OFFLINE_COMMANDS

if DEBUG:
    SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-never-used-in-production")
elif _offline and not env.str("SECRET_KEY", default=""):
    SECRET_KEY = secrets.token_urlsafe(60)
else:
    SECRET_KEY = env.str("SECRET_KEY", default="")
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured(
            "Environment variable SECRET_KEY is required when DEBUG is off (50 or more random characters)."
        )

ALLOWED_HOSTS = _read("ALLOWED_HOSTS", env.list, ["127.0.0.1", "localhost"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS and not _offline:
    raise ImproperlyConfigured("Environment variable ALLOWED_HOSTS is required when DEBUG is off.")
CSRF_TRUSTED_ORIGINS = _read("CSRF_TRUSTED_ORIGINS", env.list, [])

# The public address of the portal, used in e-mails and in the verification QR codes
# printed on documents, where no request is at hand (scripts/run sets it to the address it
# serves). In production every process refuses to start while it is not an https address:
# no document may be issued whose QR code leads to a plain-http or development address.
# (A start-up error rather than a system check: gunicorn and Celery never run the checks.)
SITE_URL = _read("SITE_URL", env.str, "http://127.0.0.1:8000").rstrip("/")
if not DEBUG and not _offline and not SITE_URL.startswith("https://"):
    raise ImproperlyConfigured(
        f"Environment variable SITE_URL must be the portal's public https:// address when DEBUG is off "
        f"(it is printed in the QR codes of issued documents); got {SITE_URL!r}."
    )

INSTALLED_APPS = [
    "portal",
    "portal.admin_site.PortalAdminConfig",  # django.contrib.admin with the navigation kept a minute
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "import_export",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_prometheus",
    "documents",
    "applications",
    "cases",
    "experts",
    "meetings",
    "consultations",
    "knowledge",
    "enterprises",
    "reporting",
    "api",
    "demo",
]

MIDDLEWARE = [
    # Times each request from the first middleware to the last, for /metrics (django-prometheus).
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    # Answers the load balancer's /healthz before the Host check (probes come by IP address) and
    # gives every request an id that its log lines and the X-Request-ID response header carry.
    "portal.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Tells whether the session was verified with a second factor (request.user.is_verified()),
    # then sends a user who must use one, and has not yet, to enrolment or to the code step.
    "django_otp.middleware.OTPMiddleware",
    "portal.twofactor.middleware.TwoFactorMiddleware",
    # Gives the audit log the client's address for every entry written during the request.
    "portal.audit.AuditRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Sends the Content-Security-Policy header (CONTENT_SECURITY_POLICY below) on every response.
    "csp.middleware.CSPMiddleware",
    # Refuses a body over REQUEST_MAX_BODY_MB before any middleware or view reads it.
    "portal.middleware.RequestBodyLimitMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
    # AxesMiddleware must be last: it turns a locked-out login into a clear page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "portal.context_processors.portal",
            ],
        },
    },
]

WSGI_APPLICATION = "portal.wsgi.application"
ASGI_APPLICATION = "portal.asgi.application"

DATABASES = {
    "default": _read("DATABASE_URL", _database, f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# DATABASE_POOLER=pgbouncer: DATABASE_URL names a PgBouncer in transaction pooling mode. Each
# transaction may then run on another server connection, so nothing may outlive one: no server-side
# cursors (Django's iterator() over a named cursor), no session settings sent at connection start.
DATABASE_POOLER = _read("DATABASE_POOLER", env.str, "")
if DATABASE_POOLER not in ("", "pgbouncer"):
    raise ImproperlyConfigured("Environment variable DATABASE_POOLER must be empty or pgbouncer.")
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    if DATABASE_POOLER:
        DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    else:
        # JIT compilation cost the statistics' aggregates 0.5–1.7 s a query and saves nothing on this
        # scale. (Behind PgBouncer, set it on the database instead: ALTER DATABASE … SET jit = off.)
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DATABASES["default"].setdefault("CONN_MAX_AGE", _read("DB_CONN_MAX_AGE", env.int, 60))
# A kept connection is checked before a request reuses it: after PostgreSQL restarts, the next request
# opens a new connection instead of failing on the dead one.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "portal.User"
AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses logins from a locked-out address before any password check.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "portal:landing"
LOGOUT_REDIRECT_URL = "portal:home"

# The client's address: behind TRUSTED_PROXY_COUNT reverse proxies it is read from the
# X-Forwarded-For header they append to; with 0 (no proxy) that header is ignored, since any
# client can send it. One function (portal.throttling.client_address) serves every limit below.
TRUSTED_PROXY_COUNT = _read("TRUSTED_PROXY_COUNT", env.int, 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("Environment variable TRUSTED_PROXY_COUNT is malformed: must be 0 or more.")

# Login rate limit (django-axes): after AXES_FAILURE_LIMIT failures for one account from
# one address, that pair is locked for AXES_COOLOFF_MINUTES; after AXES_ADDRESS_FAILURE_LIMIT
# failures from one address over any accounts, the address is locked.
AXES_FAILURE_LIMIT = _read("AXES_FAILURE_LIMIT", env.int, 5)
AXES_ADDRESS_FAILURE_LIMIT = _read("AXES_ADDRESS_FAILURE_LIMIT", env.int, 20)
if AXES_ADDRESS_FAILURE_LIMIT < AXES_FAILURE_LIMIT:
    raise ImproperlyConfigured("Environment variable AXES_ADDRESS_FAILURE_LIMIT must not be below AXES_FAILURE_LIMIT.")
AXES_COOLOFF_TIME = _read("AXES_COOLOFF_MINUTES", env.int, 15) / 60
# The handler reads these in this order: the account and address pair, then the address alone.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "portal.throttling.LoginThrottleHandler"
AXES_CLIENT_IP_CALLABLE = "portal.throttling.client_address"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_USERNAME_FORM_FIELD = "username"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = _read("TIME_ZONE", env.str, "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(_read("STATIC_ROOT", env.str, str(BASE_DIR / "staticfiles")))
# Uploaded evidence and generated documents are private: they live outside the web root
# and are only ever served by views that check access. There is no MEDIA_URL on purpose.
MEDIA_ROOT = Path(_read("MEDIA_ROOT", env.str, str(BASE_DIR / "media")))
# With S3_BUCKET set, the same files live in an S3-compatible bucket instead (django-storages), which
# every web and worker machine shares; the bucket must not be public. Files are still read only
# through the access-checked views: streamed by default, or, with PRIVATE_FILE_DELIVERY=redirect, by
# a signed URL valid S3_SIGNED_URL_SECONDS issued after the check (portal.storage).
S3_BUCKET = _read("S3_BUCKET", env.str, "")
S3_ENDPOINT_URL = _read("S3_ENDPOINT_URL", env.str, "")
S3_REGION = _read("S3_REGION", env.str, "us-east-1")
S3_SIGNED_URL_SECONDS = _read("S3_SIGNED_URL_SECONDS", env.int, 60)
PRIVATE_FILE_DELIVERY = _read("PRIVATE_FILE_DELIVERY", env.str, "stream")
if PRIVATE_FILE_DELIVERY not in ("stream", "redirect"):
    raise ImproperlyConfigured("Environment variable PRIVATE_FILE_DELIVERY must be stream or redirect.")
_DEFAULT_STORAGE = (
    {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": S3_ENDPOINT_URL or None,
            "region_name": S3_REGION,
            # Empty: boto3 finds credentials itself (an instance role, ~/.aws, AWS_* variables).
            "access_key": _read("S3_ACCESS_KEY_ID", env.str, "") or None,
            "secret_key": _read("S3_SECRET_ACCESS_KEY", env.str, "") or None,
            # Private objects: no ACL granting public reads; every URL the storage hands out is signed.
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": S3_SIGNED_URL_SECONDS,
            # A name already taken gets a new one, as on local disk: an issued document is never overwritten.
            "file_overwrite": False,
            "addressing_style": _read("S3_ADDRESSING_STYLE", env.str, "path"),
            "signature_version": "s3v4",
        },
    }
    if S3_BUCKET
    else {"BACKEND": "django.core.files.storage.FileSystemStorage"}
)
STORAGES = {
    "default": _DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Source maps are fetched only by a browser's developer tools: served as they are, not compressed
# (brotli on the API documentation's maps was two thirds of collectstatic's CPU time).
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (*Compressor.SKIP_COMPRESS_EXTENSIONS, "map")
FILE_UPLOAD_PERMISSIONS = 0o640
# Form fields without files may take 5 MB; an uploaded file larger than 2 MB goes to a temporary
# file instead of memory. The whole body of one request is capped by REQUEST_MAX_BODY_MB (below).
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

EMAIL_CONFIG = _read("EMAIL_URL", env.email_url, "consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = _read("DEFAULT_FROM_EMAIL", env.str, "noreply@ipguide.example.cn")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"


# --- Celery -------------------------------------------------------------------------
def _redis_url(name, default):
    url = env.str(name, default=default)
    if url and not url.startswith(("redis://", "rediss://", "unix://")):
        raise ValueError("expected a URL such as redis://127.0.0.1:6379/0")
    return url


REDIS_URL = _read("REDIS_URL", _redis_url, "")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
# Without Redis (a developer's laptop, the demo) tasks run in-process, right after commit.
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = _read("CELERY_TASK_TIME_LIMIT", env.int, 300)
CELERY_TASK_SOFT_TIME_LIMIT = _read("CELERY_TASK_SOFT_TIME_LIMIT", env.int, 240)
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {"documents.tasks.*": {"queue": "documents"}}
CELERY_TIMEZONE = TIME_ZONE

# A task is acknowledged only when it has run (ACKS_LATE), so the broker hands an unacknowledged
# task to another worker once this many seconds have passed: that is how a killed worker's task
# comes back. It must exceed the longest a task may run (CELERY_TASK_TIME_LIMIT), or a task still
# running would be delivered twice; a minute more than the limit, instead of Redis's one hour.
# (A retry waiting out a longer countdown may also be delivered twice: every task is idempotent.)
# The worker that puts such tasks back holds a lock in Redis meanwhile; if that worker is killed
# too, the next one waits for the lock to expire (kombu's default: 300 s). A minute is ample for a
# sweep of this portal's queues and keeps a killed worker's task within about eight minutes.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_TASK_TIME_LIMIT + 60, "unacked_mutex_expire": 60}

# --- Caches ---------------------------------------------------------------------------
CACHES = {
    "default": (
        {
            "BACKEND": "portal.redis_cache.ReusedClientRedisCache",
            "LOCATION": REDIS_URL,
            # The cache is an optimisation (portal.cache): a dead Redis must fail fast, so that
            # requests fall back to the database within a second instead of hanging.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# With Redis every process moves the tables' versions in the one cache that every process reads
# (portal.page_cache): a value may then be kept until a table it was made from is written to.
SHARED_CACHE = bool(REDIS_URL)
# Signed-in pages kept until a table they were made from is written to (portal.page_cache).
PAGE_CACHE = _read("PAGE_CACHE", _strict_bool, SHARED_CACHE)

# --- Documents ------------------------------------------------------------------------
# The center's signing certificate (PKCS#12) and its password, for PAdES signatures.
SIGNING_CERT_PATH = _read("SIGNING_CERT_PATH", env.str, "")
SIGNING_CERT_PASSWORD = _read("SIGNING_CERT_PASSWORD", env.str, "")
# Or the key lives in a PKCS#11 token (a UKey or an HSM) and never leaves it: the vendor's PKCS#11
# library, the token's label, its user PIN and the labels of the key and of the certificate on it
# (the certificate label defaults to the key's). The CA certificates stored on the token form the chain.
SIGNING_PKCS11_MODULE = _read("SIGNING_PKCS11_MODULE", env.str, "")
SIGNING_PKCS11_TOKEN_LABEL = _read("SIGNING_PKCS11_TOKEN_LABEL", env.str, "")
SIGNING_PKCS11_PIN = _read("SIGNING_PKCS11_PIN", env.str, "")
SIGNING_PKCS11_KEY_LABEL = _read("SIGNING_PKCS11_KEY_LABEL", env.str, "")
SIGNING_PKCS11_CERT_LABEL = _read("SIGNING_PKCS11_CERT_LABEL", env.str, "")
# Revocation data embedded in every signature (PAdES B-LT), so that it can be validated after the
# certificate expires. Development: make_dev_certificate keeps the development CA's key next to the
# PKCS#12 (or here) and the portal issues the CA's CRL itself, at /pki/ca.crl. Production: the CA's
# current CRL in a file the operator keeps up to date (SIGNING_CRL_PATH), or fetched from the
# addresses in the certificates when SIGNING_REVOCATION_FETCH is on.
SIGNING_DEV_CA_KEY_PATH = _read("SIGNING_DEV_CA_KEY_PATH", env.str, "")
SIGNING_CRL_PATH = _read("SIGNING_CRL_PATH", env.str, "")
SIGNING_REVOCATION_FETCH = _read("SIGNING_REVOCATION_FETCH", _strict_bool, False)
# The RFC 3161 time-stamping authority whose timestamp proves when a document was signed (without
# it the signing time is only the signer's claim, and no document timestamp (PAdES B-LTA) keeps the
# signature verifiable after the certificate expires). With DEBUG off, documents are not issued
# while it is empty, unless SIGNING_ALLOW_NO_TIMESTAMP says so explicitly. TSA_TRUST_ROOTS_PATH: a
# PEM file with the TSA's root certificate(s) when it does not chain to the center's own root.
TSA_URL = _read("TSA_URL", env.str, "")
TSA_TIMEOUT_SECONDS = _read("TSA_TIMEOUT_SECONDS", env.int, 10)
TSA_TRUST_ROOTS_PATH = _read("TSA_TRUST_ROOTS_PATH", env.str, "")
SIGNING_ALLOW_NO_TIMESTAMP = _read("SIGNING_ALLOW_NO_TIMESTAMP", _strict_bool, DEBUG)

# A document still pending this many minutes after its render was queued is taken to have lost
# its task (a killed worker, a broker down at the time): the periodic sweeper queues it again
# and staff may re-run it from the admin.
DOCUMENT_STUCK_MINUTES = _read("DOCUMENT_STUCK_MINUTES", env.int, 10)

# --- Audit log ------------------------------------------------------------------------
# Entries are kept this many days, then removed by a daily task. Below 183 (about six months, the
# minimum for records of who saw and changed case files) the task refuses to run.
AUDIT_RETENTION_DAYS = _read("AUDIT_RETENTION_DAYS", env.int, 365)

# --- Two-factor authentication (django-otp) ---------------------------------------------
# Signing a letter or an opinion needs a second factor entered within this many minutes;
# otherwise the signer is asked for a code first.
SIGNING_FRESH_FACTOR_MINUTES = _read("SIGNING_FRESH_FACTOR_MINUTES", env.int, 5)
# The name authenticator apps show next to the account.
OTP_TOTP_ISSUER = _read("OTP_TOTP_ISSUER", env.str, "IP Guidance Portal")

# --- Uploads ----------------------------------------------------------------------------
EVIDENCE_MAX_FILE_MB = _read("EVIDENCE_MAX_FILE_MB", env.int, 20)
EVIDENCE_MAX_TOTAL_MB = _read("EVIDENCE_MAX_TOTAL_MB", env.int, 100)
# The largest request body the portal reads at all (a request carrying all of an application's
# evidence at once, plus its form): larger ones are answered 413 before anything is read.
# The proxy's own limit (nginx client_max_body_size) should match it.
REQUEST_MAX_BODY_MB = _read("REQUEST_MAX_BODY_MB", env.int, EVIDENCE_MAX_TOTAL_MB + 10)

# The public verification page: lookups and uploads per client address and window.
VERIFY_RATE_LIMIT = _read("VERIFY_RATE_LIMIT", env.int, 60)
VERIFY_RATE_WINDOW_SECONDS = _read("VERIFY_RATE_WINDOW_SECONDS", env.int, 600)
# The largest PDF the verification page checks; a larger request body is refused unread.
VERIFY_MAX_UPLOAD_MB = _read("VERIFY_MAX_UPLOAD_MB", env.int, 30)
# The certificates signatures are checked against on the verification page (a PEM file with the
# root of the CA that issued the center's certificate). Without it, the development CA beside the
# PKCS#12 (make_dev_certificate writes center.ca.pem), else the root of the configured chain.
SIGNING_TRUST_ROOTS_PATH = _read("SIGNING_TRUST_ROOTS_PATH", env.str, "")
# The trust list the center's certificate chains to in production, named to readers on the
# verification page (e.g. 国家密码管理局认可的电子认证服务机构, or the Adobe Approved Trust List).
# Empty: a development root in no trust list; the page then offers it for download, with
# instructions for adding it to a PDF reader.
SIGNING_TRUST_LIST = _read("SIGNING_TRUST_LIST", env.str, "")

# --- Security ---------------------------------------------------------------------------
# Sessions live in the database alone. (Django's cached_db would save a query a page, but with Redis
# down its writes fail, and a logout during the outage could come back with the cache: Redis must
# never be a condition for a saved change, see "When a service fails" in the README.)
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 8
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
CSRF_FAILURE_VIEW = "portal.errors.csrf_failure"

# --- Content Security Policy (django-csp) -----------------------------------------------
# Only scripts served from this site run: no inline <script>, no on*= handlers, no javascript:
# URLs, so injected markup cannot execute. Page behaviour lives in static files (static/js,
# static/applications); values reach it through data-* attributes. JSON data blocks
# (<script type="application/json">, used by the Django admin) are not executed and need no
# exception. Styles keep 'unsafe-inline': Django 5.2's admin change list writes an inline
# <style>, and templates use style="" attributes, which no nonce can cover; inline CSS cannot
# run code. Bootstrap's data: SVG icons need img-src data:.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}
if not DEBUG:
    SECURE_SSL_REDIRECT = _read("SECURE_SSL_REDIRECT", _strict_bool, True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # The load balancer probes /healthz over plain http, by IP address (see portal.health).
    SECURE_REDIRECT_EXEMPT = [r"^healthz/?$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = _read("SECURE_HSTS_SECONDS", env.int, 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# LOG_FORMAT=json: one JSON object per line (python-json-logger), with the time, level, logger and
# message and any extra fields, for a log collector; text otherwise.
LOG_FORMAT = _read("LOG_FORMAT", env.str, "text")
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured("Environment variable LOG_FORMAT must be text or json.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", **({"formatter": "json"} if LOG_FORMAT == "json" else {})}
    },
    "root": {"handlers": ["console"], "level": _read("LOG_LEVEL", env.str, "INFO")},
}
if LOG_FORMAT == "json":
    # Django's own "django" logger prints through a handler of its own while DEBUG is on: under JSON
    # its records go to the root's JSON handler only.
    LOGGING["loggers"] = {"django": {"handlers": [], "propagate": True}}

# --- Operations: health and metrics ---------------------------------------------------
# /healthz answers the load balancer (database, Redis, a worker's heartbeat, the file storage);
# a worker whose last heartbeat is older than this counts as gone.
WORKER_HEARTBEAT_MAX_AGE_SECONDS = _read("WORKER_HEARTBEAT_MAX_AGE_SECONDS", env.int, 120)
# /metrics (Prometheus) answers only a scraper presenting this token (Authorization: Bearer …);
# empty: only requests from loopback.
METRICS_TOKEN = _read("METRICS_TOKEN", env.str, "")

# --- The REST API (Django REST framework, drf-spectacular) ---------------------------------
# Clients authenticate with API tokens staff issue in the admin (api.models); every endpoint names
# its scope; each token is held to its client's rate per minute; every error is a JSON body.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.ApiTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.HasScope"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.TokenRateThrottle", "api.throttling.AnonymousRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"api_anonymous": _read("API_ANONYMOUS_RATE", env.str, "60/min")},
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "海外知识产权纠纷应对指导中心 数据接口",
    "DESCRIPTION": "统计数据、已发布的知识库内容、脱敏案件信息、咨询登记与文书核验。"
    "请在 Authorization 头中使用指导中心签发的令牌：Bearer <密钥>。",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
}
# API call records (api.models.ApiCall) older than this are deleted by a daily task.
API_CALL_RETENTION_DAYS = _read("API_CALL_RETENTION_DAYS", env.int, 180)
# The key of the applicants' pseudonyms in the national export (HMAC); empty: derived from SECRET_KEY.
REPORTING_PSEUDONYM_KEY = _read("REPORTING_PSEUDONYM_KEY", env.str, "")
