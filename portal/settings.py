"""Settings of the portal, read from the environment (see README: "Configuration").

With nothing set the portal runs on the embedded default: SQLite, Celery tasks run in process, files on local disk,
mail to the console. DATABASE_URL and REDIS_URL switch to PostgreSQL and Redis.
"""

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from portal import deployment, env

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env.boolean("DEBUG", default=False)
# Required off a local address; see "Fail closed" below.
SECRET_KEY = env.string("SECRET_KEY")

ALLOWED_HOSTS = env.string_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.string_list("CSRF_TRUSTED_ORIGINS", [])
# The address printed in every QR code and link that leaves the site (PDFs, messages); required off the demo, which
# defaults it to the address `./dev.sh serve` serves on (see "Fail closed" below).
PUBLIC_BASE_URL = env.public_base_url("PUBLIC_BASE_URL")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "axes",
    "django_prometheus",
    "django_guid",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "portal",
    "accounts",
    "procedures",
    "dossiers",
    "payments",
    "stats",
    "notifications",
    "audit",
    "complaints",
]

MIDDLEWARE = [
    # First and last: each request's count and latency by view (portal/metrics.py serves them at /metrics).
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    # The request id (X-Request-ID, or a new one) on every log line of the request and in the response.
    "django_guid.middleware.guid_middleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside the session middleware, so that it sees the session cookie a response sets.
    "portal.middleware.PrivateResponsesAreNotStored",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.language.VietnameseFirst",  # Vietnamese unless the visitor chose English (the cookie)
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A request that may have written pins its sender to the primary for a moment (read replicas).
    "portal.replicas.PinWriters",
    # After authentication: the 404, 400 and 413 pages they answer with show who is logged in. Nothing before
    # them reads the body (CSRF reads it in process_view, after every middleware's call).
    "portal.middleware.RefuseControlCharactersInPath",
    "portal.middleware.LimitRequestBody",
    "portal.middleware.RefuseInvalidText",
    "django.contrib.messages.middleware.MessageMiddleware",
    # The second factor of staff and admins (accounts.second_factor): verified once per session.
    "django_otp.middleware.OTPMiddleware",
    "accounts.second_factor.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # A page's refusal by a service (portal.errors): 404 page for an unknown thing, else its message and status.
    "portal.service_errors.ServiceErrorPages",
    # Last, so that it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "complaints.context_processors.console_counts",
            ],
        },
    },
]

DATABASES = {"default": env.database("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for a writer instead of failing at once; the demo server and a manage command may overlap.
    # WAL with synchronous=NORMAL: a commit (a history row, an access-log row) does not wait for a disk flush of
    # the whole journal, and readers do not block the writer; still durable across a process crash.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    # Connections between requests (README, "Configuration"): kept open for DATABASE_CONN_MAX_AGE seconds, or
    # drawn from psycopg's pool of at most DATABASE_POOL_SIZE (Django's "pool" option; the two are exclusive).
    DATABASES["default"]["CONN_MAX_AGE"] = env.integer("DATABASE_CONN_MAX_AGE", 60, minimum=0)
    if pool_size := env.integer("DATABASE_POOL_SIZE", 0, minimum=0):
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": min(2, pool_size),
            "max_size": pool_size,
            "timeout": env.integer("DATABASE_POOL_TIMEOUT", 10, minimum=1),
        }
# Read replicas (portal/replicas.py): the lookup, the catalogue's reads and the statistics read from one of them.
REPLICA_DATABASES: list[str] = []
for _number, _url in enumerate(env.string_list("DATABASE_REPLICA_URLS", []), start=1):
    DATABASES[f"replica{_number}"] = env.database_config("DATABASE_REPLICA_URLS", _url) | {
        "TEST": {
            "MIRROR": "default"
        },  # a test run creates no database on a replica: it streams the primary's
        "CONN_MAX_AGE": DATABASES["default"].get("CONN_MAX_AGE", 0),
        "OPTIONS": {k: v for k, v in DATABASES["default"].get("OPTIONS", {}).items() if k == "pool"},
    }
    REPLICA_DATABASES.append(f"replica{_number}")
DATABASE_ROUTERS = ["portal.replicas.ReplicaRouter"]
# How long whoever has just written reads from the primary, however far the replicas lag (seconds).
REPLICA_PIN_SECONDS = env.integer("REPLICA_PIN_SECONDS", 10, minimum=1)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.redis_url("REDIS_URL")
# Separate key spaces for parallel test workers sharing one Redis.
CACHE_KEY_PREFIX = env.string("CACHE_KEY_PREFIX", "portal") + os.environ.get("PYTEST_XDIST_WORKER", "")
if REDIS_URL:
    CACHES = {
        "default": {
            # Redis, or this process's memory while Redis is down (portal/cache.py).
            "BACKEND": "portal.cache.FallbackRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "portal"}}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # The national e-ID's OpenID Connect code flow (accounts.eid); it answers only the e-ID callback.
    "accounts.eid.EidBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Who is asking: logins, tokens, rate limits and the client's address (README, "Configuration").
# The client's address (portal.client_ip) is read from X-Forwarded-For only through this many proxies of ours;
# 0: the header is ignored. Login lockouts and rate limits count by that one address.
TRUSTED_PROXIES = env.integer("TRUSTED_PROXIES", 0, minimum=0)
# Login failures are counted per account and, separately, per address; the address's allowance is larger, since
# a whole office or a carrier's NAT may share one. A success clears only the failures of that account
# (accounts.lockout.LoginFailureHandler): AXES_RESET_ON_SUCCESS would also clear every failure of the address.
AXES_FAILURE_LIMIT = env.integer("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_ADDRESS_FAILURE_LIMIT = env.integer("AXES_ADDRESS_FAILURE_LIMIT", 50, minimum=1)
AXES_COOLOFF_TIME = env.integer("AXES_COOLOFF_MINUTES", 15, minimum=1) / 60
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_HANDLER = "accounts.lockout.LoginFailureHandler"
AXES_CLIENT_IP_CALLABLE = "portal.client_ip.client_ip"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
AXES_RESET_ON_SUCCESS = False
AXES_VERBOSE = False
# API tokens (django-rest-knox): only a digest is stored; each expires, and DELETE /api/v1/auth/token/ revokes it.
TOKEN_TTL_HOURS = env.integer("TOKEN_TTL_HOURS", 12, minimum=1)
REST_KNOX = {"TOKEN_TTL": timedelta(hours=TOKEN_TTL_HOURS), "AUTH_HEADER_PREFIX": "Token"}
# Rate limits per scope (portal.throttling): anonymous callers by address, logged-in ones by user.
# THROTTLE_RATES=lookup=600/min,verify=10/min overrides some.
THROTTLE_RATES = env.throttle_rates(
    "THROTTLE_RATES",
    {
        "token": "30/min",
        "lookup": "60/min",
        "verify": "30/min",
        "upload": "60/min",
        "callback": "120/min",
        "dossier_create": "60/hour",
        "account_code": "10/hour",
    },
)

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Static files are collected (./dev.sh runs collectstatic) with content-hashed names, gzip and brotli copies;
# whitenoise serves the hashed ones as immutable, cached for a year and more. The same storage everywhere: the
# tests and the browser tests see what production serves.
WHITENOISE_USE_FINDERS = False
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns about a missing folder
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.string("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Documents, results, slips and receipts on an S3-compatible store (README, "Configuration"); else MEDIA_ROOT.
if (_object_store := env.storage("STORAGE_URL")) is not None:
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": _object_store}
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

EMAIL_BACKEND = env.string("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.string("DEFAULT_FROM_EMAIL", "portal@localhost")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_THROTTLE_RATES": THROTTLE_RATES,
    "NUM_PROXIES": TRUSTED_PROXIES,
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "portal.api.pagination.PagePagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "portal.api.errors.exception_handler",
    # JSON with bounded nesting and text every database takes (portal.api.parsers).
    "DEFAULT_PARSER_CLASSES": [
        "portal.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
# drf-spectacular's settings, of many value types (its own SPECTACULAR_DEFAULTS is a dict[str, Any]).
SPECTACULAR_SETTINGS: dict[str, Any] = {
    "TITLE": "Public-services portal API",
    "DESCRIPTION": "The REST contract of the province's public-services portal (see API.md).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "AgencyLevelEnum": "procedures.constants.AgencyLevel",
        "ProcedureLevelEnum": "procedures.constants.ProcedureLevel",
    },
}

# Content Security Policy: own scripts and styles only, nothing inline (htmx and Swagger UI ship as static
# files; htmx's own indicator style is switched off by the htmx-config meta tag and lives in portal.css).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Celery: with REDIS_URL a real broker and workers; without, every task runs in process.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# With the broker down, a request that queues a task gives up within about a second (the task's work is kept in
# the database and queued again by the beat's sweeps: signing, messages) instead of hanging on the connection.
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 2}
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_TIMEZONE = TIME_ZONE

# The province this portal serves, as the demo and the pages name it.
PROVINCE_NAME = env.string("PROVINCE_NAME", "Tỉnh Hòa Bình Xanh")


# The SLA clock (dossiers.sla): received at or after the cut-off hour counts from the next working day; results
# are due at the end of office hours.
SLA_CUTOFF_HOUR = env.integer("SLA_CUTOFF_HOUR", 15, minimum=0)
SLA_DUE_HOUR = env.integer("SLA_DUE_HOUR", 17, minimum=0)
# Complaints and suggestions (complaints.services): the agency answers within this many working days.
COMPLAINT_ANSWER_DAYS = env.integer("COMPLAINT_ANSWER_DAYS", 10, minimum=1)
# Uploads: per file and per dossier, in bytes.
# A PDF to verify (dossiers.results.verify): a signed result is far smaller; portal.middleware refuses a larger
# request before it is read.
VERIFY_MAX_BYTES = 20 * 1024 * 1024
UPLOAD_MAX_FILE_BYTES = env.integer("UPLOAD_MAX_FILE_BYTES", 10 * 1024 * 1024, minimum=1)
# A drafted result the assessor attaches for signing (dossiers.drafted_results): a decision or permit of a few pages.
RESULT_DRAFT_MAX_BYTES = env.integer("RESULT_DRAFT_MAX_BYTES", 10 * 1024 * 1024, minimum=1)
UPLOAD_MAX_DOSSIER_BYTES = env.integer("UPLOAD_MAX_DOSSIER_BYTES", 50 * 1024 * 1024, minimum=1)
# Per citizen: papers in one dossier, bytes across their open dossiers, drafts open at once.
UPLOAD_MAX_DOSSIER_DOCUMENTS = env.integer("UPLOAD_MAX_DOSSIER_DOCUMENTS", 50, minimum=1)
UPLOAD_MAX_USER_BYTES = env.integer("UPLOAD_MAX_USER_BYTES", 200 * 1024 * 1024, minimum=1)
DOSSIER_MAX_OPEN_DRAFTS = env.integer("DOSSIER_MAX_OPEN_DRAFTS", 20, minimum=1)
# A draft left unused (no change, no paper) is deleted after DRAFT_EXPIRE_DAYS; the citizen is told at
# DRAFT_WARN_DAYS, and it is never deleted sooner than the difference after they were told.
DRAFT_EXPIRE_DAYS = env.integer("DRAFT_EXPIRE_DAYS", 30, minimum=2)
DRAFT_WARN_DAYS = env.integer("DRAFT_WARN_DAYS", 23, minimum=1)
if DRAFT_WARN_DAYS >= DRAFT_EXPIRE_DAYS:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("DRAFT_WARN_DAYS must be less than DRAFT_EXPIRE_DAYS")

# Signing results (dossiers.signers): which signer, and where the PKCS#12 signer finds each agency's key.
SIGNER = env.string("SIGNER", "pkcs12")
SIGNING_DIR = env.string("SIGNING_DIR", str(BASE_DIR / "var" / "pki"))
SIGNING_CA_CERT = env.string("SIGNING_CA_CERT")  # default: SIGNING_DIR/ca.pem
SIGNING_PKCS12_PASSPHRASE = env.string("SIGNING_PKCS12_PASSPHRASE")
# Long-term signatures (PAdES B-LT): every result carries a time stamp from this RFC 3161 authority and the
# certificates' revocation data (CRL or OCSP, fetched at signing) in its DSS. SIGNING_PKI_URL is where the demo
# PKI (manage.py pki_serve) answers; its certificates name it as their CRL and OCSP address.
SIGNING_PKI_URL = env.string("SIGNING_PKI_URL", "http://127.0.0.1:8900")
SIGNING_TSA_URL = env.string("SIGNING_TSA_URL", f"{SIGNING_PKI_URL.rstrip('/')}/province/tsa/tsa")
# PKCS#11 token (HSM, USB token) and remote signing service; refused with a clear message until configured.
SIGNING_PKCS11_MODULE = env.string("SIGNING_PKCS11_MODULE")
SIGNING_PKCS11_TOKEN = env.string("SIGNING_PKCS11_TOKEN")
SIGNING_PKCS11_PIN = env.string("SIGNING_PKCS11_PIN")
SIGNING_REMOTE_URL = env.string("SIGNING_REMOTE_URL")
SIGNING_REMOTE_TOKEN = env.string("SIGNING_REMOTE_TOKEN")
# A dossier in signing for longer than this (seconds) is queued again by the sweep.
SIGNING_SWEEP_AFTER = env.integer("SIGNING_SWEEP_AFTER", 300, minimum=1)
CELERY_BEAT_SCHEDULE = {
    "sweep-signing": {"task": "dossiers.tasks.sweep_signing", "schedule": 120.0},
    # The SLA clock (dossiers.schedule): count due-soon and overdue dossiers; apologise with a new date.
    "flag-due": {"task": "dossiers.tasks.flag_due", "schedule": 900.0},
    "issue-apologies": {"task": "dossiers.tasks.issue_apologies", "schedule": 3600.0},
    "reconcile-payments": {"task": "payments.tasks.reconcile_reports", "schedule": 3600.0},
    # Online payments whose notice never came: ask the provider (querydr) and settle them.
    "query-payments": {"task": "payments.tasks.query_open_attempts", "schedule": 300.0},
    # The service index's rollups follow every event; each night they are rebuilt from scratch (stats.services).
    "stats-rebuild": {"task": "stats.tasks.rebuild", "schedule": crontab(minute=30, hour=1)},
    # Drafts left unused: tell the citizen, then delete them (dossiers.schedule.drafts_warn, drafts_delete).
    "expire-drafts": {"task": "dossiers.tasks.expire_drafts", "schedule": 3600.0},
}

# Payments (payments.providers): the sandbox's secret (the demo's default only while PORTAL_DEMO is on), VNPay's
# merchant code and secret, where providers' settlement reports are dropped for the daily reconciliation.
# (The demo defaults of the sandbox's secret and of the list are set under "Fail closed" below.)
PAYMENT_SANDBOX_SECRET = env.string("PAYMENT_SANDBOX_SECRET")
PAYMENT_PROVIDERS = env.string_list("PAYMENT_PROVIDERS", [])
PAYMENT_VNPAY_TMN_CODE = env.string("PAYMENT_VNPAY_TMN_CODE")
PAYMENT_VNPAY_SECRET = env.string("PAYMENT_VNPAY_SECRET")
PAYMENT_VNPAY_URL = env.string("PAYMENT_VNPAY_URL")
# VNPay's merchant API (querydr, refund).
PAYMENT_VNPAY_API_URL = env.string(
    "PAYMENT_VNPAY_API_URL", "https://merchant.vnpay.vn/merchant_webapi/api/transaction"
)
# An online attempt still open this many minutes after it started is asked of its provider (its notice may be
# lost); after PAYMENT_QUERY_GIVE_UP_HOURS with no transaction at the provider it is closed as not paid.
PAYMENT_QUERY_AFTER_MINUTES = env.integer("PAYMENT_QUERY_AFTER_MINUTES", 15, minimum=1)
PAYMENT_QUERY_GIVE_UP_HOURS = env.integer("PAYMENT_QUERY_GIVE_UP_HOURS", 24, minimum=1)
PAYMENT_SETTLEMENT_DIR = env.string("PAYMENT_SETTLEMENT_DIR", str(BASE_DIR / "var" / "settlements"))
# Rejected notices are kept as digests; the same one again within the window (seconds), or any once the window
# holds this many of a provider, is counted on an earlier row instead of stored.
PAYMENT_REJECTED_WINDOW = env.integer("PAYMENT_REJECTED_WINDOW", 3600, minimum=1)
PAYMENT_REJECTED_MAX_PER_WINDOW = env.integer("PAYMENT_REJECTED_MAX_PER_WINDOW", 1000, minimum=1)

# ---- Fail closed (DESIGN.md "Trust", API.md "Running it") ---------------------------------------------------------
# The demo's public SECRET_KEY and sandbox secret hold only while every ALLOWED_HOSTS entry is a local address
# (localhost, 127.0.0.0/8, ::1, testserver). PORTAL_DEMO defaults to on exactly there; it stays an explicit
# switch: PORTAL_DEMO=0 asks for the real secrets on localhost too (docker-compose), PORTAL_DEMO=1 on a real host
# (a training portal) shows the demo banner and lists the sandbox, but never allows the public secrets. One
# ImproperlyConfigured names everything missing. Off a local address the security headers and cookies default to
# what `manage.py check --deploy` asks for; each is settable (e.g. for a TLS-terminating proxy).
LOCAL_ONLY = deployment.local_only(ALLOWED_HOSTS)
PORTAL_DEMO = env.boolean("PORTAL_DEMO", default=LOCAL_ONLY)
PUBLIC_SECRETS_ALLOWED = LOCAL_ONLY and (PORTAL_DEMO or DEBUG)
if not PAYMENT_PROVIDERS:
    PAYMENT_PROVIDERS = ["sandbox", "vnpay", "counter"] if PORTAL_DEMO else ["vnpay", "counter"]
if PUBLIC_SECRETS_ALLOWED:
    SECRET_KEY = SECRET_KEY or deployment.PUBLIC_SECRET_KEY
    PAYMENT_SANDBOX_SECRET = PAYMENT_SANDBOX_SECRET or deployment.PUBLIC_SANDBOX_SECRET
    PUBLIC_BASE_URL = PUBLIC_BASE_URL or deployment.DEMO_BASE_URL
else:
    _missing = deployment.missing_secrets(
        secret_key=SECRET_KEY,
        payment_providers=PAYMENT_PROVIDERS,
        sandbox_secret=PAYMENT_SANDBOX_SECRET,
        vnpay_tmn_code=PAYMENT_VNPAY_TMN_CODE,
        vnpay_secret=PAYMENT_VNPAY_SECRET,
        public_base_url=PUBLIC_BASE_URL,
    )
    if _missing:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            deployment.refusal(_missing, allowed_hosts=ALLOWED_HOSTS, demo_switched_off=not PORTAL_DEMO)
        )
_secure = not PUBLIC_SECRETS_ALLOWED  # any portal that holds real secrets
_real_host = not LOCAL_ONLY  # HSTS and the HTTPS redirect would only break http://localhost
SESSION_COOKIE_SECURE = env.boolean("SESSION_COOKIE_SECURE", default=_secure)
CSRF_COOKIE_SECURE = env.boolean("CSRF_COOKIE_SECURE", default=_secure)
SESSION_COOKIE_HTTPONLY = True
# Lax: the citizen's return from the bank's page is a top-level GET and keeps the session.
SESSION_COOKIE_SAMESITE = env.string("SESSION_COOKIE_SAMESITE", "Lax")
CSRF_COOKIE_SAMESITE = env.string("CSRF_COOKIE_SAMESITE", "Lax")
SECURE_SSL_REDIRECT = env.boolean("SECURE_SSL_REDIRECT", default=_real_host)
# A load balancer's probes and the metrics scraper talk to the process directly, over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
SECURE_HSTS_SECONDS = env.integer("SECURE_HSTS_SECONDS", 31_536_000 if _real_host else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.boolean("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=_real_host)
SECURE_HSTS_PRELOAD = env.boolean("SECURE_HSTS_PRELOAD", default=_real_host)
# Only behind a proxy that sets the header itself: X-Forwarded-Proto from a client would otherwise pass for HTTPS.
SECURE_PROXY_SSL_HEADER = env.proxy_ssl_header("SECURE_PROXY_SSL_HEADER")
# Swagger UI from drf-spectacular-sidecar's static files; its initializer is a script of its own (portal/urls.py).
# No Redoc: its styled-components inject <style> elements, which a CSP without 'unsafe-inline' refuses.
SPECTACULAR_SETTINGS |= {"SWAGGER_UI_DIST": "SIDECAR", "SWAGGER_UI_FAVICON_HREF": "SIDECAR"}
# `check --deploy` runs drf-spectacular's schema check too: nested serializers named after their view, one name
# per choice set.
REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"] = "portal.api.schema.AutoSchema"
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] |= {
    "DossierStateEnum": "dossiers.constants.State",
    "OutcomeEnum": "dossiers.constants.Outcome",
}
# ---- end of Fail closed ---------------------------------------------------------------------------------------------

# Notifications (notifications/): e-mail, SMS and in-portal messages to citizens and staff. E-mail goes through
# EMAIL_BACKEND (the console by default; django.core.mail.backends.smtp.EmailBackend with EMAIL_HOST... for SMTP).
# SMS_BACKEND: console (the log), folder (a JSON file per SMS in SMS_FOLDER) or http (POST to SMS_HTTP_URL).
EMAIL_HOST = env.string("EMAIL_HOST", "localhost")
EMAIL_PORT = env.integer("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env.string("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env.string("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env.boolean("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.boolean("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env.integer("EMAIL_TIMEOUT", 30, minimum=1)
SMS_BACKEND = env.string("SMS_BACKEND", "console")
SMS_FOLDER = env.string("SMS_FOLDER", str(BASE_DIR / "var" / "sms"))
SMS_HTTP_URL = env.string("SMS_HTTP_URL")
SMS_HTTP_TOKEN = env.string("SMS_HTTP_TOKEN")
SMS_HTTP_TIMEOUT = env.integer("SMS_HTTP_TIMEOUT", 10, minimum=1)
NOTIFY_CHANNELS = env.string_list("NOTIFY_CHANNELS", ["email", "sms", "portal"])
if set(NOTIFY_CHANNELS) - {"email", "sms", "portal"}:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        f"NOTIFY_CHANNELS={','.join(NOTIFY_CHANNELS)!r} may only list email, sms, portal"
    )
# A message not delivered after this many attempts is left alone (its error stays on it for the admin).
NOTIFY_MAX_ATTEMPTS = env.integer("NOTIFY_MAX_ATTEMPTS", 8, minimum=1)
CELERY_BEAT_SCHEDULE |= {
    "notifications-resend-pending": {"task": "notifications.tasks.resend_pending", "schedule": 60.0},
    # Staff hear of due-soon and overdue dossiers once a day each; the hourly run only catches new ones.
    "notifications-due": {"task": "notifications.tasks.notify_due", "schedule": 3600.0},
}

# Logs: JSON lines with the request id (django-guid) off the demo, readable text in it; LOG_FORMAT chooses.
LOG_FORMAT = env.string("LOG_FORMAT", "text" if PORTAL_DEMO else "json")
if LOG_FORMAT not in {"text", "json"}:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"LOG_FORMAT={LOG_FORMAT!r} is neither text nor json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "django_guid.log_filters.CorrelationId"}},
    "formatters": {
        "text": {"format": "%(levelname)s %(name)s [%(correlation_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(correlation_id)s %(message)s",
            "datefmt": "%Y-%m-%dT%H:%M:%S%z",
            "rename_fields": {"asctime": "time", "levelname": "level", "correlation_id": "request_id"},
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["request_id"], "formatter": LOG_FORMAT}
    },
    "root": {"handlers": ["console"], "level": env.string("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}, "django_guid": {"level": "WARNING"}},
}
# A client's X-Request-ID is kept when it is a UUID (else a new one is made) and sent back in the response.
DJANGO_GUID = {"GUID_HEADER_NAME": "X-Request-ID", "VALIDATE_GUID": True, "RETURN_HEADER": True}
# /metrics is served only to a caller with this bearer token (portal/metrics.py).
METRICS_TOKEN = env.string("METRICS_TOKEN", "")

# Log in with the national e-ID (VNeID, through the national portal's single sign-on): OpenID Connect's code flow
# with state, nonce and PKCE (mozilla-django-oidc; accounts.eid). Off while OIDC_RP_CLIENT_ID is unset; once set,
# every endpoint and the secret are required. The provider gives the ID number in the claim OIDC_CLAIM_ID_NUMBER.
OIDC_RP_CLIENT_ID = env.string("OIDC_RP_CLIENT_ID")
OIDC_RP_CLIENT_SECRET = env.string("OIDC_RP_CLIENT_SECRET")
OIDC_OP_ISSUER = env.endpoint("OIDC_OP_ISSUER").rstrip("/")
OIDC_OP_AUTHORIZATION_ENDPOINT = env.endpoint("OIDC_OP_AUTHORIZATION_ENDPOINT")
OIDC_OP_TOKEN_ENDPOINT = env.endpoint("OIDC_OP_TOKEN_ENDPOINT")
OIDC_OP_USER_ENDPOINT = env.endpoint("OIDC_OP_USER_ENDPOINT")
OIDC_OP_JWKS_ENDPOINT = env.endpoint("OIDC_OP_JWKS_ENDPOINT")
OIDC_CLAIM_ID_NUMBER = env.string("OIDC_CLAIM_ID_NUMBER", "id_number")
OIDC_RP_SIGN_ALGO = env.string("OIDC_RP_SIGN_ALGO", "RS256")
# The ID token's key is chosen by its key id (kid) among the provider's keys; off for a provider with one key that
# names none (the local test provider).
OIDC_VERIFY_KID = env.boolean("OIDC_VERIFY_KID", default=True)
if OIDC_RP_CLIENT_ID:
    _oidc_missing = [
        name
        for name in (
            "OIDC_RP_CLIENT_SECRET",
            "OIDC_OP_ISSUER",
            "OIDC_OP_AUTHORIZATION_ENDPOINT",
            "OIDC_OP_TOKEN_ENDPOINT",
            "OIDC_OP_USER_ENDPOINT",
            "OIDC_OP_JWKS_ENDPOINT",
        )
        if not globals()[name]
    ]
    if _oidc_missing or OIDC_RP_SIGN_ALGO not in {"RS256", "ES256", "PS256"}:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            "The e-ID login (OIDC_RP_CLIENT_ID is set) needs "
            + ", ".join(_oidc_missing or ["OIDC_RP_SIGN_ALGO among RS256, ES256, PS256"])
        )
OIDC_RP_SCOPES = "openid profile"
OIDC_USE_NONCE = True
OIDC_USE_PKCE = True
OIDC_TIMEOUT = 10
OIDC_AUTHENTICATION_CALLBACK_URL = "accounts:eid-callback"
OIDC_REDIRECT_REQUIRE_HTTPS = not LOCAL_ONLY
LOGIN_REDIRECT_URL_FAILURE = "accounts:login"

# The second factor (TOTP, django-otp) for staff, leaders and admins: asked of whoever set one up; with
# SECOND_FACTOR_REQUIRED (the province's choice) staff without one must set it up before any other page.
SECOND_FACTOR_REQUIRED = env.boolean("SECOND_FACTOR_REQUIRED", default=False)
OTP_TOTP_ISSUER = PROVINCE_NAME
