"""
Settings shared by every environment. Every value comes from the environment through one
``env`` object (django-environ); a value that does not parse fails loudly at start-up.

https://docs.djangoproject.com/en/5.2/ref/settings/
"""

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import django_stubs_ext
import environ
from django.core.exceptions import ImproperlyConfigured

# Django's generic classes (``ModelAdmin[Contact]``, ``Paginator[Any]``) as mypy reads them.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


TRUE, FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off", ""}


def env_bool(name: str, *, default: bool) -> bool:
    """A yes/no from the environment; a misspelt value ("ture") stops the start-up instead
    of reading as False (django-environ's ``env.bool`` takes anything unknown for False)."""
    raw = env.str(name, default=str(default)).strip().lower()
    if raw not in TRUE | FALSE:
        raise ImproperlyConfigured(f"{name} must be true or false (not {raw!r}).")
    return raw in TRUE


def env_date(name: str, *, default: date) -> date:
    """A YYYY-MM-DD date from the environment; anything else stops the start-up."""
    raw = env.str(name, default=default.isoformat())
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a date, YYYY-MM-DD (not {raw!r}).") from None


SECRET_KEY = env("SECRET_KEY", default="insecure-local-only-key-change-me-in-production")
DEBUG = env_bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",  # trigram similarity for duplicates (PostgreSQL only)
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_countries",
    "django_htmx",
    "axes",
    "csp",
    "leadfunnel",
    "leads",
    "scoring",
    "sales",
    "sla",
    "reporting",
    "integrations",
    "capture",
    "audit",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    # A database that refuses connections: a 503 page, not a 500 (API: leadfunnel/api).
    "leadfunnel.middleware.DatabaseUnavailableMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The browser's language (or the switcher's cookie); a signed-in user's preference wins
    # below, once the user is known.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "leadfunnel.languages.PreferredLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "audit.middleware.AuditContextMiddleware",
    "leads.middleware.MergedAwayMiddleware",
    # Last, as django-axes asks: it turns a locked-out log-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "leadfunnel.urls"
WSGI_APPLICATION = "leadfunnel.wsgi.application"

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
                "leadfunnel.views.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
# DATABASE_URL selects the engine: a SQLite file by default (no server to install),
# PostgreSQL with postgres://user@host:5432/name.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server, the worker and beat all write to the one file: WAL lets readers go on
    # while one writes, IMMEDIATE takes the write lock when a transaction starts (not at its
    # first write, where SQLite would fail at once with "database is locked"), and the timeout
    # makes a second writer wait instead of failing.
    # https://docs.djangoproject.com/en/5.2/ref/databases/#sqlite-transaction-behavior
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # A database that accepts and never answers must become the 503 page in seconds
    # (leadfunnel/middleware.py), not a request that hangs.
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env.int(
        "DB_CONNECT_TIMEOUT", default=5
    )
    # PostgreSQL compiles a query whose estimated cost is high (JIT) before it runs it: for
    # the reports the compiling took longer than the query (velocity per rep at 100k contacts:
    # 1.38 s with it, 0.47 s without; bench/bench_reports.py). Off for the app's connections.
    _options = DATABASES["default"]["OPTIONS"]
    _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# django-axes first: it refuses a locked-out username/address pair before the password is
# checked. https://django-axes.readthedocs.io/en/latest/2_installation.html
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# A username tried from one address is locked after this many wrong passwords in a row, for
# AXES_COOLOFF_TIME hours; a right password resets the count. Other users of the address
# (an office behind one NAT) and the same user elsewhere are not locked out.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("LOGIN_LOCKOUT_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Behind a reverse proxy every request comes from the proxy's address: the client's is the
# one the nearest of TRUSTED_PROXY_COUNT proxies wrote into X-Forwarded-For (entries further
# left are the client's to invent). Log-in lockouts, password-reset throttling and the API
# throttle all key on it (leadfunnel/clients.py), so nobody behind the same proxy can lock
# out another user. 0: no proxy, REMOTE_ADDR is the client.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "leadfunnel.clients.client_address"
# Password-reset e-mails per client address and per e-mail address, in an hour.
PASSWORD_RESET_LIMIT = env.int("PASSWORD_RESET_LIMIT", default=5)
# Web form submissions an hour per client address (every form together).
FORM_SUBMISSIONS_PER_HOUR = env.int("FORM_SUBMISSIONS_PER_HOUR", default=20)

# Content Security Policy (django-csp) on every response: scripts and styles from the app's
# own static files only (no inline script anywhere; charts read their data from JSON script
# tags, which do not run); inline style attributes stay allowed for progress bars' widths.
# https://django-csp.readthedocs.io/en/latest/configuration.html
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"

# --- Time and language ----------------------------------------------------------------
# Each user's language is their preference (leadfunnel.languages), else the browser's
# Accept-Language, else LANGUAGE_CODE. The catalogues live in locale/ (the .po files are the
# source; `make` compiles them).
LANGUAGES = [("en", "English"), ("fr", "Français")]
LANGUAGE_CODE = env("LANGUAGE_CODE", default="en")
if LANGUAGE_CODE not in dict(LANGUAGES):
    raise ImproperlyConfigured(f"LANGUAGE_CODE must be one of {', '.join(dict(LANGUAGES))}.")
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates and numbers as each language writes them ("4 Dec 2026", « 4 déc. 2026 »).
FORMAT_MODULE_PATH = ["leadfunnel.formats"]
TIME_ZONE = env("TIME_ZONE", default="UTC")
USE_I18N = True
# CSV files: numbers stay machine-readable (a dot for decimals) in every language; this is
# the column separator (";" suits a spreadsheet set to French).
CSV_DELIMITER = env("CSV_DELIMITER", default=",")
if len(CSV_DELIMITER) != 1 or CSV_DELIMITER in '"\r\n.':
    raise ImproperlyConfigured("CSV_DELIMITER must be one character, not a quote or a dot.")
USE_TZ = True

# --- Duplicates (leads.matching) --------------------------------------------------------
# A phone number typed without its country code is read in this region (ISO 3166 alpha-2).
PHONE_DEFAULT_REGION = env("PHONE_DEFAULT_REGION", default="FR")
# Whether ada+news@x.io and ada@x.io are suspected to be one person.
DUPLICATES_IGNORE_PLUS = env.bool("DUPLICATES_IGNORE_PLUS", default=True)
# The least score (0 to 1) for a pair to be suggested.
DUPLICATES_MIN_SCORE = env.float("DUPLICATES_MIN_SCORE", default=0.5)

# --- Static files -----------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]

# --- Cache: Redis when REDIS_URL is set (shared by every process, as the API throttle
# needs), else a per-process memory cache. The Redis one fails soft: a Redis outage must not
# fail every API request in the throttle (leadfunnel/cache.py). ---------------------------
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "leadfunnel.cache.FailSoftRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- E-mail -----------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="leadfunnel <noreply@localhost>")

# --- Celery -----------------------------------------------------------------------------
# Without REDIS_URL the broker is kombu's filesystem transport: messages are files in
# var/celery, so `make run` needs no server to install; the web server, worker and beat
# share the folder. With REDIS_URL, Redis is the broker.
CELERY_BROKER_URL = REDIS_URL or "filesystem://"
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, Any]
if REDIS_URL:
    # A Redis that accepts connections and never answers would make .delay() hang (celery
    # #4296): time out fast and let the database-backed sweeps pick the work up later.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "socket_timeout": 3,
        "socket_connect_timeout": 3,
        "visibility_timeout": 3600,
    }
else:
    _celery_folder = VAR_DIR / "celery"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_celery_folder / "queue"),
        "data_folder_out": str(_celery_folder / "queue"),
        "processed_folder": str(_celery_folder / "processed"),
        "control_folder": str(_celery_folder / "control"),
        "store_processed": False,
    }
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5}
CELERY_TASK_ACKS_LATE = True  # every task is idempotent: a redelivery does no harm
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True  # job progress lives in database rows, not in results
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# The whole beat schedule, in one place. Each task is idempotent and safe to overlap.
CELERY_BEAT_SCHEDULE = {
    "sla-sweep": {
        "task": "sla.tasks.sla_sweep",
        "schedule": env.float("SLA_SWEEP_SECONDS", default=60.0),
    },
    "tasks-remind-due": {
        "task": "sales.tasks.remind_due_tasks",
        "schedule": env.float("TASK_REMINDER_SECONDS", default=60.0),
    },
    "scoring-decay": {
        "task": "scoring.tasks.decay_scores",
        "schedule": env.float("SCORING_DECAY_SECONDS", default=3600.0),
    },
    "scoring-companies": {
        "task": "scoring.tasks.score_companies",
        "schedule": env.float("COMPANY_SCORES_SECONDS", default=300.0),
    },
    "reporting-fold-rollups": {
        "task": "reporting.tasks.fold_rollups",
        "schedule": env.float("ROLLUPS_FOLD_SECONDS", default=60.0),
    },
    "webhooks-deliver-due": {
        "task": "integrations.tasks.deliver_due_webhooks",
        "schedule": env.float("WEBHOOK_SWEEP_SECONDS", default=30.0),
    },
    # Jobs whose task was lost (the broker down at enqueue, a worker killed) are queued again.
    "imports-resume-stalled": {
        "task": "integrations.tasks.resume_stalled_imports",
        "schedule": env.float("STALLED_JOBS_SWEEP_SECONDS", default=60.0),
    },
    "scoring-resume-stalled-recomputes": {
        "task": "scoring.tasks.resume_stalled_recomputes",
        "schedule": env.float("STALLED_JOBS_SWEEP_SECONDS", default=60.0),
    },
}

# Messages after actions ("Ada Lovelace saved.") travel in a signed cookie, never in the
# session table: an erased person's name must not stay behind in a stored session.
MESSAGE_STORAGE = "django.contrib.messages.storage.cookie.CookieStorage"

# --- REST API ---------------------------------------------------------------------------
# API keys (leads/api_keys.py, stored as hashes) expire this many days after they are made;
# 0: never.
API_KEY_LIFETIME_DAYS = env.int("API_KEY_LIFETIME_DAYS", default=365)
# JSON bodies (leadfunnel/api/parsers.py): the largest body (the events endpoint allows
# EVENTS_MAX_BODY_BYTES), and the deepest nesting; past them a 413 or a 400 in JSON.
API_MAX_BODY_BYTES = env.int("API_MAX_BODY_BYTES", default=2_621_440)
API_JSON_MAX_DEPTH = env.int("API_JSON_MAX_DEPTH", default=32)
# A batch of 1,000 events of up to EVENT_MAX_PROPERTIES_BYTES of properties each fits.
EVENT_MAX_PROPERTIES_BYTES = env.int("EVENT_MAX_PROPERTIES_BYTES", default=8192)
EVENTS_MAX_BODY_BYTES = env.int("EVENTS_MAX_BODY_BYTES", default=10_485_760)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "leads.api.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    # JSON bodies only (the contract's; a form cannot tell null from "null" nor an empty
    # list from none): the CSV import, a file upload, takes multipart of its own.
    "DEFAULT_PARSER_CLASSES": ["leadfunnel.api.parsers.LimitedJSONParser"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "leadfunnel.api.pagination.PageNumberPagination",
    "DEFAULT_SCHEMA_CLASS": "leadfunnel.api.schema.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("THROTTLE_ANON", default="60/min"),
        "user": env("THROTTLE_USER", default="6000/min"),
    },
    "EXCEPTION_HANDLER": "leadfunnel.api.exceptions.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS: dict[str, Any] = {
    "TITLE": "leadfunnel API",
    "DESCRIPTION": "Contacts, stages, scoring, SLA and reports of the lead lifecycle.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from the project's own static files, never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1/",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "leadfunnel.api.schema.document_missing_pages",
    ],
    "ENUM_NAME_OVERRIDES": {
        "StageEnum": "leads.models.Stage",
        "ChannelEnum": "leads.models.Channel",
    },
}

# --- Logging: to stderr, never personal data (messages carry ids, not e-mails; the mask
# filter is the net under them). --------------------------------------------------------
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"mask": {"()": "leadfunnel.logging.MaskPersonalData"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["mask"]}
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # django-axes tells every successful log-in at INFO; failures and lock-outs are warnings.
    "loggers": {"axes": {"level": env("AXES_LOG_LEVEL", default="WARNING")}},
}

# --- dates: the window every typed or sent date falls in (leads/dates.py) ---
# The earliest day anything may carry (an event, a campaign, a report's range).
DATES_EARLIEST = env_date("DATES_EARLIEST", default=date(1970, 1, 1))
# How far ahead a plan may reach: a campaign's end, a target's month, "away until", a report.
DATES_HORIZON_DAYS = env.int("DATES_HORIZON_DAYS", default=3660)
# How far past now an event's time may be (senders' clocks drift).
EVENTS_MAX_AHEAD = timedelta(seconds=env.int("EVENTS_MAX_AHEAD_SECONDS", default=86_400))

# --- sales ---
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(
    ActivityKindEnum="sales.models.ActivityKind", TaskKindEnum="sales.models.TaskKind"
)

# --- sla ---
# Due clocks the SLA sweep claims per transaction (the beat interval is SLA_SWEEP_SECONDS).
SLA_SWEEP_BATCH = env.int("SLA_SWEEP_BATCH", default=500)
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(
    ClockKindEnum="sla.models.ClockKind", NotificationKindEnum="sla.models.NotificationKind"
)

# --- scoring ---
# Contacts rescored per transaction by a recompute or a full profile rescore: each range
# locks its contacts while it runs (about a second per 50,000 on PostgreSQL).
SCORING_CHUNK_SIZE = env.int("SCORING_CHUNK_SIZE", default=50_000)
# How long a pending or running recompute may show no progress before its task is taken for
# lost and queued again (a range takes seconds; the sweep runs every STALLED_JOBS_SWEEP_SECONDS).
RECOMPUTE_STALLED_SECONDS = env.int("RECOMPUTE_STALLED_SECONDS", default=600)
# Addresses at these domains say nothing of the employer: their contacts are grouped into a
# company by the company they gave, not by the domain (leads.companies).
FREE_MAIL_DOMAINS = (
    "gmail.com", "googlemail.com", "yahoo.com", "yahoo.fr", "ymail.com", "hotmail.com",
    "hotmail.fr", "outlook.com", "outlook.fr", "live.com", "live.fr", "msn.com", "aol.com",
    "icloud.com", "me.com", "mac.com", "proton.me", "protonmail.com", "gmx.com", "gmx.de",
    "gmx.net", "web.de", "mail.com", "mail.ru", "yandex.ru", "yandex.com", "orange.fr",
    "wanadoo.fr", "free.fr", "laposte.net", "sfr.fr", "zoho.com", "fastmail.com", "qq.com",
    "163.com",
)  # fmt: skip
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(
    DimensionEnum="scoring.models.Dimension",
    OperatorEnum="scoring.models.Operator",
    RecomputeStatusEnum="leads.models.JobStatus",
)

# --- integrations ---
# CSV import: the largest file accepted, the rows committed per transaction, and how long a
# queued or running job may show no progress before its task is taken for lost and re-queued.
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=50_000_000)
IMPORT_CHUNK_ROWS = env.int("IMPORT_CHUNK_ROWS", default=5000)
IMPORT_STALLED_SECONDS = env.int("IMPORT_STALLED_SECONDS", default=600)
# CSV export: rows fetched per round trip from the server-side cursor.
EXPORT_CHUNK_ROWS = env.int("EXPORT_CHUNK_ROWS", default=2000)
# Webhooks: per-request timeout; tries with exponential back-off (30 s, 1 min, 2 min, ...
# capped at 1 h: 12 tries span about 5 h, so a receiver down for an hour loses nothing);
# the beat sweep's time budget (WEBHOOK_SWEEP_SECONDS above is its interval).
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=10.0)
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=12)
WEBHOOK_RETRY_BASE_SECONDS = env.int("WEBHOOK_RETRY_BASE_SECONDS", default=30)
WEBHOOK_RETRY_MAX_SECONDS = env.int("WEBHOOK_RETRY_MAX_SECONDS", default=3600)
WEBHOOK_SWEEP_BUDGET_SECONDS = env.float("WEBHOOK_SWEEP_BUDGET_SECONDS", default=20.0)
# Webhooks send to public addresses only (integrations/addresses.py: no SSRF into the app's
# own network). An on-premise install whose receivers are on its private network sets this.
WEBHOOK_ALLOW_PRIVATE_TARGETS = env_bool("WEBHOOK_ALLOW_PRIVATE_TARGETS", default=False)
# httpx logs every request at INFO; every delivery attempt is in the database already.
LOGGING.setdefault("loggers", {})["httpx"] = {"level": env("HTTPX_LOG_LEVEL", default="WARNING")}
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(
    WebhookEventEnum="integrations.models.Event",
    ImportStatusEnum="integrations.models.ImportJob.Status",
    DeliveryStatusEnum="integrations.models.Delivery.Status",
)

# --- reporting ---
# Reports read their range in TIME_ZONE (above).
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(ReportModeEnum="reporting.selectors.Mode")
# Memory for a report's sorts (percentiles, groupings) on PostgreSQL, for its transaction only.
REPORTS_WORK_MEM = env("REPORTS_WORK_MEM", default="64MB")

# --- audit ---
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(
    AuditActionEnum="audit.models.Action", BreachActionEnum="sla.models.BreachAction"
)

# --- evidence ---
INSTALLED_APPS += ["evidence"]
# Signals: the event property keys and contact attributes (``attributes.<key>``) whose values
# are compared, and how many of the most common values of each are shown.
EVIDENCE_PROPERTY_KEYS = env.list("EVIDENCE_PROPERTY_KEYS", default=["url"])
EVIDENCE_ATTRIBUTE_KEYS = env.list("EVIDENCE_ATTRIBUTE_KEYS", default=[])
EVIDENCE_TOP_VALUES = env.int("EVIDENCE_TOP_VALUES", default=20)
# Suggested points: at most this many training contacts (all who converted, a sample of the
# others) are read into memory to fit the model.
EVIDENCE_TRAIN_SAMPLE = env.int("EVIDENCE_TRAIN_SAMPLE", default=200_000)
# Memory for a replay's sorts and hashes on PostgreSQL, for the analysis's statements only.
EVIDENCE_WORK_MEM = env("EVIDENCE_WORK_MEM", default="256MB")
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(
    AnalysisKindEnum="evidence.models.Kind",
    EvidenceTargetEnum="evidence.models.Target",
)
