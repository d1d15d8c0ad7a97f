"""Settings of the WKSBM Registry, read from the environment.

DATABASE_URL          sqlite:///path (default: var/wksbm.sqlite3) or postgres://user:pass@host:port/db
DATABASE_REPLICA_URL  PostgreSQL streaming replicas of it, comma-separated: the heavy read-only
                      pages and commands read them (registry/replicas.py; default: none)
DATABASE_REPLICA_MAX_LAG  seconds a replica may lag behind and still be read (default 10)
DATABASE_REPLICA_CHECK_SECONDS  how often a process checks each replica (default 5)
DATABASE_POOL_MODE    transaction when DATABASE_URL is a pgbouncer in transaction mode (default:
                      none, a direct connection or a session pooler)
DJANGO_SECRET_KEY     required unless DJANGO_DEBUG=True
DJANGO_DEBUG          True or False (default False)
DJANGO_ALLOWED_HOSTS  comma-separated host names (default: localhost,127.0.0.1)
DJANGO_HTTPS          True behind a TLS proxy: secure cookies, HSTS (one year, subdomains,
                      preload), redirect to https, trust the proxy's X-Forwarded-Proto header
                      (default False: plain HTTP, as `make run` serves)
DJANGO_LOGIN_FAILURES wrong passwords in a row before an account is locked (default 5)
DJANGO_LOCKOUT_MINUTES how long a locked account stays locked (default 15)
DJANGO_EMAIL_HOST     the SMTP server that sends the password reset mails; without it no mail
                      is sent and there is no password reset (default: none)
DJANGO_EMAIL_PORT     its port (default 587)
DJANGO_EMAIL_SECURITY starttls, ssl or none (default starttls)
DJANGO_EMAIL_USER, DJANGO_EMAIL_PASSWORD  the login at the SMTP server, if it asks for one
DJANGO_EMAIL_FROM     the sender's address, required with DJANGO_EMAIL_HOST
WKSBM_UPLOAD_DIR      where uploaded survey workbooks wait (default: var/impor)
WKSBM_UPLOAD_KEEP_HOURS hours an unconfirmed upload is kept (default 24)
WKSBM_IMPORT_SLOTS    web imports that may run at once on the machine (default 1)
"""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    """Read a True/False variable; refuse anything else rather than guess."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value in ("True", "true", "1"):
        return True
    if value in ("False", "false", "0"):
        return False
    raise ImproperlyConfigured(f"{name} must be True or False, not {value!r}")


def env_positive_float(name: str, default: float) -> float:
    """Read a number above 0 (seconds); refuse anything else rather than guess."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        number = float(value)
    except ValueError:
        number = 0
    if not 0 < number < float("inf"):
        raise ImproperlyConfigured(f"{name} must be a number above 0, not {value!r}")
    return number


def env_positive_int(name: str, default: int) -> int:
    """Read a whole number of at least 1; refuse anything else rather than guess."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise ImproperlyConfigured(f"{name} must be a whole number of at least 1, not {value!r}")
    return number


# Behind a pooler in transaction mode (pgbouncer: docs/scaling.md), a connection's session is
# not the app's: no prepared statements (pgbouncer before 1.21 cannot keep them), no server-side
# cursors, no startup options (set `jit = off` in the server's configuration instead).
POOLED = {"OPTIONS": {"prepare_threshold": None}, "DISABLE_SERVER_SIDE_CURSORS": True}
if os.environ.get("DATABASE_POOL_MODE", "") not in ("", "session", "transaction"):
    raise ImproperlyConfigured("DATABASE_POOL_MODE must be session or transaction")


def database_from_url(url: str) -> dict:
    """Turn DATABASE_URL into a Django DATABASES entry (sqlite:/// or postgres://)."""
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        path = unquote(parsed.path)
        # sqlite:///var/x.db is relative to the project, sqlite:////tmp/x.db absolute.
        name = path[1:]
        if not name.startswith("/") and name != ":memory:":
            name = str(BASE_DIR / name)
        if name != ":memory:":
            Path(name).parent.mkdir(parents=True, exist_ok=True)
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": name,
            # Web saves and a long import share one file: WAL lets readers go on during a
            # write, IMMEDIATE takes the write lock up front and the timeout waits for it
            # instead of failing with "database is locked".
            # Each gunicorn worker keeps its connection: opening one (and its PRAGMAs) cost
            # about 1 ms of every request.
            "CONN_MAX_AGE": 600,
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    if parsed.scheme in ("postgres", "postgresql"):
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parsed.path.lstrip("/")),
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "",
            "PORT": str(parsed.port or ""),
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
            # The recap's GROUP BYs over millions of distributions cost PostgreSQL's JIT more to
            # compile (0.4 s) than it saves; the pages' small queries never gain from it.
            "OPTIONS": {"options": "-c jit=off"},
            **(POOLED if os.environ.get("DATABASE_POOL_MODE") == "transaction" else {}),
        }
    raise ImproperlyConfigured(f"DATABASE_URL scheme {parsed.scheme!r} is not supported")


DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set DJANGO_SECRET_KEY (or DJANGO_DEBUG=True for development).")
    SECRET_KEY = "development-only-not-secret"

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1").split(",")
    if h.strip()
]

INSTALLED_APPS = [
    # Django's admin, on a site that answers unrunnable list filters with 400 (wksbm_site/admin.py).
    "wksbm_site.apps.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "wksbm_site.apps.AxesConfig",  # django-axes, its admin heading in Indonesian
    "django_filters",
    "import_export",
    "rest_framework",
    "drf_spectacular",
    "simple_history",
    "registry",
    "members",
    "pmks",
    "network",
    "psks",
    # Aid and stimulus programmes, on top of members and PMKS.
    "bantuan",
    # Verification rounds (village → kecamatan → district), on top of PMKS and aid.
    "verifikasi",
    # Social resilience (look – think – act): indicators, Pokja, assessments, action plans.
    "ketahanan",
    # Offline collection: the survey as an XLSForm, KoboToolbox/ODK exports imported as workbooks.
    "odk",
    # The read-only JSON API for the district's data teams (tokens, /api/v1/, /api/schema/).
    "api",
    # Demo data (load_demo, generate_demo): the top floor; no app imports it.
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Pages take GET, HEAD and POST only: any other method is a 405, never the page.
    "wksbm_site.middleware.PageMethodsMiddleware",
    "wksbm_site.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "wksbm_site.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After the user and the language are known, so that the 404/400 page is the site's own.
    "wksbm_site.middleware.RejectNulMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A page of an area opened with none, by a user with none: the provinces to choose from.
    "wksbm_site.middleware.ChooseAreaMiddleware",
    # A write's recap counts, computed once at the end of its request (registry.rekap).
    "wksbm_site.middleware.RecountAfterWritesMiddleware",
    # The audit history's web user (registry.audit).
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a refused login of a locked account into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "wksbm_site.urls"
# Django's, its most used widgets written in Python (the same HTML, a third of a form page's time).
FORM_RENDERER = "wksbm_site.form_renderer.Renderer"
WSGI_APPLICATION = "wksbm_site.wsgi.application"

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
            ],
        },
    },
]

DATABASES = {
    "default": database_from_url(os.environ.get("DATABASE_URL", "sqlite:///var/wksbm.sqlite3"))
}
# Read replicas (PostgreSQL streaming replication): the heavy read-only pages and commands read
# one that is up and at most DATABASE_REPLICA_MAX_LAG seconds behind (registry/replicas.py).
for _number, _url in enumerate(
        (u.strip() for u in os.environ.get("DATABASE_REPLICA_URL", "").split(",") if u.strip()),
        start=1):
    if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_REPLICA_URL needs a PostgreSQL DATABASE_URL")
    _replica = database_from_url(_url)
    if _replica["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_REPLICA_URL: a replica is a postgres:// URL")
    _replica["OPTIONS"] = {**_replica["OPTIONS"], "connect_timeout": 2}
    # The test database of a replica is the primary's, replicated: never created by the tests.
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES[f"replica{_number}"] = _replica
if len(DATABASES) > 1:
    DATABASE_ROUTERS = ["registry.replicas.Router"]
    MIDDLEWARE.append("registry.replicas.ReadOwnWritesMiddleware")
    TEMPLATES[0]["OPTIONS"]["context_processors"].append("registry.replicas.freshness")
DATABASE_REPLICA_MAX_LAG = env_positive_float("DATABASE_REPLICA_MAX_LAG", 10)
DATABASE_REPLICA_CHECK_SECONDS = env_positive_float("DATABASE_REPLICA_CHECK_SECONDS", 5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
FIXTURE_DIRS = [BASE_DIR / "fixtures"]

AUTH_USER_MODEL = "registry.User"
# The admin is the interface until the village officers' pages exist.
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"
# django-axes first: it refuses a locked account before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, reading the user's area with the user.
    "wksbm_site.accounts.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "id"
# One date format on every page (wksbm_site/formats).
FORMAT_MODULE_PATH = ["wksbm_site.formats"]
LANGUAGES = [("id", _("Indonesian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    # Media files saved whole or not at all (a full disk leaves no half file).
    "default": {"BACKEND": "wksbm_site.storage.WholeFileStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Uploaded survey workbooks wait here between the check and the confirmation (and for their turn,
# see registry/import_queue.py). Shared by every gunicorn worker: it also holds the import slots'
# lock files.
WKSBM_UPLOAD_DIR = os.environ.get("WKSBM_UPLOAD_DIR", str(BASE_DIR / "var" / "impor"))
# An upload checked and never confirmed (or waiting that long) is removed after this many hours,
# its import marked expired; so are django-import-export's uploads between its two steps. Cleaned
# on every upload and by `manage.py clean_uploads`.
WKSBM_UPLOAD_KEEP_HOURS = env_positive_int("WKSBM_UPLOAD_KEEP_HOURS", 24)
# Web imports (a check or a save) that may run at once on the machine, across gunicorn's worker
# processes; the others wait their turn. One: an import takes a core and up to a few hundred MB,
# and the 2-core server must keep serving pages beside it.
WKSBM_IMPORT_SLOTS = env_positive_int("WKSBM_IMPORT_SLOTS", 1)
# Uploads over 2.5 MB go to a temporary file, not memory; the workbook module limits their size.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

SESSION_ENGINE = "wksbm_site.sessions"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# The Content-Security-Policy header comes from wksbm_site.middleware (Django 5.2 has none).

# Behind a TLS proxy (nginx, Caddy…) that terminates HTTPS and forwards plain HTTP to gunicorn.
# The proxy must set X-Forwarded-Proto (and strip any copy sent by the client) and pass the Host
# header on; otherwise every request looks like plain HTTP and SECURE_SSL_REDIRECT loops.
WKSBM_HTTPS = env_bool("DJANGO_HTTPS", False)
if WKSBM_HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # One year, the minimum the browsers' preload lists accept: once sent, browsers refuse plain
    # HTTP to this host and its subdomains for that long.
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Login lockouts (django-axes): after DJANGO_LOGIN_FAILURES wrong passwords in a row an account
# is locked for DJANGO_LOCKOUT_MINUTES, counted from the last refused attempt. Locked by username
# alone, not by IP address: village offices share one address behind their router or their
# mobile operator's NAT, and behind a proxy every request comes from the proxy's address, so an
# IP lock would lock out whole villages (or everyone) together. The address is only recorded
# (behind the TLS proxy, the one the proxy adds to X-Forwarded-For: see wksbm_site.lockout).
# The price: one password tried against many usernames is not slowed down; AUTH_PASSWORD_VALIDATORS
# refuse the common passwords such a spray would try. django-axes warns about any setting
# without the IP address (axes.W006): silenced for the reasons above.
# Its log lines and stored attempts mask the password, the username and the address (its default
# AXES_SENSITIVE_PARAMETERS); the username stays in the attempt's own column, to unlock by.
# Dinas Sosial staff (their area's accounts) and administrators unlock in the admin (Axes ›
# Access attempts: delete; registry.admin.LockoutAdmin), or with
# `manage.py axes_reset_username USERNAME`.
AXES_FAILURE_LIMIT = env_positive_int("DJANGO_LOGIN_FAILURES", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_positive_int("DJANGO_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "wksbm_site.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "wksbm_site.lockout.client_ip"
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# Audit history (registry.audit): no index on every history row's date — the pages read a
# record's history by its id (indexed) and sort those few rows; the index only slowed the bulk
# history writes of imports.
SIMPLE_HISTORY_DATE_INDEX = False

# Only users whose role may import get django-import-export's buttons (see registry.access).
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True
# Files wait between the admin import's two steps in var/media, shared by every gunicorn worker
# (the library's default temporary folder is "for development only").
IMPORT_EXPORT_TMP_STORAGE_CLASS = "import_export.tmp_storages.MediaStorage"
MEDIA_ROOT = BASE_DIR / "var" / "media"

# Mail: the password reset sends a link by e-mail, through the SMTP server of DJANGO_EMAIL_HOST.
# Without one nothing is sent and the reset is not offered (its pages answer 404 with a page
# saying to ask the administrator; wksbm_site.accounts). A mail the server refuses is told to
# the user, never reported as sent.
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "").strip()
WKSBM_MAIL = bool(EMAIL_HOST)
if WKSBM_MAIL:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_positive_int("DJANGO_EMAIL_PORT", 587)
    EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_PASSWORD", "")
    _security = os.environ.get("DJANGO_EMAIL_SECURITY", "") or "starttls"
    if _security not in ("starttls", "ssl", "none"):
        raise ImproperlyConfigured(
            f"DJANGO_EMAIL_SECURITY must be starttls, ssl or none, not {_security!r}")
    EMAIL_USE_TLS, EMAIL_USE_SSL = _security == "starttls", _security == "ssl"
    DEFAULT_FROM_EMAIL = SERVER_EMAIL = os.environ.get("DJANGO_EMAIL_FROM", "").strip()
    if not DEFAULT_FROM_EMAIL:
        raise ImproperlyConfigured("Set DJANGO_EMAIL_FROM, the sender's address, with "
                                   "DJANGO_EMAIL_HOST.")
    # A server that does not answer fails the request after this long, not never.
    EMAIL_TIMEOUT = 20
else:
    # Nothing sends mail without a server; should anything try, it fails rather than pretend.
    EMAIL_BACKEND = "wksbm_site.accounts.NoMailBackend"

# The read-only JSON API (api/, docs/api.md): session or token (api.auth) authentication, pages
# of 100 rows, requests per hour per user (per address without login), read by api.throttling at
# each request.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.auth.TokenAuthentication",
                                       "rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.UserThrottle", "api.throttling.AnonThrottle"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Halaman",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "EXCEPTION_HANDLER": "api.errors.handler",
}
API_THROTTLE_RATES = {
    "user": os.environ.get("WKSBM_API_RATE_USER", "") or "2000/hour",
    "anon": os.environ.get("WKSBM_API_RATE_ANON", "") or "60/hour",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "WKSBM Registry API",
    "DESCRIPTION": "Read-only data of the registry, scoped to the user's area (docs/api.md).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
