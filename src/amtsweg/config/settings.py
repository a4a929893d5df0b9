"""amtsweg settings. Everything comes from environment variables; see `.env.example` for the list.

Defaults are safe for production: debug off, secure cookies, HSTS, a required secret key.
Demo mode (`AMTSWEG_DEMO=1`, set by `amtsweg demo`) relaxes only what a laptop on plain HTTP needs.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from amtsweg.config import env

PACKAGE_DIR = Path(__file__).resolve().parent.parent

DEMO = env.env_bool("AMTSWEG_DEMO", False)
DEBUG = env.env_bool("AMTSWEG_DEBUG", False)
TESTING = env.env_bool("AMTSWEG_TESTING", False)
DATA_DIR = env.data_dir()
SECRET_KEY = env.secret_key(required=not (DEMO or DEBUG or TESTING), directory=DATA_DIR)

_local_hosts = ["localhost", "127.0.0.1", "[::1]"]
ALLOWED_HOSTS = env.env_list("AMTSWEG_ALLOWED_HOSTS", _local_hosts if (DEMO or DEBUG or TESTING) else [])
if not ALLOWED_HOSTS:
    raise env.ConfigurationError(
        "AMTSWEG_ALLOWED_HOSTS fehlt: im Produktivbetrieb die Hostnamen der Plattform angeben "
        "(z. B. amtsweg.sachsen.de)."
    )
CSRF_TRUSTED_ORIGINS = env.env_list("AMTSWEG_CSRF_TRUSTED_ORIGINS", [])
# Public base URL for links in e-mails and documents (no trailing slash).
BASE_URL = os.environ.get("AMTSWEG_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks_db",
    "amtsweg.core",
    "amtsweg.regions",
    "amtsweg.directory",
    "amtsweg.accounts",
]

AUTH_USER_MODEL = "accounts.User"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "amtsweg.config.urls"
WSGI_APPLICATION = "amtsweg.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "amtsweg.core.context_processors.platform",
            ],
        },
    }
]

DATABASES = {"default": env.database(DATA_DIR)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TASKS = {
    "default": {
        "BACKEND": os.environ.get("AMTSWEG_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("Deutsch")), ("en", _("Englisch"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
MEDIA_ROOT = DATA_DIR / "files"

# --- Security ---------------------------------------------------------------
# HTTPS is assumed unless we run on a laptop (demo, debug) or in tests.
HTTPS = env.env_bool("AMTSWEG_HTTPS", not (DEMO or DEBUG or TESTING))
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env.env_int("AMTSWEG_SESSION_SECONDS", 8 * 3600)
SECURE_SSL_REDIRECT = HTTPS and env.env_bool("AMTSWEG_SSL_REDIRECT", True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "amtsweg.core.views.csrf_failure"
if env.env_bool("AMTSWEG_TRUST_PROXY_HEADERS", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True

# No inline scripts or styles anywhere: every script is a static file or carries the request's nonce.
TILE_URL = os.environ.get("AMTSWEG_TILE_URL", "")  # e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png
_tile_origin = "/".join(TILE_URL.split("/")[:3]) if TILE_URL.startswith("https://") else None
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:", *([_tile_origin] if _tile_origin else [])],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "media-src": [CSP.SELF, "blob:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# --- E-mail ------------------------------------------------------------------
DEFAULT_FROM_EMAIL = os.environ.get("AMTSWEG_EMAIL_FROM", "amtsweg <noreply@amtsweg.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if os.environ.get("AMTSWEG_EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ["AMTSWEG_EMAIL_HOST"],
                "port": env.env_int("AMTSWEG_EMAIL_PORT", 587),
                "username": os.environ.get("AMTSWEG_EMAIL_USER", ""),
                "password": os.environ.get("AMTSWEG_EMAIL_PASSWORD", ""),
                "use_tls": env.env_bool("AMTSWEG_EMAIL_TLS", True),
            },
        }
    }
else:
    # Without a mail server, mails are written as files to the data folder so nothing is lost.
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(DATA_DIR / "mail")},
        }
    }

# --- Logging: one JSON object per line (or plain text for people at a terminal) -------------
LOG_LEVEL = os.environ.get("AMTSWEG_LOG_LEVEL", "INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "amtsweg.core.logging.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": os.environ.get("AMTSWEG_LOG_FORMAT", "json"),
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
