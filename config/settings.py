"""
Settings for the AI Capex Tracker, read from the environment.

Two ways to run, one module:

* Embedded default (no variables at all): SQLite next to manage.py, the local-memory
  cache, Celery tasks run in process, DEBUG on. This is what `make run` and `make test` use.
* Production (DATABASE_URL set, as in docker-compose.yml): PostgreSQL through psycopg 3,
  Redis as Celery broker and cache, DEBUG off unless asked for. With DEBUG off a missing,
  placeholder or short SECRET_KEY, or a missing ALLOWED_HOSTS, stops the start with a clear message.

Every variable is listed in .env.example.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()


def _secret(name: str, default: str | None = None) -> str | None:
    """A secret from NAME, or from the file that NAME_FILE points at (Docker secrets)."""
    file_path = env.str(f"{name}_FILE", default="")
    if file_path:
        try:
            return Path(file_path).read_text().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={file_path} cannot be read: {exc}") from exc
    return env.str(name, default=default)


# The embedded default is the absence of a database URL: nothing to configure.
# Like SECRET_KEY, the URLs (which hold passwords) may come from DATABASE_URL_FILE / REDIS_URL_FILE.
DATABASE_URL = _secret("DATABASE_URL", default="")
EMBEDDED = not DATABASE_URL

DEBUG = env.bool("DEBUG", default=EMBEDDED)

SECRET_KEY = _secret("SECRET_KEY")
if not SECRET_KEY:
    if DEBUG:
        # Only ever used on a developer's machine: DEBUG is on and nothing is exposed.
        SECRET_KEY = "embedded-default-insecure-key-for-local-use-only"  # noqa: S105
    else:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. With DEBUG off the app needs SECRET_KEY (or SECRET_KEY_FILE) "
            "in the environment; see .env.example."
        )

# Values from examples and tutorials, which an attacker tries first; Django's own generated
# development keys start with "django-insecure-".
PLACEHOLDER_SECRET_KEYS = ("change-me", "changeme", "change_me", "secret", "insecure", "django-insecure")
# The command that makes a key, not a key.
KEY_COMMAND = (
    'python -c "from django.core.management.utils import get_random_secret_key; print(get_random_secret_key())"'
)
if not DEBUG and (
    len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.lower().startswith(PLACEHOLDER_SECRET_KEYS)
):
    raise ImproperlyConfigured(
        "SECRET_KEY is a placeholder or too weak: with DEBUG off it needs at least 50 characters, 5 of "
        f"them different, and must not start like an example value. Make one with: {KEY_COMMAND}"
    )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS is not set. With DEBUG off the app needs ALLOWED_HOSTS, a comma-separated "
        "list of host names; see .env.example."
    )
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_countries",
    "simple_history",
    "import_export",
    "corsheaders",
    "csp",
    "axes",
    "config.apps.SiteConfig",
    "companies",
    "sources",
    "currencies",
    "capex",
    "filings",
    "inbox",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # A query cancelled by the statement timeout is a 503 that says to narrow the request.
    "config.timeouts.StatementTimeoutMiddleware",
    "config.csp.CSPMiddleware",  # django-csp's, with the site-wide policy built once
    # Last, as django-axes asks: turns a locked-out login into its lockout answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

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
                "currencies.context_processors.rates_freshness",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": env.db_url_config(DATABASE_URL or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The figures' covering index (capex.Investment, `include=`) is for PostgreSQL; SQLite builds
    # it without the included columns, which Django reports on every command (models.W040). The
    # index works either way, so the embedded default does not greet each `make run` with it.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
if not EMBEDDED:
    # Persistent connections, checked before reuse so a restarted PostgreSQL is survived.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # No JIT compilation: its start-up cost exceeds the run time of the app's queries, which
        # are short and planned on indexes. Every statement is bounded: a web request's at
        # DATABASE_STATEMENT_TIMEOUT_MS (30 s), so an unbounded query cannot hold a web worker and
        # database workers for minutes (config/timeouts.py answers 503); bin/worker, bin/beat and
        # bin/release give jobs a longer bound. 0 turns it off.
        statement_timeout = env.int("DATABASE_STATEMENT_TIMEOUT_MS", default=30_000)
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
            f"-c jit=off -c statement_timeout={statement_timeout}"
        )
        # Parameters bound by the server and statements prepared after their fifth run on a
        # connection: the list queries are few and repeated, so planning them once per
        # connection saves most of PostgreSQL's work on them.
        # Turn off (DATABASE_PREPARED_STATEMENTS=false) behind a transaction-pooling proxy.
        if env.bool("DATABASE_PREPARED_STATEMENTS", default=True):
            DATABASES["default"]["OPTIONS"]["server_side_binding"] = True
            DATABASES["default"]["OPTIONS"]["prepare_threshold"] = 5

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = _secret("REDIS_URL", default="")

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "config.cache.FailOpenRedisCache",
            "LOCATION": REDIS_URL,
            "TIMEOUT": 300,
            # Short timeouts: a cache that is down must not hold up a page.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out account before the password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

LOGIN_URL = "admin:login"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Security (production values; harmless in the embedded default) -------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# A signed-in session ends after this many hours.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE_HOURS", default=12) * 3600

# The admin lives at a configurable path, so that it is not where every scanner looks first.
ADMIN_URL = env.str("ADMIN_URL", default="admin/").strip("/") + "/"
if ADMIN_URL == "/":
    raise ImproperlyConfigured("ADMIN_URL must name a path, such as 'admin/' or 'staff-7f3a/'.")

# Content-Security-Policy (django-csp): the pages have no inline script or style, so nothing
# inline is allowed. Only the API documentation pages (Swagger UI, Redoc) relax it; see config/urls.py.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# Login lockout (django-axes), within OWASP ASVS 4.0 2.2.1 (at most 100 failed attempts per hour
# on one account from one client): after AXES_FAILURE_LIMIT failures a user name is locked for that
# client address for AXES_COOLOFF_MINUTES, so at most limit x 60 / cool-off failures an hour.
# The lock is temporary, so a locked account is a nuisance for minutes, not a denial of service.
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
# A lock is on a user name from one client address: behind a load balancer that the app does not
# trust (TRUSTED_PROXY_COUNT=0) every request has the balancer's address, and a lock on the address
# alone would lock everyone out.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Behind N trusted proxies the client address is the Nth from the right in X-Forwarded-For;
# with none (the default) only the socket address counts, which a client cannot forge. The one
# setting the throttles (NUM_PROXIES below), the lockout and gunicorn's access log all read.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 (no proxy) or the number of proxies in front of the app.")
AXES_CLIENT_IP_CALLABLE = "config.client_ip.client_ip"
AXES_VERBOSE = False
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
if AXES_FAILURE_LIMIT < 1 or AXES_FAILURE_LIMIT * 60 / max(AXES_COOLOFF_TIME.total_seconds() / 60, 1) > 100:
    raise ImproperlyConfigured(
        "AXES_FAILURE_LIMIT and AXES_COOLOFF_MINUTES allow more than 100 failed logins an hour on one account "
        "(OWASP ASVS 2.2.1); lower the limit or lengthen the cool-off."
    )

# --- REST API ------------------------------------------------------------------------------
# Reads are public (published figures only); writes need a token (knox: stored hashed, with an
# expiry, revocable at /api/v1/auth/logout/) or a session, and the model permission for the write.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # First, so an anonymous write is answered 401 with a WWW-Authenticate challenge.
        "config.api.authentication.TokenAuthentication",
        "config.api.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["config.api.permissions.ModelPermissionsOrReadOnly"],
    "DEFAULT_FILTER_BACKENDS": [
        "config.api.filters.FilterBackend",
        "config.api.filters.WhitelistOrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "config.api.pagination.CursorPagination",
    "PAGE_SIZE": 50,
    # JSON first: a client that asks for */* or nothing gets JSON. A browser (Accept: text/html)
    # gets the same answer as DRF's browsable API (templates/rest_framework/api.html).
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": ["config.api.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "config.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "config.api.exceptions.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "config.api.throttling.AnonRateThrottle",
        "config.api.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_THROTTLE_ANON", default="120/minute"),
        "user": env.str("API_THROTTLE_USER", default="600/minute"),
        # Token logins per client address, counted before the credentials are checked.
        "login": env.str("API_THROTTLE_LOGIN", default="10/minute"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # X-Forwarded-For is believed only from this many proxies (config.client_ip).
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}

# The licence of the data package (config/api/datapackage.py). Quotes remain their publishers'.
DATA_LICENCE = env.str("DATA_LICENCE", default="CC-BY-4.0")
DATA_LICENCE_TITLE = env.str("DATA_LICENCE_TITLE", default="Creative Commons Attribution 4.0")
DATA_LICENCE_URL = env.str("DATA_LICENCE_URL", default="https://creativecommons.org/licenses/by/4.0/")

# Researcher pages that compute totals or search, per client address (config.page_throttle).
PAGE_THROTTLE_RATE = env.str("PAGE_THROTTLE_RATE", default="60/minute")

# API tokens (django-rest-knox): only a hash is stored; each token expires and can be revoked.
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=env.int("API_TOKEN_TTL_DAYS", default=30)),
    "TOKEN_LIMIT_PER_USER": 20,
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "AI Capex Tracker API",
    "DESCRIPTION": (
        "Announced AI infrastructure investments by company, with the sources every figure comes "
        "from and USD conversions at ECB reference rates.\n\n"
        "Reading is open to everyone and returns published figures. Writing needs a token from "
        "`POST /api/v1/auth/login/` (HTTP Basic credentials), sent as `Authorization: Token <token>`, "
        "and the matching model permission; figures written through the API are drafts until a "
        "reviewer publishes them. Lists use cursor pagination, accept `?format=csv`, and have a "
        "streaming `export/` (CSV or JSON Lines) of every matching row. Totals in `/api/v1/stats/` "
        "never double count: only top-level, current, published figures add up, and components only "
        "split their parent."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "CurrencyEnum": "currencies.choices.CURRENCY_CHOICES",
        "CountryEnum": "companies.filters.COUNTRY_CHOICES",
        "CompanyKindEnum": "companies.choices.CompanyKind",
        "PublisherKindEnum": "sources.choices.PublisherKind",
        "SourceKindEnum": "sources.choices.SourceKind",
        "InvestmentStatusEnum": "capex.choices.Status",
        "RefreshStatusEnum": "currencies.choices.RefreshStatus",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.api.schema.add_error_responses",
    ],
}

# Cross-origin reads only: browsers elsewhere may read the API; writes stay same-origin.
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_EXPOSE_HEADERS = ["ETag", "Link", "Retry-After"]

# --- Currencies ----------------------------------------------------------------------------
# Where the live ECB provider fetches its feeds from; tests point it at a local server.
ECB_BASE_URL = env.str("ECB_BASE_URL", default="https://www.ecb.europa.eu/stats/eurofxref/")
# (connect, read) timeouts in seconds for every provider request.
RATES_HTTP_TIMEOUT = (env.float("RATES_CONNECT_TIMEOUT", default=5.0), env.float("RATES_READ_TIMEOUT", default=30.0))
# A conversion uses the latest rate on or before the wanted date, at most this many days before it.
RATES_TOLERANCE_DAYS = env.int("RATES_TOLERANCE_DAYS", default=7)
# Rates are called stale when the newest one is more than this many business days old.
RATES_STALE_BUSINESS_DAYS = env.int("RATES_STALE_BUSINESS_DAYS", default=4)
# The provider the scheduled refresh uses: "ecb" live in production, "ecb_bundled" offline.
RATES_DEFAULT_PROVIDER = env.str("RATES_DEFAULT_PROVIDER", default="ecb_bundled" if EMBEDDED else "ecb")
# Tasks started (dotted paths, `.delay()`) after new rates land; currencies never imports capex.
CURRENCIES_AFTER_RATES_CHANGE = ["capex.tasks.recompute_conversions"]

# --- Filings (reported spending from SEC EDGAR) ----------------------------------------------
# SEC's fair-access policy: every request names the organisation and a contact address; requests
# without one are refused. Set it to your own in production.
SEC_USER_AGENT = env.str("SEC_USER_AGENT", default="AI Capex Tracker admin@example.com")
# The XBRL JSON API's base address; tests point it at a local server.
SEC_API_BASE_URL = env.str("SEC_API_BASE_URL", default="https://data.sec.gov/api/xbrl/")
# At most this many requests a second (the SEC allows 10).
SEC_MAX_REQUESTS_PER_SECOND = env.float("SEC_MAX_REQUESTS_PER_SECOND", default=8.0)
# (connect, read) timeouts in seconds for every EDGAR request.
SEC_HTTP_TIMEOUT = (env.float("SEC_CONNECT_TIMEOUT", default=5.0), env.float("SEC_READ_TIMEOUT", default=30.0))

# --- Inbox (watched feeds) ------------------------------------------------------------------
# Every feed and page request names the project and a contact, as polite crawlers do. Required
# with DEBUG off: there is no default then, and a poll without it (or with an example.org contact)
# sends nothing and its run says why (inbox.fetching.user_agent_problem). `make run` has a local one.
INBOX_USER_AGENT = env.str(
    "INBOX_USER_AGENT", default="ai-capex-tracker inbox, local copy (+https://example.org/contact)" if DEBUG else ""
)
# (connect, read) timeouts in seconds for feed and page requests.
INBOX_HTTP_TIMEOUT = (5.0, 30.0)

# --- Celery --------------------------------------------------------------------------------
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
# Without a broker (the embedded default) tasks run in process, synchronously.
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
# Acknowledge after the task ran, so a worker killed mid-task leaves it to be redelivered.
CELERY_TASK_ACKS_LATE = True
# A task whose worker process died is rejected back to the queue, not lost.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Take one message at a time: long recomputes must not hoard queued refreshes.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Every task is bounded; tasks may set tighter limits of their own.
CELERY_TASK_SOFT_TIME_LIMIT = 600
CELERY_TASK_TIME_LIMIT = 660
# Redis redelivers an unacknowledged message after this long; longer than any task runs.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "Europe/Berlin"
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# The ECB publishes its reference rates at about 16:00 CET on working days.
CELERY_BEAT_SCHEDULE = {
    "refresh-rates-after-ecb-publication": {
        "task": "currencies.tasks.refresh_rates",
        "schedule": crontab(minute=30, hour="16,17", day_of_week="mon-fri"),
    },
    "refresh-rates-daily-catch-up": {
        "task": "currencies.tasks.refresh_rates",
        "schedule": crontab(minute=15, hour=6),
    },
    # A backstop for the stored slices of totals (capex.services.slices): a figure changed
    # outside the services is counted right again by the next morning.
    # Watched feeds are polled each on its own interval; this run only picks the due ones.
    "poll-inbox-feeds": {
        "task": "inbox.tasks.poll_feeds",
        "schedule": crontab(minute="*/5"),
    },
    "rebuild-slices-nightly": {
        "task": "capex.tasks.rebuild_slices",
        "schedule": crontab(minute=45, hour=3),
    },
    # Companies file 10-Qs and 10-Ks a few times a year; a weekly pass picks them up.
    "refresh-reported-capex-weekly": {
        "task": "filings.tasks.refresh_reported",
        "schedule": crontab(minute=0, hour=5, day_of_week="sun"),
    },
}
# Also refresh every N seconds when set: the end-to-end tests use it to make beat fire at once.
RATES_REFRESH_INTERVAL_SECONDS = env.int("RATES_REFRESH_INTERVAL_SECONDS", default=0)
if RATES_REFRESH_INTERVAL_SECONDS > 0:
    CELERY_BEAT_SCHEDULE["refresh-rates-every-interval"] = {
        "task": "currencies.tasks.refresh_rates",
        "schedule": float(RATES_REFRESH_INTERVAL_SECONDS),
    }
