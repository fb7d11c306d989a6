"""Settings for newsroom.

Everything that differs between machines comes from the environment, read by the small helpers
below; they fail loudly on a value they cannot parse. With nothing set, the app and the tests start
on SQLite and a Redis on localhost. `.env.example` documents every variable.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from redis.backoff import NoBackoff
from redis.retry import Retry

BASE_DIR = Path(__file__).resolve().parent.parent
# This machine's writable state (SQLite, logs, beat's schedule, bin/run's Redis and generated key).
VAR_DIR = Path(os.environ.get("NEWSROOM_VAR_DIR") or BASE_DIR / "var")


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from None


def env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, got {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_path(name: str, default: Path) -> Path:
    raw = os.environ.get(name)
    return Path(raw) if raw else default


# "production" on every machine of a deployment (docs/deploying.md): a secret key is then required
# and nothing falls back to a value generated per machine. "demo" (the default) is bin/run's.
NEWSROOM_ENV = env_str("NEWSROOM_ENV", "demo")
if NEWSROOM_ENV not in {"demo", "production"}:
    raise ImproperlyConfigured(f"NEWSROOM_ENV must be demo or production, got {NEWSROOM_ENV!r}")
PRODUCTION = NEWSROOM_ENV == "production"


def _secret_key() -> str:
    """DJANGO_SECRET_KEY, or the contents of the file DJANGO_SECRET_KEY_FILE names (a systemd
    credential, a mounted secret). Every machine of a deployment must share it: a session signed
    by one web server is checked by another."""
    key = os.environ.get("DJANGO_SECRET_KEY", "")
    path = os.environ.get("DJANGO_SECRET_KEY_FILE", "")
    if key and path:
        raise ImproperlyConfigured("Set DJANGO_SECRET_KEY or DJANGO_SECRET_KEY_FILE, not both.")
    if path:
        try:
            key = Path(path).read_text().strip()
        except OSError as error:
            raise ImproperlyConfigured(
                f"DJANGO_SECRET_KEY_FILE: cannot read {path}: {error}"
            ) from None
        if not key:
            raise ImproperlyConfigured(f"DJANGO_SECRET_KEY_FILE: {path} is empty")
    if key:
        return key
    if PRODUCTION:
        raise ImproperlyConfigured(
            "NEWSROOM_ENV=production needs the key every machine shares: set DJANGO_SECRET_KEY or "
            "DJANGO_SECRET_KEY_FILE (docs/deploying.md). Refusing to start without one."
        )
    # The fallback key only exists so that a fresh checkout starts; `check --deploy` rejects it.
    return "django-insecure-local-only-do-not-deploy"


DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "axes",
    "articles",
    "review",
    # API tokens, webhooks, idempotency keys: what exists only for other systems (docs/api.md).
    "integrations",
]

MIDDLEWARE = [
    # The request id and the context of every log line (integrations/logs.py); request counts and
    # latencies for /metrics (integrations/metrics.py).
    "integrations.logs.RequestContextMiddleware",
    "integrations.metrics.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The Content-Security-Policy header on every response (CONTENT_SECURITY_POLICY below).
    "csp.middleware.CSPMiddleware",
    # Before anything reads a body: bounds it (413) and reads chunked ones (gunicorn).
    "integrations.middleware.RequestBodyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The signed-in user's own time zone for everything shown and entered (articles/middleware.py).
    "articles.middleware.TimeZoneMiddleware",
    # Cache-Control: no-store on every response to a signed-in caller (articles/middleware.py).
    "articles.middleware.NoStoreForSignedInMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, so that it sees the outcome of authentication (django-axes' requirement).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "newsroom.urls"
WSGI_APPLICATION = "newsroom.wsgi.application"

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
                "articles.context_processors.navigation",
            ],
            # Dates, times and durations written one way everywhere (articles/templatetags).
            "builtins": ["articles.templatetags.newsroom"],
        },
    },
]

# --- Database -----------------------------------------------------------------------------------
# SQLite by default, tuned so that the web server and the Celery worker can write at once:
# WAL lets readers run beside a writer, IMMEDIATE takes the write lock when a transaction opens
# (so two writers queue on busy_timeout instead of failing with "database is locked" mid-way).
SQLITE_PATH = VAR_DIR / "newsroom.sqlite3"
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    # Persistent connections: each web thread and worker process keeps one for CONN_MAX_AGE
    # seconds (0: one per request). Behind PgBouncer in transaction mode, set
    # DISABLE_SERVER_SIDE_CURSORS=true (a server-side cursor outlives the transaction that
    # PgBouncer ties to one server connection) and keep CONN_MAX_AGE (the pooler keeps the
    # server connections; the app's are cheap). docs/deploying.md, "Database connections".
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=env_int("CONN_MAX_AGE", 60),
            conn_health_checks=True,
            disable_server_side_cursors=env_bool("DISABLE_SERVER_SIDE_CURSORS", False),
        )
    }
else:
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": SQLITE_PATH}}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A file, not memory, so that a Celery worker started by the tests sees the test database
    # (the fixtures hand it the path); one per test process, so parallel runs never share one.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis and Celery ---------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")

CELERY_BROKER_URL = REDIS_URL
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "articles.extract_article": {"queue": "extraction"},
}
# Redelivery after a lost worker: the message stays unacknowledged until the task returns, and a
# worker process that dies mid-task makes the message go back to the queue. Only idempotent tasks
# run this way (extraction finishes only if it still owns its job row).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# The hard time limit stays below the visibility timeout, or Redis would hand a message that is
# still being worked on to a second worker.
CELERY_BROKER_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", 3600)
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_BROKER_VISIBILITY_TIMEOUT}
CELERY_TASK_TIME_LIMIT = 300
# Celery's Django fixup closes the database connections before and after every task, and opening
# one costs more than a short task (SQLite: the pragmas and functions; PostgreSQL: a new session).
# Keep them for this many tasks; newsroom/celery.py closes one at once if an error left it broken.
CELERY_DB_REUSE_MAX = env_int("CELERY_DB_REUSE_MAX", 1000)
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# JSON logs: Celery must leave the root logger to settings.LOGGING (else it installs its own
# plain-text handler in workers and beat).
CELERY_WORKER_HIJACK_ROOT_LOGGER = os.environ.get("LOG_FORMAT", "plain") != "json"
# Celery's own connections (the worker's consumer, a task's retry): one quick attempt.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY = False
# Redis on a request path (doorbells of submits and status changes, the API write throttle): a
# Redis that is down or stalled must cost a request milliseconds. Every such call goes through
# newsroom/celery.py (`call_broker`) or the throttle with these connect and read timeouts and no
# retries, and behind a circuit breaker per Redis server and process: after a failure the server
# is not called for REDIS_BREAKER_SECONDS, then one call probes. The database rows are committed
# first and the sweepers ring again, so a skipped call only delays the work.
REDIS_CONNECT_TIMEOUT = env_float("REDIS_CONNECT_TIMEOUT", 0.2)
REDIS_SOCKET_TIMEOUT = env_float("REDIS_SOCKET_TIMEOUT", 0.2)
REDIS_BREAKER_SECONDS = env_float("REDIS_BREAKER_SECONDS", 5.0)
# The same calls made by Celery workers and beat (sweepers, a task's follow-up doorbell), where
# nobody waits on them and a busy Redis should not drop a doorbell.
REDIS_WORKER_TIMEOUT = env_float("REDIS_WORKER_TIMEOUT", 5.0)
CELERY_BEAT_SCHEDULE = {
    "sweep-extraction-jobs": {
        "task": "articles.sweep_extraction_jobs",
        "schedule": env_int("EXTRACTION_SWEEP_SECONDS", 5),
    },
    # Scheduled publication (embargo): publish the articles whose time has come; an article is
    # out at most this many seconds late.
    "publish-scheduled-articles": {
        "task": "articles.publish_scheduled_articles",
        "schedule": env_int("PUBLISH_SCHEDULED_SECONDS", 5),
    },
    # Webhooks: dispatch history rows whose doorbell was lost, re-enqueue overdue deliveries.
    "sweep-webhooks": {
        "task": "integrations.sweep_webhooks",
        "schedule": env_int("WEBHOOK_SWEEP_SECONDS", 30),
    },
    # A new extractor version: re-extract articles in review or draft whose claims an older one
    # found, a few at a time (EXTRACTION_UPGRADE_BATCH).
    "reextract-outdated-articles": {
        "task": "articles.reextract_outdated_articles",
        "schedule": env_int("EXTRACTION_UPGRADE_SWEEP_SECONDS", 300),
    },
    # Claim intelligence: articles whose claims a lost message or a model upgrade left unanalysed.
    "sweep-claim-analysis": {
        "task": "review.sweep_claim_analysis",
        "schedule": env_int("CLAIM_ANALYSIS_SWEEP_SECONDS", 60),
    },
    # Evidence archive: snapshots whose doorbell was lost or whose retry is due; link rot checks
    # of published articles' evidence that are due (at most one per host per run).
    "sweep-evidence": {
        "task": "review.sweep_evidence",
        "schedule": env_int("EVIDENCE_SWEEP_SECONDS", 60),
    },
    "sweep-link-rot": {
        "task": "review.sweep_link_rot",
        "schedule": env_int("EVIDENCE_RECHECK_SWEEP_SECONDS", 60),
    },
    # Notifications: emails whose doorbell was lost or whose retry is due; the daily digests.
    "sweep-notification-emails": {
        "task": "review.sweep_notification_emails",
        "schedule": env_int("NOTIFICATION_SWEEP_SECONDS", 30),
    },
    "send-notification-digests": {
        "task": "review.send_notification_digests",
        "schedule": env_int("NOTIFICATION_DIGEST_SWEEP_SECONDS", 300),
    },
    "purge-idempotency-keys": {
        "task": "integrations.purge_idempotency_keys",
        "schedule": 3600,
    },
}

# One scheduler in a deployment, however many run (integrations/scheduler.py): the active beat
# holds a lease in the database for SCHEDULER_LEASE_SECONDS and renews it every tick; the others
# send nothing and take the lease over once it runs out (a dead machine: at most that long).
CELERY_BEAT_SCHEDULER = "integrations.scheduler:LeaderScheduler"
SCHEDULER_LEASE_SECONDS = env_int("SCHEDULER_LEASE_SECONDS", 15)
# Beat wakes at least this often, to renew its lease or, on standby, to try for it.
CELERY_BEAT_MAX_LOOP_INTERVAL = max(1, SCHEDULER_LEASE_SECONDS // 3)
# Beat's own state file (last run of each entry): per machine, in a path the deployment chose.
CELERY_BEAT_SCHEDULE_FILENAME = str(env_path("BEAT_SCHEDULE_PATH", VAR_DIR / "celerybeat-schedule"))
# Worker and scheduler heartbeats (integrations/heartbeats.py, visible in the admin): each writes
# its row this often; /readyz wants a worker's and the scheduler's seen within HEARTBEAT_MAX_AGE.
HEARTBEAT_SECONDS = env_int("HEARTBEAT_SECONDS", 5)
HEARTBEAT_MAX_AGE_SECONDS = env_int("HEARTBEAT_MAX_AGE_SECONDS", 30)
# A process silent for longer than the max age but less than this is listed as missing by
# /readyz (a process that stops cleanly says so and is not); older rows are forgotten.
HEARTBEAT_FORGET_SECONDS = env_int("HEARTBEAT_FORGET_SECONDS", 24 * 3600)

# Extraction jobs: a worker holds a job under a lease of this many seconds, renewed every third of
# it by a thread of the task while the job runs (articles/tasks.py); when a worker dies its lease
# runs out and the sweeper (every EXTRACTION_SWEEP_SECONDS) hands the job to another worker: a
# dead worker's job is taken over within lease + sweep (20 s by default). A job is failed after
# this many attempts.
EXTRACTION_LEASE_SECONDS = env_int("EXTRACTION_LEASE_SECONDS", 15)
EXTRACTION_MAX_ATTEMPTS = env_int("EXTRACTION_MAX_ATTEMPTS", 3)
# A pending job is enqueued again only after this long without being taken: long enough that a
# normal backlog is not duplicated (duplicates are harmless, only wasteful), short enough that a
# submit made while Redis was down is picked up within a minute of Redis coming back.
EXTRACTION_PENDING_GRACE_SECONDS = env_int("EXTRACTION_PENDING_GRACE_SECONDS", 60)
# One message takes up to this many pending jobs when the queue is deep, and stores them in one
# transaction (their own messages then find them done): per-message and per-transaction costs are
# paid once per batch. 1 turns it off.
EXTRACTION_BATCH_SIZE = env_int("EXTRACTION_BATCH_SIZE", 50)
# After an extractor upgrade, beat re-extracts articles in review or draft whose claims an older
# version found: at most this many such jobs unfinished at a time (the queue stays free for
# submissions). 0 turns the sweep off; `manage.py reextract_outdated` still works.
EXTRACTION_UPGRADE_BATCH = env_int("EXTRACTION_UPGRADE_BATCH", 20)
# Failure tests only: hold each extraction this many milliseconds so a worker can be killed mid-job.
EXTRACTION_DEBUG_DELAY_MS = env_int("EXTRACTION_DEBUG_DELAY_MS", 0)

# --- Articles -----------------------------------------------------------------------------------
ARTICLE_MAX_BODY_CHARS = env_int("ARTICLE_MAX_BODY_CHARS", 200_000)
ARTICLE_MAX_TITLE_CHARS = 300

# --- Review -------------------------------------------------------------------------------------
# A reviewer who opens a claim holds it this long (renewed while they work on it), so that two
# reviewers do not judge it at once; the hold ends by itself after that.
REVIEW_HOLD_SECONDS = env_int("REVIEW_HOLD_SECONDS", 300)
# How long the author of a comment on a claim may still edit it (docs/conversations.md).
COMMENT_EDIT_SECONDS = env_int("COMMENT_EDIT_SECONDS", 300)

# --- Auth ---------------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "articles:dashboard"
LOGOUT_REDIRECT_URL = "login"
# Lock a username out after repeated failures from one address (django-axes).
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("LOGIN_COOLOFF_MINUTES", 15) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

# --- Security -----------------------------------------------------------------------------------
# Behind an HTTPS proxy (DJANGO_HTTPS=true) every cookie is secure and plain HTTP is redirected.
HTTPS = env_bool("DJANGO_HTTPS", False)
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    # Probes and scrapers talk plain HTTP to each server directly.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Content-Security-Policy (django-csp): scripts, styles, fonts, fetches and frames from this origin
# only, images also as data: URLs, no plugins, no <base>, never framed, forms post here only. No
# 'unsafe-inline' and no 'unsafe-eval': the templates have no inline script, no style attribute and
# no event-handler attribute; htmx runs with allowEval off and injects no style (base.html), and
# what the markup used to do inline is in static/js/app.js. The one exception is the Redoc page,
# whose renderer injects <style> elements (integrations/docs.py). README, "Security".
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}
# Uploads and pasted bodies: a little over the article limit, so the form can say what is wrong.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_BYTES", 12 * 1024 * 1024)

# --- Static files -------------------------------------------------------------------------------
STATIC_URL = "static/"
# Where collectstatic writes and whitenoise serves from. Uploaded and archived files (the
# evidence archive's raw pages) go to the default storage: the file system under MEDIA_ROOT
# unless a deployment configures another backend in STORAGES. MEDIA_URL is never served as
# such: files are downloaded through permission checks.
STATIC_ROOT = env_path("STATIC_ROOT", BASE_DIR / "staticfiles")
MEDIA_URL = "media/"
MEDIA_ROOT = env_path("MEDIA_ROOT", VAR_DIR / "media")
STATICFILES_DIRS = [BASE_DIR / "static"]
# htmx comes from the npm registry (package.json); bin/setup installs it into node_modules.
HTMX_DIST = BASE_DIR / "node_modules" / "htmx.org" / "dist"
if HTMX_DIST.is_dir():
    STATICFILES_DIRS.append(("vendor/htmx", HTMX_DIST))
STORAGES = {
    # Files under MEDIA_ROOT (read when used, so a test may point it elsewhere).
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- REST framework -----------------------------------------------------------------------------
# The plumbing named here is articles/rest.py (every app's API imports it); only the token class
# lives with the tokens, in integrations.
REST_FRAMEWORK = {
    # Bearer tokens (integrations.ApiToken, also `Token <key>`) for other systems; the browser's
    # session for the UI, where DRF's SessionAuthentication enforces CSRF. The token class comes
    # first, so an anonymous request gets 401 with `WWW-Authenticate: Bearer`.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "integrations.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Deny by default; each view adds the role predicates of articles/permissions.py.
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    # JSON in and out. integrations.middleware.RequestBodyMiddleware has refused bodies over
    # API_MAX_REQUEST_BYTES (413) before the parser runs, chunked ones included.
    "DEFAULT_PARSER_CLASSES": ["articles.rest.StrictJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # An unknown or empty `?format=` is a 400 listing the endpoint's formats (DRF: 404).
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "articles.rest.StrictContentNegotiation",
    # Every error is JSON {"detail": ..., "errors"?: {field: [...]}} with a 4xx status; domain
    # errors of the services map to 400/403/404/409 (docs/api.md).
    "EXCEPTION_HANDLER": "articles.rest.exception_handler",
    # Write requests (POST/PUT/PATCH/DELETE) are rate-limited per user, counted in Redis.
    "DEFAULT_THROTTLE_CLASSES": ["articles.rest.WriteRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"write": env_str("API_WRITE_RATE", "120/min")},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "newsroom API",
    "DESCRIPTION": "Articles, claims, verdicts and the publication gate.",
    "VERSION": "1.0.0",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # The schema describes the API, not its own endpoint; one name per choice set.
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "ArticleStatusEnum": "articles.models.Article.Status",
        "ClaimVerdictEnum": "articles.models.Claim.Verdict",
        "VerdictInputEnum": ["verified", "unverified"],
        "ExtractionJobStateEnum": "articles.models.ExtractionJob.State",
    },
}
# The write rate as "<count>/<sec|min|hour|day>"; read on every request, so tests may change it.
API_WRITE_RATE = REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["write"]
if API_WRITE_RATE and not re.fullmatch(
    r"\d+/(s|sec|second|m|min|minute|h|hour|d|day)", API_WRITE_RATE
):
    raise ImproperlyConfigured(f"API_WRITE_RATE must look like 120/min, got {API_WRITE_RATE!r}")
# Two kinds of limit, one rule each (docs/api.md, *Limits*). A field's limit is in characters:
# over it is a 400 naming the field and the limit (ARTICLE_MAX_TITLE_CHARS, ARTICLE_MAX_BODY_CHARS,
# API_MAX_HTML_CHARS for a feed's HTML, which may be larger than the text it becomes). The request
# body's limit is in bytes: over it is a 413, refused before it is read
# (integrations/middleware.py). The byte limit must hold the largest request the field limits
# allow however its JSON is written (a character outside the BMP escaped as \uXXXX\uXXXX takes
# 12 bytes), or a field over its limit would be a 413 for some clients and a 400 for others.
API_MAX_HTML_CHARS = env_int("API_MAX_HTML_CHARS", 1_000_000)
# The most markup openings (`<` then a letter, `/`, `!` or `?`) such HTML may hold: with the
# length limit, this bounds the CPU one create spends converting it (docs/api.md).
API_MAX_HTML_ELEMENTS = env_int("API_MAX_HTML_ELEMENTS", 100_000)
API_MAX_REQUEST_BYTES = env_int("API_MAX_REQUEST_BYTES", 12 * 1024 * 1024)
LARGEST_VALID_REQUEST_BYTES = 12 * (API_MAX_HTML_CHARS + ARTICLE_MAX_TITLE_CHARS) + 64 * 1024
if API_MAX_REQUEST_BYTES < LARGEST_VALID_REQUEST_BYTES:
    raise ImproperlyConfigured(
        f"API_MAX_REQUEST_BYTES ({API_MAX_REQUEST_BYTES:,}) must be at least "
        f"{LARGEST_VALID_REQUEST_BYTES:,}, the largest request API_MAX_HTML_CHARS allows in JSON: "
        "raise it, or lower API_MAX_HTML_CHARS."
    )
if DATA_UPLOAD_MAX_MEMORY_SIZE < API_MAX_REQUEST_BYTES:
    # Django refuses (400) a body over its own limit when DRF reads it.
    raise ImproperlyConfigured(
        f"DATA_UPLOAD_MAX_BYTES ({DATA_UPLOAD_MAX_MEMORY_SIZE:,}) must be at least "
        f"API_MAX_REQUEST_BYTES ({API_MAX_REQUEST_BYTES:,}): "
        "the API reads its bodies through Django."
    )
# POST /api/v1/articles/bulk takes at most this many articles per request (integrations/bulk.py).
API_BULK_MAX_ARTICLES = env_int("API_BULK_MAX_ARTICLES", 100)
# A retried create with the same Idempotency-Key gets the stored response for this long.
IDEMPOTENCY_KEY_TTL_SECONDS = env_int("IDEMPOTENCY_KEY_TTL_SECONDS", 24 * 3600)

# The default cache stays in process memory. The "throttle" cache is shared by every web worker
# (Redis), with the short timeouts above and no retries: when Redis is down or stalled the
# throttle lets requests through (logged once per outage, by the same breaker as the doorbells).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # API reads keyed by the data version (articles/cache.py): tokens with their users and
    # roles, rendered pages of the article list. In process memory: each worker keeps its own.
    "api": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "api",
        "OPTIONS": {"MAX_ENTRIES": 1000},
    },
    "throttle": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env_str("THROTTLE_REDIS_URL", REDIS_URL),
        "KEY_PREFIX": "throttle",
        "OPTIONS": {
            "socket_connect_timeout": REDIS_CONNECT_TIMEOUT,
            "socket_timeout": REDIS_SOCKET_TIMEOUT,
            "retry": Retry(NoBackoff(), 0),
        },
    },
}

# --- ClaimReview export (schema.org) --------------------------------------------------------------
NEWSROOM_ORGANIZATION_NAME = env_str("NEWSROOM_ORGANIZATION_NAME", "Newsroom")
NEWSROOM_ORGANIZATION_URL = env_str("NEWSROOM_ORGANIZATION_URL", "https://newsroom.example")

# --- Webhooks -------------------------------------------------------------------------------------
# Deliveries: short timeouts, bounded attempts with exponential backoff
# (WEBHOOK_BACKOFF_SECONDS × 2^(attempt-1), at most WEBHOOK_BACKOFF_MAX_SECONDS).
WEBHOOK_TIMEOUT_SECONDS = float(env_str("WEBHOOK_TIMEOUT_SECONDS", "5"))
WEBHOOK_MAX_ATTEMPTS = env_int("WEBHOOK_MAX_ATTEMPTS", 8)
WEBHOOK_BACKOFF_SECONDS = float(env_str("WEBHOOK_BACKOFF_SECONDS", "15"))
WEBHOOK_BACKOFF_MAX_SECONDS = float(env_str("WEBHOOK_BACKOFF_MAX_SECONDS", "1800"))
# The sweeper re-enqueues a pending delivery this long after it was due (its message was lost).
WEBHOOK_SWEEP_GRACE_SECONDS = env_int("WEBHOOK_SWEEP_GRACE_SECONDS", 60)
# SSRF guard: targets that resolve to loopback, private, link-local or reserved addresses are
# refused unless this is true (tests deliver to 127.0.0.1). A production deployment may want an
# explicit allow-list of receiver hosts on top (or an egress proxy).
WEBHOOK_ALLOW_PRIVATE_TARGETS = env_bool("WEBHOOK_ALLOW_PRIVATE_TARGETS", False)
# This app's public base URL, for the links in webhook payloads (empty: paths only).
WEBHOOK_SITE_URL = env_str("WEBHOOK_SITE_URL", "")

# --- Email and notifications (review/notifications, docs/notifications.md) --------------------------
# EMAIL_URL (smtp://user:password@host:port, smtps:// for implicit TLS, ?tls=1 for STARTTLS) or
# the usual EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS,
# EMAIL_USE_SSL. Neither set: the console backend (the email is printed by the worker), which is
# bin/run's demo default. EMAIL_BACKEND overrides both.


def email_settings(url: str) -> dict[str, object]:
    """Django's email settings from an smtp:// or smtps:// URL (user and password URL-quoted)."""
    from urllib.parse import parse_qs, unquote, urlsplit

    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ImproperlyConfigured("EMAIL_URL must look like smtp://user:password@host:port")
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    ssl = parts.scheme == "smtps" or query.get("ssl") in ("1", "true")
    return {
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": parts.port or (465 if ssl else 25),
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_SSL": ssl,
        "EMAIL_USE_TLS": not ssl and query.get("tls") in ("1", "true"),
    }


EMAIL_URL = env_str("EMAIL_URL", "")
if EMAIL_URL:
    globals().update(email_settings(EMAIL_URL))
else:
    EMAIL_HOST = env_str("EMAIL_HOST", "")
    EMAIL_PORT = env_int("EMAIL_PORT", 25)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
# A stalled SMTP server costs an attempt this long, never a request (sending is a task).
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Newsroom <newsroom@localhost>")
# This app's public base URL, for the links in emails (and, unless set apart, in webhooks).
SITE_URL = env_str("SITE_URL", "") or WEBHOOK_SITE_URL or "http://127.0.0.1:8000"
# An email that could not be sent is tried again after NOTIFICATION_EMAIL_BACKOFF_SECONDS,
# doubling each time up to NOTIFICATION_EMAIL_BACKOFF_MAX_SECONDS, at most
# NOTIFICATION_EMAIL_MAX_ATTEMPTS times in all; then it is marked failed (admin: Email messages).
NOTIFICATION_EMAIL_MAX_ATTEMPTS = env_int("NOTIFICATION_EMAIL_MAX_ATTEMPTS", 8)
NOTIFICATION_EMAIL_BACKOFF_SECONDS = env_float("NOTIFICATION_EMAIL_BACKOFF_SECONDS", 30)
NOTIFICATION_EMAIL_BACKOFF_MAX_SECONDS = env_float("NOTIFICATION_EMAIL_BACKOFF_MAX_SECONDS", 3600)
# The sweep re-rings an email (or a notification's immediate email) whose message was lost this
# long after it was due; it runs every NOTIFICATION_SWEEP_SECONDS.
NOTIFICATION_SWEEP_SECONDS = env_int("NOTIFICATION_SWEEP_SECONDS", 30)
NOTIFICATION_SWEEP_GRACE_SECONDS = env_int("NOTIFICATION_SWEEP_GRACE_SECONDS", 60)
# The daily digest goes out at this hour of each user's own time zone (0-23): the digest sweep
# (every NOTIFICATION_DIGEST_SWEEP_SECONDS) sends one to each user whose hour has come and who
# has had none yet that local day.
NOTIFICATION_DIGEST_HOUR = env_int("NOTIFICATION_DIGEST_HOUR", 7)
NOTIFICATION_DIGEST_SWEEP_SECONDS = env_int("NOTIFICATION_DIGEST_SWEEP_SECONDS", 300)

# --- Health and metrics ---------------------------------------------------------------------------
# /metrics (Prometheus text format) answers only a caller with this bearer token or from one of
# these addresses or networks (comma-separated, e.g. 127.0.0.1,10.0.0.0/8); neither set: nobody.
METRICS_TOKEN = env_str("METRICS_TOKEN", "")
METRICS_ALLOWED_IPS = env_list("METRICS_ALLOWED_IPS", [])

# --- Evidence archive (review/evidence) ------------------------------------------------------------
# Every evidence URL is fetched through the outbound guard (outbound/): http(s) only, each
# redirect hop checked again, at most EVIDENCE_MAX_REDIRECTS of them, EVIDENCE_MAX_BYTES per page,
# a total deadline of EVIDENCE_TIMEOUT_SECONDS. Pages on loopback, private, link-local or shared
# addresses are refused unless EVIDENCE_ALLOW_PRIVATE_ADDRESSES (tests; an intranet deployment).
EVIDENCE_ALLOW_PRIVATE_ADDRESSES = env_bool("EVIDENCE_ALLOW_PRIVATE_ADDRESSES", False)
# Or lift those refusals for these networks only ("10.1.2.0/24,127.0.0.1/32"): an intranet
# statistics server, the tests' page server.
EVIDENCE_ALLOWED_NETWORKS = env_list("EVIDENCE_ALLOWED_NETWORKS", [])
EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_BYTES", 10 * 1024 * 1024)
EVIDENCE_MAX_REDIRECTS = env_int("EVIDENCE_MAX_REDIRECTS", 5)
EVIDENCE_TIMEOUT_SECONDS = env_float("EVIDENCE_TIMEOUT_SECONDS", 30.0)
EVIDENCE_READ_TIMEOUT_SECONDS = env_float("EVIDENCE_READ_TIMEOUT_SECONDS", 10.0)
# A failed fetch that may succeed later (timeout, connection error, 5xx, 429) is tried again
# after EVIDENCE_BACKOFF_SECONDS × 2^(attempt-1), up to EVIDENCE_MAX_ATTEMPTS attempts in all.
EVIDENCE_MAX_ATTEMPTS = env_int("EVIDENCE_MAX_ATTEMPTS", 4)
EVIDENCE_BACKOFF_SECONDS = env_float("EVIDENCE_BACKOFF_SECONDS", 30.0)
# A pending snapshot whose lease ran out this long ago is enqueued again by the sweep.
EVIDENCE_SWEEP_GRACE_SECONDS = env_int("EVIDENCE_SWEEP_GRACE_SECONDS", 60)
# Link rot: the evidence of published articles is fetched again every EVIDENCE_RECHECK_DAYS
# (each page at its own time within EVIDENCE_RECHECK_SPREAD_HOURS after that, so a week's
# archive is not re-fetched in one burst), at most one page per host per sweep and at most
# EVIDENCE_RECHECK_BATCH pages per sweep. 0 days turns the re-checks off.
EVIDENCE_RECHECK_DAYS = env_float("EVIDENCE_RECHECK_DAYS", 7.0)
EVIDENCE_RECHECK_SPREAD_HOURS = env_float("EVIDENCE_RECHECK_SPREAD_HOURS", 24.0)
EVIDENCE_RECHECK_BATCH = env_int("EVIDENCE_RECHECK_BATCH", 50)

# --- Logging ------------------------------------------------------------------------------------
# LOG_FORMAT=json: one JSON object per line (time, level, logger, message, and the request id,
# user id, article id and job id of the work in progress: integrations/logs.py); plain text
# otherwise. LOG_FILE: also append to this file (the terminal or the journal gets every line).
LOG_FORMAT = env_str("LOG_FORMAT", "plain")
if LOG_FORMAT not in {"plain", "json"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be plain or json, got {LOG_FORMAT!r}")
LOG_FILE = env_str("LOG_FILE", "")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "integrations.logs.ContextFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "integrations.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["context"],
        },
        **(
            {
                "file": {
                    "class": "logging.handlers.WatchedFileHandler",
                    "filename": LOG_FILE,
                    "formatter": LOG_FORMAT,
                    "filters": ["context"],
                }
            }
            if LOG_FILE
            else {}
        ),
    },
    "root": {
        "handlers": ["console", "file"] if LOG_FILE else ["console"],
        "level": env_str("LOG_LEVEL", "INFO"),
    },
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
