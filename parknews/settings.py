"""Django settings for parknews.

Everything that differs between a laptop and a server comes from the environment, read
through the strict helpers below. The defaults give a zero-service setup: SQLite and a
Whoosh index in one data directory (PARKNEWS_DATA_DIR, default ./var).
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import warnings
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url

# jieba 0.42.1 has invalid escape sequences that newer Pythons warn about on import.
warnings.filterwarnings("ignore", category=SyntaxWarning, module=r"jieba(\..*)?")


def envbool(name: str, default: str) -> bool:
    value = os.getenv(name, default)
    if value not in ("True", "False", "1", "0", "true", "false"):
        raise ValueError(f"{name} must be True or False, got {value!r}")
    return value in ("True", "1", "true")


def envint(name: str, default: str) -> int:
    value = os.getenv(name, default)
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{name} must be an integer, got {value!r}") from None


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.getenv(name, default).split(",") if item.strip()]


BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.getenv("PARKNEWS_DATA_DIR", str(BASE_DIR / "var"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """The key from the environment, else one generated once and kept in the data dir."""
    if key := os.getenv("SECRET_KEY"):
        return key
    path = DATA_DIR / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = envbool("DEBUG", "False")
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    # archive before haystack: its rebuild_index (build beside, then swap) wins.
    "archive",
    "haystack",
]

MIDDLEWARE = [
    # First: everything logged while serving a request carries its id.
    "archive.request_log.RequestIdMiddleware",
    # A locked-out address's login post is refused before any other work.
    "archive.middleware.LockedOutLoginMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "archive.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "archive.middleware.DatabaseUnavailableMiddleware",
    # Last, as django-axes asks: answers a locked-out address's login with 429.
    "axes.middleware.AxesMiddleware",
]

# Login throttling (django-axes): after LOGIN_FAILURE_LIMIT failed logins from one
# address, that address cannot log in for LOGIN_LOCKOUT_MINUTES (HTTP 429), whatever
# the password; a locked-out attempt is refused before any password is hashed.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = envint("PARKNEWS_LOGIN_FAILURE_LIMIT", "20")
AXES_COOLOFF_TIME = dt.timedelta(minutes=envint("PARKNEWS_LOGIN_LOCKOUT_MINUTES", "15"))
AXES_LOCKOUT_PARAMETERS = ["ip_address"]
AXES_RESET_ON_SUCCESS = True
# The lockout ends LOGIN_LOCKOUT_MINUTES after the last counted failure; tries while
# locked out are refused (cheaply, no password is checked) without extending it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_HTTP_RESPONSE_CODE = 429
# Axes ships no Chinese admin pages; lockouts are lifted with `manage.py axes_reset`.
AXES_ENABLE_ADMIN = False
# Behind the TLS proxy the client's address is the last X-Forwarded-For entry it added.
AXES_CLIENT_IP_CALLABLE = "archive.middleware.client_ip"

ROOT_URLCONF = "parknews.urls"

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
            ],
        },
    },
]

WSGI_APPLICATION = "parknews.wsgi.application"

# Security. In production TLS ends at a proxy in front of gunicorn (PARKNEWS_BEHIND_TLS=True
# turns on HSTS, secure cookies and the HTTPS redirect); the default serves plain HTTP on
# loopback, where secure-only cookies would make logging in to admin impossible.
BEHIND_TLS = envbool("PARKNEWS_BEHIND_TLS", "False")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_TLS else None
SECURE_SSL_REDIRECT = BEHIND_TLS
SESSION_COOKIE_SECURE = BEHIND_TLS
CSRF_COOKIE_SECURE = BEHIND_TLS
SECURE_HSTS_SECONDS = 31_536_000 if BEHIND_TLS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = BEHIND_TLS
# Joining the browsers' preload list is hard to undo: the operator opts in.
SECURE_HSTS_PRELOAD = envbool("PARKNEWS_HSTS_PRELOAD", "False")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SILENCED_SYSTEM_CHECKS = (
    [] if BEHIND_TLS else ["security.W004", "security.W008", "security.W012", "security.W016"]
) + ([] if SECURE_HSTS_PRELOAD else ["security.W021"])

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{DATA_DIR / 'parknews.sqlite3'}",
        conn_max_age=envint("DB_CONN_MAX_AGE", "60"),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several gunicorn workers and an ingest share the file: wait for a lock instead of
    # failing at once, and take the write lock when a transaction begins (a deferred one
    # that turns into a writer fails with "database is locked" without waiting).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
# Chinese for the admin strings Django's own catalog has not translated yet.
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)
# Hashed, compressed file names need `collectstatic` first; the test run goes without.
STATIC_MANIFEST = envbool("PARKNEWS_STATIC_MANIFEST", "True")
# Without the manifest, serve straight from the app and project static dirs.
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Search: a Whoosh index in the data dir unless SEARCH_URL points elsewhere: another
# directory (Whoosh), or http(s)://host:9200/INDEX for Elasticsearch 7 (index name
# `parknews` when the URL has no path).
SEARCH_URL = os.getenv("SEARCH_URL", "").strip()
# Word segmenter: rjieba (jieba-rs, the same dictionary, about 15x faster; held to jieba's
# tokens on the seed pages by tests/search/test_segmenters.py) or jieba itself.
SEARCH_SEGMENTER = os.getenv("PARKNEWS_SEGMENTER", "rjieba")
SEARCH_INDEX_DIR = Path(os.getenv("SEARCH_INDEX_DIR", str(DATA_DIR / "whoosh_index")))
_search = urlsplit(SEARCH_URL)
if _search.scheme in ("http", "https"):
    HAYSTACK_CONNECTIONS = {
        "default": {
            # Tokens made in Python by the same analysis (archive/search/elasticsearch_backend.py),
            # so the cluster needs no Chinese plugin.
            "ENGINE": "archive.search.elasticsearch_backend.ParkNewsElasticsearchEngine",
            "URL": f"{_search.scheme}://{_search.netloc}",
            "INDEX_NAME": _search.path.strip("/") or "parknews",
        }
    }
else:
    if SEARCH_URL:
        SEARCH_INDEX_DIR = Path(SEARCH_URL)
    HAYSTACK_CONNECTIONS = {
        "default": {
            # haystack's Whoosh backend with Chinese analysis, whole-value facets and one
            # writer at a time (archive/search/backend.py).
            "ENGINE": "archive.search.backend.ParkNewsWhooshEngine",
            "PATH": str(SEARCH_INDEX_DIR),
            # rebuild_index hands the backend this many articles at a time; it writes
            # them as segments built by SEARCH_INDEX_PROCESSES processes.
            "BATCH_SIZE": envint("PARKNEWS_INDEX_BATCH", "10000"),
        }
    }
# Memory each process may keep for arrays read from the index (archive/search/arrays.py).
SEARCH_CACHE_MB = envint("PARKNEWS_SEARCH_CACHE_MB", "256")
# Documents a segment holds when a large write (a rebuild) is split between processes.
# Larger segments share their common terms: at 50k news stories, 2,500 a segment made a
# 963 MB index in 22 segments, 5,000 made 796 MB in 12, in the same rebuild time; but
# each index process holds its segment's postings in memory until written (peak RSS of
# the largest process 0.95 GB at 2,500, 1.4 GB at 5,000). A rebuild hands over
# PARKNEWS_INDEX_BATCH articles at a time, so a segment is at most that divided by the
# processes.
SEARCH_SEGMENT_DOCS = envint("PARKNEWS_INDEX_SEGMENT_DOCS", "5000")
if SEARCH_SEGMENT_DOCS < 1:
    raise ValueError(f"PARKNEWS_INDEX_SEGMENT_DOCS must be at least 1, got {SEARCH_SEGMENT_DOCS}")
# Processes that analyse a large index write (a rebuild) in parallel.
SEARCH_INDEX_PROCESSES = envint("PARKNEWS_INDEX_PROCESSES", str(min(4, os.cpu_count() or 1)))
# Saves and deletes re-index after commit, through archive.search.writer.
HAYSTACK_SIGNAL_PROCESSOR = "archive.signals.IndexSyncSignalProcessor"

# Ingest limits.
INGEST_MAX_BYTES = envint("PARKNEWS_INGEST_MAX_BYTES", str(5 * 1024 * 1024))
# Characters of one page the pipeline handles in bounded time and memory (ingest about
# 8.5 s and 400 MB at 800,000 on a 2-core machine, growing linearly; a real page is ~20,000).
INGEST_MAX_CHARS = envint("PARKNEWS_INGEST_MAX_CHARS", "1000000")
# Processes that finish the articles of a page of hundreds of them (archive/ingest/forked.py).
INGEST_PROCESSES = envint("PARKNEWS_INGEST_PROCESSES", str(min(4, os.cpu_count() or 1)))

# Logs go to stderr (gunicorn and systemd keep them), each line with the request's id.
# django.request logs every 5xx (with the traceback for a 500); 4xx are not errors.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "archive.request_log.RequestIdFilter"}},
    "formatters": {
        "line": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"}
    },
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stderr",
            "filters": ["request_id"],
            "formatter": "line",
        }
    },
    "root": {"handlers": ["stderr"], "level": os.getenv("PARKNEWS_LOG_LEVEL", "WARNING")},
    "loggers": {
        "django.request": {"level": "ERROR"},
    },
}
