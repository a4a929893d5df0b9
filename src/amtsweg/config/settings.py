"""amtsweg settings. Everything comes from environment variables; see `.env.example` for the list.

Defaults are safe for production: debug off, secure cookies, HSTS, a required secret key.
Demo mode (`AMTSWEG_DEMO=1`, set by `amtsweg demo`) relaxes only what a laptop on plain HTTP needs.
"""

from __future__ import annotations

import ipaddress
import json
import os
from datetime import timedelta
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
    "amtsweg.catalog",
    "amtsweg.api",
    "amtsweg.accounts",
    "amtsweg.sandbox_eid",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "amtsweg.payments",
    "amtsweg.documents",
    "amtsweg.postbox",
    "amtsweg.exchange",
    "amtsweg.assisted",
    "amtsweg.koffer",
    "amtsweg.cases",
    "amtsweg.backoffice",
    "amtsweg.procedures",
    "amtsweg.procedures.kfz",
    "amtsweg.procedures.gewerbe",
    "amtsweg.procedures.bohrung",
    "amtsweg.vehicle_register",
    "amtsweg.administration",
    "amtsweg.reporting",
    "amtsweg.kiosk",
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
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Kiosk mode (Bürgerterminal device cookie): refuses /verwaltung/ to terminals, no-store on kiosk pages.
    "amtsweg.kiosk.middleware.KioskMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Closes /verwaltung/ to sessions without a second factor; ends idle staff sessions.
    "amtsweg.accounts.middleware.StaffAreaMiddleware",
    # Last, as django-axes requires: turns a lock-out into our German 429 page.
    "axes.middleware.AxesMiddleware",
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
                "amtsweg.accounts.context_processors.identity",
                "amtsweg.kiosk.context_processors.kiosk",
            ],
        },
    }
]

DATABASES = {"default": env.database(DATA_DIR)}
if TESTING and DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A file, not Django's shared-cache in-memory database: browser tests read while a worker writes, and
    # shared cache answers that with "database table is locked" where a real WAL database lets readers go on.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TASKS = {
    "default": {
        "BACKEND": os.environ.get("AMTSWEG_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Accounts, identity providers, staff 2FA (amtsweg.accounts) --------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses locked-out clients before a password is checked
    "amtsweg.accounts.backends.EmailOrUsernameBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:profile"
# Generic OpenID Connect providers (BundID, Keycloak, …): JSON {key: config}; see accounts/providers/oidc.py.
try:
    IDENTITY_PROVIDERS = json.loads(os.environ.get("AMTSWEG_OIDC_PROVIDERS", "").strip() or "{}")
except ValueError as _exc:
    raise env.ConfigurationError(f"AMTSWEG_OIDC_PROVIDERS ist kein gültiges JSON: {_exc}") from None
if not isinstance(IDENTITY_PROVIDERS, dict) or any(
    not isinstance(_config, dict) for _config in IDENTITY_PROVIDERS.values()
):
    raise env.ConfigurationError('AMTSWEG_OIDC_PROVIDERS muss ein JSON-Objekt sein: {"name": {...}, ...}')
# The SANDBOX eID (fictional people and companies, /sandbox/eid/): on only in demo/test mode unless forced.
SANDBOX_EID = env.env_bool("AMTSWEG_SANDBOX_EID", DEMO or TESTING)
SANDBOX_EID_ISSUER = os.environ.get("AMTSWEG_SANDBOX_EID_ISSUER", "").rstrip("/")
EMAIL_VERIFICATION_DAYS = env.env_int("AMTSWEG_EMAIL_VERIFICATION_DAYS", 3)
PASSWORD_RESET_TIMEOUT = env.env_int("AMTSWEG_PASSWORD_RESET_SECONDS", 2 * 3600)
# Staff: idle timeout (seconds, 0 = off) and the networks staff may log in from (CIDR list; empty = anywhere).
STAFF_IDLE_SECONDS = env.env_int("AMTSWEG_STAFF_IDLE_SECONDS", 15 * 60)
STAFF_NETWORKS = env.env_list("AMTSWEG_STAFF_NETWORKS", [])
for _network in STAFF_NETWORKS:
    try:
        ipaddress.ip_network(_network, strict=False)
    except ValueError:
        raise env.ConfigurationError(
            f"AMTSWEG_STAFF_NETWORKS: {_network!r} ist kein Netz (z. B. 10.0.0.0/8)."
        ) from None
TRUST_PROXY_HEADERS = env.env_bool("AMTSWEG_TRUST_PROXY_HEADERS", False)
OTP_TOTP_ISSUER = os.environ.get("AMTSWEG_OTP_ISSUER", "amtsweg Verwaltung")
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
# django-axes: lock a user name + address pair after AMTSWEG_LOGIN_FAILURE_LIMIT failures for the cool-off.
AXES_FAILURE_LIMIT = env.env_int("AMTSWEG_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env.env_int("AMTSWEG_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "amtsweg.accounts.views.auth.locked_out"
AXES_CLIENT_IP_CALLABLE = "amtsweg.accounts.staff.client_ip"
AXES_USERNAME_FORM_FIELD = "username"
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "password"]
AXES_VERBOSE = False

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

# --- Payments (amtsweg.payments) ---------------------------------------------
# The SANDBOX payment provider (hosted test page under /sandbox/zahlung/): on only in demo/test mode by default.
PAYMENTS_SANDBOX_ENABLED = env.env_bool("AMTSWEG_SANDBOX_PAYMENT", DEMO or TESTING)
# Sandbox notifications misbehave on purpose, e.g. "late=0.3,duplicate=0.3,reorder=0.3,drop=0,delay=20".
PAYMENTS_SANDBOX_CHAOS = os.environ.get(
    "AMTSWEG_SANDBOX_PAYMENT_CHAOS", "late=0.2,duplicate=0.2,reorder=0.2" if DEMO else ""
)
# Public address providers use for return pages and notifications (default: BASE_URL).
PAYMENTS_CALLBACK_BASE_URL = os.environ.get("AMTSWEG_PAYMENT_CALLBACK_URL", "").rstrip("/")
# Pending payments older than this are checked with the provider by the reconciliation task.
PAYMENTS_RECONCILE_AFTER_MINUTES = env.env_int("AMTSWEG_PAYMENT_RECONCILE_MINUTES", 15)

# --- Documents and seals (amtsweg.documents) ---------------------------------
# Keys of the platform CA, the time-stamping unit and the authorities' seals (mode 0700, keys 0600).
DOCUMENTS_PKI_DIR = Path(os.environ.get("AMTSWEG_PKI_DIR", "") or DATA_DIR / "pki")
# "local": PAdES B-T with the platform's own time stamps (demo/tests); "none": PAdES B-B.
DOCUMENTS_TIMESTAMPS = os.environ.get("AMTSWEG_SEAL_TIMESTAMPS", "local" if (DEMO or TESTING) else "none")
# Extra trust anchors for imported seal certificates (PEM/DER files, comma-separated); the platform CA is always one.
DOCUMENTS_TRUST_ANCHORS = env.env_list("AMTSWEG_SEAL_TRUST_ANCHORS", [])
# Issue a seal certificate from the platform CA for an authority that has none (demo/tests only by default).
DOCUMENTS_AUTO_ISSUE_SEALS = env.env_bool("AMTSWEG_SEAL_AUTO_ISSUE", DEMO or TESTING)
# Largest PDF accepted by the public verification page (/pruefen/).
DOCUMENTS_VERIFY_MAX_BYTES = env.env_int("AMTSWEG_VERIFY_MAX_BYTES", 10 * 1024 * 1024)

# --- Vehicle register (amtsweg.vehicle_register; SANDBOX stand-in for the KBA's ZFZR) -------------------
# "sandbox" = the built-in fictional register; a production installation names its register connection class.
VEHICLE_REGISTER_BACKEND = os.environ.get("AMTSWEG_VEHICLE_REGISTER_BACKEND", "sandbox")
VEHICLE_REGISTER_SANDBOX = env.env_bool("AMTSWEG_VEHICLE_REGISTER_SANDBOX", DEMO or TESTING)
# HMAC keys for security-code hashes, "kid:hex,kid:hex" (first = current); default: a generated key in DATA_DIR.
VEHICLE_REGISTER_CODE_KEYS = os.environ.get("AMTSWEG_VEHICLE_REGISTER_CODE_KEYS", "")
# Wrong security-code entries per vehicle within 24 hours before online procedures are locked for it.
VEHICLE_REGISTER_LOCK_AFTER = env.env_int("AMTSWEG_VEHICLE_REGISTER_LOCK_AFTER", 10)
# i-Kfz (amtsweg.procedures.kfz): share of automatic decisions drawn for sample review (0..1, § 23 (3) FZV) and
# validity of the provisional registration proof in calendar days (§ 26 (4) no. 5 FZV: 10; ⚠ § 31 says up to 14).
try:
    KFZ_SAMPLE_REVIEW_SHARE = float(os.environ.get("AMTSWEG_KFZ_SAMPLE_REVIEW_SHARE", "") or 0.1)
except ValueError:
    KFZ_SAMPLE_REVIEW_SHARE = -1.0
if not 0 <= KFZ_SAMPLE_REVIEW_SHARE <= 1:
    raise env.ConfigurationError(
        "AMTSWEG_KFZ_SAMPLE_REVIEW_SHARE: eine Zahl zwischen 0 und 1, z. B. 0.1 für 10 %."
    )
KFZ_PROVISIONAL_PROOF_DAYS = env.env_int("AMTSWEG_KFZ_PROVISIONAL_PROOF_DAYS", 10)

# --- Case engine (amtsweg.cases) --------------------------------------------------------------
# Private keys of the authorities (passphrase-protected PEM files; AMTSWEG_KEY_PASSPHRASE[_<AUTHORITY>]).
CASES_KEY_DIR = Path(os.environ.get("AMTSWEG_KEY_DIR", "") or DATA_DIR / "keys")
# 0 = portal-only deployment: encrypts with public keys, can never decrypt (back office runs elsewhere).
CASES_PRIVATE_KEYS = env.env_bool("AMTSWEG_PRIVATE_KEYS", True)
# Create an authority's key pair on its first submission (demo/tests); in production run init_authority_keys.
CASES_AUTO_KEYS = env.env_bool("AMTSWEG_AUTO_AUTHORITY_KEYS", DEMO or TESTING)
CASES_RSA_BITS = env.env_int("AMTSWEG_AUTHORITY_KEY_BITS", 3072)
# Key for drafts (the portal's own data); default: derived from SECRET_KEY.
CASES_DRAFT_KEY = os.environ.get("AMTSWEG_DRAFT_KEY", "")
# ClamAV daemon for uploads: a unix socket path (/run/clamav/clamd.ctl) or host:port; empty = no scan.
CASES_CLAMAV_SOCKET = os.environ.get("AMTSWEG_CLAMAV_SOCKET", "")
# Answers of the responsibility finder are kept in memory this long at submission (0 = always ask).
CASES_FINDER_CACHE_SECONDS = env.env_int("AMTSWEG_FINDER_CACHE_SECONDS", 0 if TESTING else 300)
# Uploads up to 25 MB are read in memory; larger request bodies are refused by the fields' own limits.
FILE_UPLOAD_MAX_MEMORY_SIZE = 26 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 26 * 1024 * 1024

# --- Back office (amtsweg.backoffice) -----------------------------------------
# The worklist's counts per state are kept in memory this long per authority set and filter (0 = always count;
# never with a search term). The rows themselves are always fresh.
BACKOFFICE_COUNT_CACHE_SECONDS = env.env_int("AMTSWEG_BACKOFFICE_COUNT_CACHE_SECONDS", 0 if TESTING else 10)

# --- Messages between authorities (amtsweg.exchange) -------------------------
# Signing keys of the sending authorities (Ed25519 PEM files, 0600; AMTSWEG_EXCHANGE_KEY_PASSPHRASE encrypts them).
EXCHANGE_KEY_DIR = Path(os.environ.get("AMTSWEG_EXCHANGE_KEY_DIR", "") or DATA_DIR / "exchange-keys")
# Create an authority's signing key on first use (demo/tests); in production run `init_exchange_keys`.
EXCHANGE_AUTO_KEYS = env.env_bool("AMTSWEG_AUTO_EXCHANGE_KEYS", DEMO or TESTING)
# The SANDBOX receiving inbox that stands in for the recipients (/sandbox/empfang/): demo/test mode only.
EXCHANGE_SANDBOX_ENABLED = env.env_bool("AMTSWEG_SANDBOX_EXCHANGE", DEMO or TESTING)
EXCHANGE_SANDBOX_KEEP_DAYS = env.env_int("AMTSWEG_SANDBOX_EXCHANGE_KEEP_DAYS", 30)

# --- Business registration (amtsweg.procedures.gewerbe) -----------------------
# Start/change/closing date: how far back without an explanation, how far ahead at all (days).
GEWERBE_START_MAX_PAST_DAYS = env.env_int("AMTSWEG_GEWERBE_MAX_PAST_DAYS", 92)
GEWERBE_START_MAX_FUTURE_DAYS = env.env_int("AMTSWEG_GEWERBE_MAX_FUTURE_DAYS", 365)
# Transmission logs of § 14 Abs. 8 GewO messages are deleted this many days after delivery (§ 14 Abs. 10-11).
GEWERBE_LOG_RETENTION_DAYS = env.env_int("AMTSWEG_GEWERBE_LOG_RETENTION_DAYS", 183)

# --- Drilling notification (amtsweg.procedures.bohrung) ----------------------
# JSON file with the cavity areas (old mining) that bring in the Oberbergamt: {"areas": [{"name", "lat", "lon",
# "radius_m"}]}. Empty: the shipped DEMO list (procedures/bohrung/data/hohlraumgebiete.json), not official data.
# The maps use AMTSWEG_TILE_URL (above) for tiles; without it they show only the shipped offline base layer.
BOHRUNG_CAVITY_AREAS_FILE = os.environ.get("AMTSWEG_BOHRUNG_CAVITY_AREAS_FILE", "")

# --- Bürgerterminal and Bürgerkoffer: appointments (amtsweg.assisted) ----------
# An unconfirmed booking holds its seat this long (the e-mail link is valid as long); then it is freed.
ASSISTED_HOLD_MINUTES = env.env_int("AMTSWEG_BOOKING_HOLD_MINUTES", 120)
# At most this many upcoming bookings per e-mail address.
ASSISTED_MAX_ACTIVE_PER_EMAIL = env.env_int("AMTSWEG_BOOKING_MAX_PER_EMAIL", 3)
# Against booking bots: booking attempts per hour from one client address, and for one e-mail address.
ASSISTED_RATE_PER_IP = env.env_int("AMTSWEG_BOOKING_RATE_PER_IP", 30)
ASSISTED_RATE_PER_EMAIL = env.env_int("AMTSWEG_BOOKING_RATE_PER_EMAIL", 10)

# --- Authority administration (amtsweg.administration) -----------------------
# Legal fee ranges per procedure (JSON, see administration/data/fee_ranges.json); empty = the shipped file.
ADMINISTRATION_FEE_RANGES_FILE = os.environ.get("AMTSWEG_FEE_RANGES_FILE", "")

# --- Offline Bürgerkoffer (amtsweg.koffer) -------------------------------------
# Tours this many days ahead are offered to a device for offline capture.
KOFFER_TOUR_DAYS = env.env_int("AMTSWEG_KOFFER_TOUR_DAYS", 14)
# Size limits of the sync endpoint: one application (payload incl. signature image), one request, items per request.
KOFFER_MAX_ITEM_BYTES = env.env_int("AMTSWEG_KOFFER_MAX_ITEM_BYTES", 512 * 1024)
KOFFER_MAX_BATCH_BYTES = env.env_int("AMTSWEG_KOFFER_MAX_BATCH_BYTES", 4 * 1024 * 1024)
KOFFER_MAX_BATCH_ITEMS = env.env_int("AMTSWEG_KOFFER_MAX_BATCH_ITEMS", 20)

# --- Bürgerterminal: kiosk mode and video consultation (amtsweg.kiosk) -------
# A kiosk session is wiped after this many seconds without input; a countdown warns this many seconds before.
KIOSK_INACTIVITY_SECONDS = env.env_int("AMTSWEG_KIOSK_INACTIVITY_SECONDS", 120)
KIOSK_WARNING_SECONDS = env.env_int("AMTSWEG_KIOSK_WARNING_SECONDS", 30)
# Staff count as reachable for video consultation this long after their queue page last polled.
KIOSK_STAFF_ONLINE_SECONDS = env.env_int("AMTSWEG_KIOSK_STAFF_ONLINE_SECONDS", 60)
# WebRTC ICE servers as JSON, e.g. [{"urls": "stun:stun.behoerde.example:3478"}]; empty = host candidates only.
KIOSK_ICE_SERVERS = json.loads(os.environ.get("AMTSWEG_KIOSK_ICE_SERVERS", "") or "[]")

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
