"""Django settings for Spona, read from ``SPONA_*`` environment variables.

The defaults run the embedded mode: SQLite and files under ``var/``, the task queue in the
same database, mail printed to the console. Production and scale-out change only
environment variables (see docs/operator-guide.md).
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _
from whitenoise.compress import Compressor

from spona.core.env import env_bool, env_int, env_list, env_str, secret_key

PACKAGE_DIR = Path(__file__).resolve().parent
HOME = Path(env_str("SPONA_HOME", "var")).resolve()

DEBUG = env_bool("SPONA_DEBUG", False)
SECRET_KEY = secret_key(HOME)
ALLOWED_HOSTS = env_list("SPONA_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("SPONA_CSRF_TRUSTED_ORIGINS", [])
# Reverse proxies whose X-Forwarded-For names the client (spona.web.client); none by default.
SPONA_TRUSTED_PROXIES = env_list("SPONA_TRUSTED_PROXIES", [])
# Where users reach Spona: the base of links sent by e-mail (approvals, satisfaction surveys).
SPONA_BASE_URL = env_str("SPONA_BASE_URL", "http://localhost:8000")
# Behind TLS (a reverse proxy that sets X-Forwarded-Proto) cookies must never travel in clear.
HTTPS = env_bool("SPONA_HTTPS", False)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.admin",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "csp",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "rules.apps.AutodiscoverRulesConfig",
    "spona.core",
    "spona.front.crm",
    "spona.front.sales",
    "spona.front.support",
    "spona.front.portal",
    "spona.back.finance",
    "spona.back.inventory",
    "spona.back.purchasing",
    "spona.back.production",
    "spona.bridge.automation",
    "spona.bridge.notifications",
    "spona.bridge.imports",
    "spona.web",
    "spona.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "spona.core.middleware.RequestContextMiddleware",
]

ROOT_URLCONF = "spona.urls"
WSGI_APPLICATION = "spona.wsgi.application"
ASGI_APPLICATION = "spona.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "spona.web.context_processors.shell",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("SPONA_DATABASE_URL", f"sqlite:///{HOME / 'spona.sqlite3'}"),
        conn_max_age=env_int("SPONA_DB_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while the worker writes; IMMEDIATE makes a writing
    # transaction take the write lock at BEGIN, so two writers queue instead of deadlocking.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
DATABASES["default"]["TEST"] = {"NAME": env_str("SPONA_TEST_DATABASE_NAME") or None}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"
# Failed logins allowed per e-mail address and per client address in the window below.
LOGIN_THROTTLE_ATTEMPTS = env_int("SPONA_LOGIN_THROTTLE_ATTEMPTS", 5)
LOGIN_THROTTLE_WINDOW_SECONDS = env_int("SPONA_LOGIN_THROTTLE_WINDOW", 900)
# How long a customer portal invitation link works.
PORTAL_INVITATION_DAYS = env_int("SPONA_PORTAL_INVITATION_DAYS", 7)

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("sr-latn", _("Serbian (Latin)")),
    ("sr", _("Serbian (Cyrillic)")),
]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = env_str("SPONA_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = HOME / "static"
MEDIA_ROOT = HOME / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
# Source maps are read only by browsers' developer tools; compressing them (gzip and brotli)
# tripled the time of a first `spona run`.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [*Compressor.SKIP_COMPRESS_EXTENSIONS, "map"]

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache"
        if env_str("SPONA_CACHE_URL").startswith("redis")
        else "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": env_str("SPONA_CACHE_URL") or "spona_cache",
    }
}

# Live chat: the channel layer that carries chat lines between WebSockets. In memory for one
# process (embedded mode); with several web processes they must share Redis: SPONA_CHANNELS_URL,
# else the cache's Redis (SPONA_CACHE_URL) when that is Redis.
_CHANNELS_URL = env_str("SPONA_CHANNELS_URL") or (
    env_str("SPONA_CACHE_URL") if env_str("SPONA_CACHE_URL").startswith("redis") else ""
)
CHANNEL_LAYERS = {
    "default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [_CHANNELS_URL]}}
    if _CHANNELS_URL
    else {"BACKEND": "channels.layers.InMemoryChannelLayer"}
}

# Mail: SPONA_EMAIL_URL such as smtp://user:password@host:587?tls=1; console by default.
from spona.core.mailurl import email_settings  # noqa: E402

globals().update(email_settings(env_str("SPONA_EMAIL_URL", "console://")))
DEFAULT_FROM_EMAIL = env_str("SPONA_DEFAULT_FROM_EMAIL", "Spona <noreply@localhost>")

# Background tasks: the database queue (embedded mode), or Celery on a broker when
# SPONA_BROKER_URL is set (scale-out: redis://host:6379/2, or amqp://… for RabbitMQ).
BROKER_URL = env_str("SPONA_BROKER_URL")
TASKS = {
    "default": {
        "BACKEND": "spona.celery.CeleryBackend" if BROKER_URL else "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}
# Read by spona.celery (Celery's settings namespace). With Redis, a task whose worker died
# unacknowledged is handed out again after the visibility timeout; it must exceed the longest task.
CELERY_BROKER_URL = BROKER_URL
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env_int("SPONA_BROKER_VISIBILITY_TIMEOUT", 3600)}
CELERY_TIMEZONE = env_str("SPONA_TIME_ZONE", "UTC")
CELERY_BEAT_SCHEDULE_FILENAME = str(HOME / "celerybeat-schedule")

# Security headers. CSP: only our own origin; inline scripts need the per-request nonce.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = env_int("SPONA_HSTS_SECONDS", 31536000)
from csp.constants import NONCE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": ["'none'"],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": ["'none'"],
    }
}

NINJA_PAGINATION_PER_PAGE = 50

# Event dispatch: retries before an event delivery goes to the dead-letter list.
EVENTS_MAX_ATTEMPTS = env_int("SPONA_EVENTS_MAX_ATTEMPTS", 8)
# Dispatch right after commit; the worker catches up on the rest. In-process in the embedded
# mode; with a broker, a task hands the new deliveries to the task queue's workers instead.
EVENTS_DISPATCH_ON_COMMIT = env_bool("SPONA_EVENTS_DISPATCH_ON_COMMIT", True)
EVENTS_DISPATCH_QUEUED = bool(BROKER_URL)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("SPONA_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
