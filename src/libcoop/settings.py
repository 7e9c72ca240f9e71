"""Django settings for LibCoop.

Everything a deployment changes comes from environment variables (``LIBCOOP_*``); the defaults
run the embedded SQLite instance under ``./var/`` for a demo or a single library.
"""

from __future__ import annotations

import contextlib
import datetime
import os
from pathlib import Path

from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from libcoop.dburl import database_config

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = Path(os.environ.get("LIBCOOP_HOME", Path.cwd())).resolve()
VAR_DIR = BASE_DIR / "var"

DEBUG = os.environ.get("LIBCOOP_DEBUG", "0") == "1"
SECRET_KEY = os.environ.get("LIBCOOP_SECRET_KEY", "")
if not SECRET_KEY:
    # The embedded default keeps a generated key beside its database, so sessions survive a
    # restart without a key in the repository.
    _key_file = VAR_DIR / "secret_key"
    if _key_file.exists():
        SECRET_KEY = _key_file.read_text().strip()
    else:
        import secrets

        SECRET_KEY = secrets.token_urlsafe(50)
        try:
            VAR_DIR.mkdir(parents=True, exist_ok=True)
            _key_file.write_text(SECRET_KEY)
        except OSError:
            pass

ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("LIBCOOP_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
]
# The test client's "testserver" is added by Django's test set-up only, never here.

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",  # the API docs page from bundled files (no CDN, no inline script)
    "axes",
    "libcoop.core",
    "libcoop.audit",
    "libcoop.network",
    "libcoop.catalog",
    "libcoop.interop",
    "libcoop.knowledge",
    "libcoop.events",
    "libcoop.outreach",
    "libcoop.greenlib",
    "libcoop.ill",
    "libcoop.repository",
    "django_tasks_db",
    "libcoop.ops",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before the CSRF check reads a form: refuses non-UTF-8 forms; bad input → 400, not 500.
    "libcoop.core.errors.InputGuardMiddleware",
    # A Buddhist-era year in a <year:…> URL redirects to its Common-era address.
    "libcoop.core.years.BuddhistYearURLMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last: turns a refused login (too many failures) into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "libcoop.urls"
WSGI_APPLICATION = "libcoop.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "libcoop.core.context.site",
            ],
        },
    },
]

DATABASES = {"default": database_config(os.environ.get("LIBCOOP_DATABASE_URL"), BASE_DIR)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# Login throttling (django-axes): after LIBCOOP_LOGIN_FAILURE_LIMIT failed logins for one
# username from one address, that combination is locked out for LIBCOOP_LOGIN_COOLOFF_MINUTES
# (the page says so, in the user's language); `libcoop unlock USERNAME` lifts it, audited.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("LIBCOOP_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = datetime.timedelta(
    minutes=float(os.environ.get("LIBCOOP_LOGIN_COOLOFF_MINUTES", "15"))
)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "libcoop.network.logins.lockout_response"
AXES_ENABLE_ADMIN = False  # deleting attempts in the admin would be an unaudited unlock
# The client's address: REMOTE_ADDR, unless LibCoop runs behind LIBCOOP_PROXY_COUNT trusted
# proxies that set X-Forwarded-For (otherwise anyone could pick an address per attempt).
_PROXIES = int(os.environ.get("LIBCOOP_PROXY_COUNT", "0"))
AXES_IPWARE_PROXY_COUNT = _PROXIES or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if _PROXIES else ["REMOTE_ADDR"]
)
# Password links by e-mail (core/password_reset.py): per e-mail address and per client
# address within the window.
LIBCOOP_PASSWORD_RESET_PER_ADDRESS = int(os.environ.get("LIBCOOP_PASSWORD_RESET_PER_ADDRESS", "3"))
LIBCOOP_PASSWORD_RESET_PER_CLIENT = int(os.environ.get("LIBCOOP_PASSWORD_RESET_PER_CLIENT", "10"))
LIBCOOP_PASSWORD_RESET_WINDOW_MINUTES = int(
    os.environ.get("LIBCOOP_PASSWORD_RESET_WINDOW_MINUTES", "60")
)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Thai first: the network is Thai; English for everyone else.
LANGUAGE_CODE = "th"
LANGUAGES = [("th", _("Thai")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "libcoop_language"
TIME_ZONE = "Asia/Bangkok"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
with contextlib.suppress(OSError):
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise wants it to exist
STORAGES: dict[str, dict[str, object]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = VAR_DIR / "media"

# The digital collection's files (repository.storage), content-addressed by SHA-256: under
# var/repository by default, or in an S3-compatible bucket when LIBCOOP_REPOSITORY_S3_BUCKET is
# set (django-storages; the endpoint, keys and region from the variables below, the bucket
# private: files are served through LibCoop's access rule, never by a public URL).
LIBCOOP_REPOSITORY_MAX_BYTES = int(
    os.environ.get("LIBCOOP_REPOSITORY_MAX_BYTES", str(200 * 1024 * 1024))
)
# The COUNTER robots list of the collection's usage statistics (repository.stats): a JSON file
# in COUNTER_Robots_list.json's form; empty: the copy bundled in repository/data/.
LIBCOOP_COUNTER_ROBOTS = os.environ.get("LIBCOOP_COUNTER_ROBOTS", "")
if os.environ.get("LIBCOOP_REPOSITORY_S3_BUCKET"):
    STORAGES["repository"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["LIBCOOP_REPOSITORY_S3_BUCKET"],
            "endpoint_url": os.environ.get("LIBCOOP_REPOSITORY_S3_ENDPOINT_URL") or None,
            "access_key": os.environ.get("LIBCOOP_REPOSITORY_S3_ACCESS_KEY") or None,
            "secret_key": os.environ.get("LIBCOOP_REPOSITORY_S3_SECRET_KEY") or None,
            "region_name": os.environ.get("LIBCOOP_REPOSITORY_S3_REGION") or None,
            "location": os.environ.get("LIBCOOP_REPOSITORY_S3_PREFIX", "repository"),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": True,
        },
    }
else:
    STORAGES["repository"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(VAR_DIR / "repository")},
    }

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

# Content-Security-Policy (Django's own middleware): scripts only from this site, no inline
# script or handler (libcoop.js binds the few behaviours); inline style attributes are still
# allowed (bar widths and indents computed in templates). Attachments are served with their
# own, stricter policy (core.attachments.file_response), which the middleware leaves alone.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# A deployment serves LibCoop over HTTPS behind a reverse proxy (nginx, Caddy …) that sets
# X-Forwarded-Proto: LIBCOOP_HTTPS=1 trusts that header and turns on secure cookies, the
# redirect to HTTPS and HSTS (LIBCOOP_HSTS_SECONDS, default a year). `libcoop check --deploy`
# is clean with it (tests/core/test_deploy_check.py). The default stays plain HTTP on
# 127.0.0.1 for `tools/dev.py run`.
if os.environ.get("LIBCOOP_HTTPS", "0") == "1":
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^health$"]  # a load balancer's check inside the network
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("LIBCOOP_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = os.environ.get("LIBCOOP_HSTS_INCLUDE_SUBDOMAINS", "1") == "1"
    # Joining the browsers' preload list is the domain owner's decision, not a default:
    # LIBCOOP_HSTS_PRELOAD=1 sends it; without it Django's reminder (W021) is silenced.
    SECURE_HSTS_PRELOAD = os.environ.get("LIBCOOP_HSTS_PRELOAD", "0") == "1"
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS = ["security.W021"]

# Console mail in development; a deployment sets LIBCOOP_EMAIL_BACKEND (e.g. the SMTP backend).
MAILERS = {
    "default": {
        "BACKEND": os.environ.get(
            "LIBCOOP_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
        )
    }
}

# Where this LibCoop is reached from outside: links in e-mails (reminders) must be absolute.
# The default is the address `tools/dev.py run` serves.
LIBCOOP_SITE_URL = os.environ.get("LIBCOOP_SITE_URL", "http://127.0.0.1:8000")

# MARC files uploaded through the web are kept this many days after their import ends, then
# removed (catalog.uploads; every record keeps its raw bytes, so nothing needs the file).
LIBCOOP_IMPORT_UPLOAD_RETENTION_DAYS = float(
    os.environ.get("LIBCOOP_IMPORT_UPLOAD_RETENTION_DAYS", "30")
)

# OAI-PMH (interop.oai): the repository identifier of oai-identifiers, and who to contact.
LIBCOOP_OAI_REPOSITORY_IDENTIFIER = os.environ.get(
    "LIBCOOP_OAI_REPOSITORY_IDENTIFIER", "libcoop.example.org"
)
LIBCOOP_OAI_ADMIN_EMAIL = os.environ.get("LIBCOOP_OAI_ADMIN_EMAIL", "")
LIBCOOP_OAI_REPOSITORY_NAME = os.environ.get("LIBCOOP_OAI_REPOSITORY_NAME", "LibCoop union catalog")

# Background work (imports, harvests, reminders, sweeps): a durable queue in the database
# (django-tasks-db) on SQLite and PostgreSQL alike, run by `libcoop worker` processes
# (`tools/dev.py run` starts one beside the server). A task whose worker stopped beating for
# LIBCOOP_WORKER_STALE_SECONDS is queued again (libcoop.ops.services). LIBCOOP_TASKS_BACKEND
# names another backend of Django's task framework.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("LIBCOOP_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}
LIBCOOP_WORKER_STALE_SECONDS = float(os.environ.get("LIBCOOP_WORKER_STALE_SECONDS", "60"))
# The option for larger deployments: Redis through RQ (pip install 'libcoop[rq]';
# LIBCOOP_TASKS_BACKEND=django_tasks_rq.RQBackend, LIBCOOP_REDIS_URL); `libcoop worker` then
# runs an RQ worker, with the same heartbeats and schedules.
if TASKS["default"]["BACKEND"].startswith("django_tasks_rq."):
    INSTALLED_APPS.append("django_rq")
    RQ_QUEUES = {
        "default": {"URL": os.environ.get("LIBCOOP_REDIS_URL", "redis://127.0.0.1:6379/0")}
    }

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LIBCOOP_LOG_LEVEL", "WARNING")},
}
