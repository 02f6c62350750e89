"""Ontschot settings.

Every setting that differs between a laptop and a production cluster is read from the
environment; README.md lists them. Nothing here holds domain logic.
"""

import os
import tempfile
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "ja", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

_DEV_SECRET_KEY = "ontschot-development-key-not-for-production"
SECRET_KEY = os.environ.get("SECRET_KEY") or _DEV_SECRET_KEY
if SECRET_KEY == _DEV_SECRET_KEY and not DEBUG and env_bool("ONTSCHOT_PRODUCTIE", False):
    raise ImproperlyConfigured("SECRET_KEY moet gezet zijn in productie (ONTSCHOT_PRODUCTIE=1).")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    # The Django admin, open only to administrators (ontschot/beheer.py).
    "ontschot.beheer.BeheerConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_q",
    "django_htmx",
    "csp",
    "axes",
    "ninja",
    "programma",
    "projecten",
    "rapportage",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outside the API middleware: the API sets its own, stricter policy first.
    "csp.middleware.CSPMiddleware",
    "ontschot.middleware.ApiMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "ontschot.taal.TaalMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "programma.idempotentie.IdempotentieMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ontschot.urls"
WSGI_APPLICATION = "ontschot.wsgi.application"
ASGI_APPLICATION = "ontschot.asgi.application"

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
                "programma.context_processors.rollen",
            ],
        },
    },
]
# Every form widget renders with the NL Design System (Utrecht) component classes.
FORM_RENDERER = "ontschot.formulieren.UtrechtRenderer"

# Database: SQLite in the project folder unless DATABASE_URL says otherwise. The web
# process and the django-q2 worker share the SQLite file, so it runs in WAL mode with a
# busy timeout instead of failing at once on a lock.
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'ontschot.sqlite3'}"
_database = dj_database_url.parse(DATABASE_URL)
# How long a process keeps its database connection (seconds; 0: one per request). SQLite
# keeps it for ten minutes by default: opening one runs the PRAGMAs below, and closing the
# last one checkpoints the WAL, together more than a partner's whole submission costs.
# PostgreSQL opens one per request unless DB_CONN_MAX_AGE says otherwise (behind a
# connection pooler such as PgBouncer, keep it 0).
_database["CONN_MAX_AGE"] = int(
    os.environ.get("DB_CONN_MAX_AGE")
    or ("600" if _database["ENGINE"] == "django.db.backends.sqlite3" else "0")
)
_database["CONN_HEALTH_CHECKS"] = True
if _database["ENGINE"] == "django.db.backends.sqlite3":
    # Django's SQLite backend, with write transactions taking turns on a file lock
    # instead of SQLite's sleeping busy handler (see ontschot/sqlite/base.py).
    _database["ENGINE"] = "ontschot.sqlite"
    _database["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"
            " PRAGMA foreign_keys=ON;"
        ),
    }
DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis, when configured, is both the django-q2 broker and the cache.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "ontschot",
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "ontschot",
        }
    }

Q_CLUSTER: dict[str, object] = {
    "name": "ontschot",
    "workers": int(os.environ.get("Q_WORKERS", "2")),
    "timeout": int(os.environ.get("Q_TIMEOUT", "300")),
    "retry": int(os.environ.get("Q_RETRY", "600")),
    "max_attempts": int(os.environ.get("Q_MAX_ATTEMPTS", "5")),
    "catch_up": False,
    "save_limit": 1000,
    "label": "Achtergrondtaken",
    # A worker whose memory grew past this (KiB; a large PDF report takes several hundred
    # MB in WeasyPrint) is replaced by a fresh one after its task: memory returns to the
    # baseline instead of staying at the peak of the largest report.
    "max_rss": int(os.environ.get("Q_MAX_RSS_KIB", str(400 * 1024))),
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"
    # The cluster's heartbeat (django-q2's status of its workers) goes to a cache that
    # the web processes can read too, so the readiness check sees whether a worker runs:
    # files beside the SQLite database (or, for PostgreSQL without Redis, in Q_STATUS_MAP).
    CACHES["wachtrij"] = {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": os.environ.get("Q_STATUS_MAP")
        or (
            f"{_database['NAME']}-wachtrij"
            if _database["ENGINE"] == "ontschot.sqlite"
            else str(Path(tempfile.gettempdir()) / f"ontschot-wachtrij-{_database['NAME']}")
        ),
    }
    Q_CLUSTER["cache"] = "wachtrij"
Q_CLUSTER["sync"] = env_bool("Q_SYNC", False)

# Partner API limits: request bodies (a batch of 10,000 measurements is about 1.5 MB) and
# requests per API key per minute, counted in the cache (shared through Redis when set).
API_MAX_BODY_BYTES = int(os.environ.get("API_MAX_BODY_BYTES", str(8 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = API_MAX_BODY_BYTES
API_LIMIET_PER_MINUUT = int(os.environ.get("API_LIMIET_PER_MINUUT", "1200"))
API_MAX_BATCH = 10_000
# The public address of the API as the OpenAPI spec announces it.
API_SERVER_URL = os.environ.get("API_SERVER_URL", "https://ontschot.example.nl/api/v1")

# Background work: attempts and the first pause before a failed task is retried.
TAAK_MAX_POGINGEN = int(os.environ.get("TAAK_MAX_POGINGEN", "5"))
TAAK_HERHAAL_SECONDEN = int(os.environ.get("TAAK_HERHAAL_SECONDEN", "60"))

# Reminders for reporting obligations: days relative to the deadline (negative = before),
# and how late a step may still be sent after an outage.
HERINNERING_STAPPEN = os.environ.get("HERINNERING_STAPPEN", "-14,-3,1,7")
HERINNERING_MAX_ACHTERSTAND_DAGEN = int(os.environ.get("HERINNERING_MAX_ACHTERSTAND_DAGEN", "7"))
# Early warnings: spending pace off by these percentage points (severity 1, 2); an
# indicator below these percentages of its target (severity 1, 2).
SIGNAAL_BESTEDINGSTEMPO_DREMPELS = os.environ.get("SIGNAAL_BESTEDINGSTEMPO_DREMPELS", "25,40")
SIGNAAL_INDICATOR_DREMPELS = os.environ.get("SIGNAAL_INDICATOR_DREMPELS", "75,50")

# Open-data context figures: the CBS OData v4 address and tables for the weekly import
# (empty: off), and its bounds per run.
CBS_ODATA_URL = os.environ.get("CBS_ODATA_URL", "")
CBS_ODATA_TABEL = os.environ.get("CBS_ODATA_TABEL", "")
CBS_ODATA_TIMEOUT = float(os.environ.get("CBS_ODATA_TIMEOUT", "30"))
CBS_ODATA_MAX_PAGINAS = int(os.environ.get("CBS_ODATA_MAX_PAGINAS", "200"))
CBS_ODATA_MAX_DUUR = float(os.environ.get("CBS_ODATA_MAX_DUUR", "240"))

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Messages live in the session, not in a cookie: a new API key is shown once as a message.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "overzicht"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", "Nederlands"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Report PDFs: private files, outside MEDIA_ROOT and any URL; served only by views that
# check who asks. On several machines this is a shared volume.
PRIVE_MEDIA_ROOT = Path(os.environ.get("PRIVE_MEDIA_ROOT", BASE_DIR / "prive"))
# The address people use to reach Ontschot, for links in e-mails.
BASIS_URL = os.environ.get("BASIS_URL", "http://127.0.0.1:8000").rstrip("/")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = True

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# A hanging mail server must not hold a transaction (and on SQLite the write lock) open.
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Ontschot <noreply@ontschot.local>")

# --- Security -------------------------------------------------------------------------------
# Production (ONTSCHOT_PRODUCTIE=1) means HTTPS only: `manage.py check --deploy
# --fail-level WARNING` passes with nothing more than SECRET_KEY and ALLOWED_HOSTS set.
PRODUCTIE = not DEBUG and env_bool("ONTSCHOT_PRODUCTIE", False)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", PRODUCTIE)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTIE)
# Liveness and readiness probes come over plain HTTP from inside the cluster; they answer
# there instead of being redirected (they carry no cookies and show no personal data).
SECURE_REDIRECT_EXEMPT = [r"^gezondheid(/|$)"]
# HSTS: a year by default in production. Sub-domains and preloading can be switched off;
# who does so on purpose is not warned about it again by the deploy check.
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS") or (31_536_000 if PRODUCTIE else 0))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", PRODUCTIE)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", PRODUCTIE)
SILENCED_SYSTEM_CHECKS: list[str] = []
if SECURE_HSTS_SECONDS and not SECURE_HSTS_INCLUDE_SUBDOMAINS:
    SILENCED_SYSTEM_CHECKS.append("security.W005")
if SECURE_HSTS_SECONDS and not SECURE_HSTS_PRELOAD:
    SILENCED_SYSTEM_CHECKS.append("security.W021")
# Behind a TLS-terminating proxy: the header it sets for HTTPS requests, e.g.
# "HTTP_X_FORWARDED_PROTO,https". Only when configured: otherwise a client could claim HTTPS.
if os.environ.get("SECURE_PROXY_SSL_HEADER"):
    _naam, _, _waarde = os.environ["SECURE_PROXY_SSL_HEADER"].partition(",")
    SECURE_PROXY_SSL_HEADER = (_naam.strip(), _waarde.strip() or "https")
# How many proxies in front of Ontschot append to X-Forwarded-For (0: none; the client's
# address is REMOTE_ADDR). Sign-in lockout counts per address, so this must be right.
VERTROUWDE_PROXIES = int(os.environ.get("VERTROUWDE_PROXIES", "0"))
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# Content security policy (django-csp): scripts only from our own static files or with the
# nonce of the response; no inline styles, frames, plugins or foreign form targets. The
# partner API sets a stricter policy of its own (ontschot/middleware.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}

# Sign-in throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one user
# name from one address, that pair is refused, the right password included, until the
# cool-off has passed; a successful sign-in clears the count. The API (bearer keys) does
# not sign in and is not affected.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTEN", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "ontschot.beheer.inloggen_geblokkeerd"
AXES_CLIENT_IP_CALLABLE = "ontschot.beheer.ip_adres"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint reports every layout step at INFO; its warnings and errors still show.
        "weasyprint": {"level": "WARNING"},
        # django-axes announces its configuration at every start; lockouts still show.
        "axes.apps": {"level": "WARNING"},
    },
}
