"""Settings, read from the environment (django-environ) and failing closed.

DEBUG is off unless set. Without DEBUG, a missing SECRET_KEY or ALLOWED_HOSTS stops start-up
with a message naming the variable. Every default here is the safe one for production; the
local run (`make run`) turns DEBUG on and gets SQLite and Celery's filesystem broker under var/.
"""

from datetime import timedelta
from pathlib import Path

import environ
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key
from django.utils.csp import CSP

from . import api_schema
from .broker import broker_settings
from .database_settings import database_settings
from .mail import mailer_from_url
from .payment_settings import payment_settings
from .webhook_settings import webhook_settings

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()
# A .env file beside manage.py is read when present (never committed).
env_file = BASE_DIR / ".env"
if env_file.exists():
    environ.Env.read_env(str(env_file))

DEBUG = env.bool("DEBUG", default=False)


def _missing(name):
    return ImproperlyConfigured(
        f"The {name} environment variable is required when DEBUG is off. "
        f"Set {name} (or DEBUG=1 for a local run)."
    )


def _required(name):
    value = env.str(name, default="")
    if not value:
        raise _missing(name)
    return value


def _dev_secret_key():
    # A random key per checkout, kept under var/, so even a local run never uses a
    # placeholder key that is the same on every machine.
    path = VAR_DIR / "dev-secret-key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(get_random_secret_key())
    return path.read_text().strip()


if DEBUG:
    SECRET_KEY = env.str("SECRET_KEY", default="") or _dev_secret_key()
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
else:
    SECRET_KEY = _required("SECRET_KEY")
    ALLOWED_HOSTS = [h for h in env.list("ALLOWED_HOSTS", default=[]) if h]
    if not ALLOWED_HOSTS:  # unset, or only commas and spaces
        raise _missing("ALLOWED_HOSTS")


def _dev_fernet_key():
    # Like the dev SECRET_KEY: one random Fernet key per checkout, kept under var/.
    path = VAR_DIR / "dev-fernet-key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(Fernet.generate_key().decode())
    return path.read_text().strip()


# Keys that encrypt access-grant secrets at rest (MultiFernet): comma-separated, the first one
# encrypts, all of them decrypt. Rotate: put a new key first, run `manage.py rotate_fernet_keys`,
# then drop the old one.
FERNET_KEYS = [k.strip() for k in env.list("FERNET_KEYS", default=[]) if k.strip()]
if not FERNET_KEYS:
    FERNET_KEYS = [_dev_fernet_key()] if DEBUG else [_required("FERNET_KEYS")]

# The local run (`PORT=8100 make run`) serves on HOST:PORT, so links in its emails default there.
# A server listening on every interface (0.0.0.0, ::) is reached on loopback from this machine.
_LOCAL_HOST = env.str("HOST", default="127.0.0.1")
_LOCAL_HOST = "127.0.0.1" if _LOCAL_HOST in ("0.0.0.0", "::") else _LOCAL_HOST  # noqa: S104 -- compared, not bound
SITE_URL = env.str("SITE_URL", default=f"http://{_LOCAL_HOST}:{env.int('PORT', default=8000)}").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    # Project apps, lowest layer first (DESIGN.md: imports run one way only).
    "accounts",
    "notifications",
    "freelancers",
    "engagements",
    "payments",
    "portal",
    "api",
    "outsourcing",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A page form with over 512 Ki characters of text is answered 413 before any view reads it.
    "accounts.middleware.FormSizeMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Signs out a session idle for SESSION_IDLE_TIMEOUT.
    "accounts.middleware.IdleTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "accounts.middleware.WorkspaceMiddleware",
    # Ends the sessions of a freelancer whose portal access was revoked (portal/sessions.py).
    "portal.middleware.PortalSessionMiddleware",
    # Axes must be last: it turns lock-outs into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "outsourcing.urls"
WSGI_APPLICATION = "outsourcing.wsgi.application"
ASGI_APPLICATION = "outsourcing.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.workspace",
                "notifications.context_processors.inbox",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# An empty DATABASE_URL (`DATABASE_URL= make test`) means the default, like an unset one.
globals().update(database_settings(env, VAR_DIR))  # DATABASES (and what SQLite silences): database_settings.py
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Axes first so a locked-out login never reaches the password check.
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.EmailBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboard:home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24

# Login throttling (django-axes): keyed on the username and IP together, with a cool-off.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
# Lock-outs count per email whatever its case (emails log in case-insensitively).
AXES_USERNAME_CALLABLE = "accounts.throttling.axes_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
# The client's address: the socket's peer, or behind PROXY_COUNT proxies the address the
# outermost one saw; never a forged X-Forwarded-For (accounts/throttling.py).
PROXY_COUNT = env.int("PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "accounts.throttling.client_ip"
AXES_VERBOSE = False

# Invitations (teammates now, freelancers with the portal): single use, expiring.
INVITATION_TTL = timedelta(days=env.int("INVITATION_TTL_DAYS", default=7))

# --- Time and language ----------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "/static/"
# Serve collected, compressed, hashed static files even with DEBUG (the local `make run`).
STATIC_COMPRESSED = env.bool("STATIC_COMPRESSED", default=False)
STATIC_ROOT = BASE_DIR / "staticfiles"
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
]
STORAGES = {
    # Uploaded files (samples, submitted work, message attachments) under random keys: the file
    # system under MEDIA_ROOT by default, or any storage backend (e.g. django-storages' S3:
    # FILE_STORAGE_BACKEND=storages.backends.s3.S3Storage, FILE_STORAGE_OPTIONS={"bucket_name": ...}).
    "default": {"BACKEND": env.str("FILE_STORAGE_BACKEND", default="django.core.files.storage.FileSystemStorage"),
                "OPTIONS": env.json("FILE_STORAGE_OPTIONS", default={})},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG and not STATIC_COMPRESSED
            else "outsourcing.static_storage.CompressedHashedStaticFiles"
        )
    },
}
# While developing, WhiteNoise serves the source files as they change (no compression, no
# caching); `make run` collects them first (STATIC_COMPRESSED=1) and serves them as production
# does: gzip-compressed, under hashed names cached for a year.
WHITENOISE_USE_FINDERS = DEBUG and not STATIC_COMPRESSED
WHITENOISE_AUTOREFRESH = DEBUG and not STATIC_COMPRESSED
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Uploads are served only through views that check access; there is no public MEDIA_URL.
MAX_UPLOAD_BYTES = env.int("MAX_UPLOAD_BYTES", default=10 * 1024 * 1024)
# Which formats uploads may have (content types of freelancers.uploads.ALLOWED, checked by content).
UPLOAD_ALLOWED_TYPES = env.list("UPLOAD_ALLOWED_TYPES", default=[
    "application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp", "application/zip", "text/plain"])

# --- Conversations: replies by email ---------------------------------------------------------
# Missed-message emails carry Reply-To: reply+<signed token>@REPLY_EMAIL_DOMAIN; empty means no
# Reply-To (replying by email is off). Point that domain's inbound mail at a provider's inbound
# webhook (/inbound-email/<provider>/inbound/) or pipe it into `manage.py inbound_email`.
REPLY_EMAIL_DOMAIN = env.str("REPLY_EMAIL_DOMAIN", default="")
# The webhooks' HTTP basic-auth "user:password" (django-anymail's WEBHOOK_SECRET); without it
# every inbound webhook answers 404. Mailgun signs instead: MAILGUN_WEBHOOK_SIGNING_KEY.
INBOUND_EMAIL_WEBHOOK_SECRET = env.str("INBOUND_EMAIL_WEBHOOK_SECRET", default="")
INBOUND_EMAIL_MAX_BYTES = env.int("INBOUND_EMAIL_MAX_BYTES", default=25 * 1024 * 1024)
ANYMAIL = {key: value for key, value in {
    "WEBHOOK_SECRET": INBOUND_EMAIL_WEBHOOK_SECRET,
    "MAILGUN_WEBHOOK_SIGNING_KEY": env.str("MAILGUN_WEBHOOK_SIGNING_KEY", default=""),
}.items() if value}

# --- Mail (Django 6.1 MAILERS) --------------------------------------------------------------
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Outsourcing <noreply@localhost>")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
# The domain in every Message-ID; empty means SITE_URL's host (notifications.emails).
EMAIL_MESSAGE_ID_DOMAIN = env.str("EMAIL_MESSAGE_ID_DOMAIN", default="")


if env.str("EMAIL_URL", default=""):
    MAILERS = {"default": mailer_from_url(env.str("EMAIL_URL"))}
elif DEBUG:
    # Local run: every email is written to a readable file under var/mail/.
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(VAR_DIR / "mail")},
        }
    }
else:
    MAILERS = {"default": mailer_from_url(_required("EMAIL_URL"))}

# --- Celery ---------------------------------------------------------------------------------
# The cache (REDIS_URL) and the broker are separate settings: a broker outage need not take the
# cache with it, nor the reverse. The broker is Redis, Redis Sentinel (sentinel://…) or RabbitMQ
# (amqp://…); without either, Celery's filesystem transport under var/ (outsourcing/broker.py).
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="") or REDIS_URL or "filesystem://"
_broker = broker_settings(CELERY_BROKER_URL, broker_dir=VAR_DIR / "broker",
                          sentinel_master=env.str("CELERY_BROKER_SENTINEL_MASTER", default="mymaster"))
CELERY_BROKER_TRANSPORT_OPTIONS = _broker["CELERY_BROKER_TRANSPORT_OPTIONS"]
CELERY_TASK_DEFAULT_QUEUE_TYPE = _broker.get("CELERY_TASK_DEFAULT_QUEUE_TYPE", "classic")
CELERY_TASK_DEFAULT_EXCHANGE_TYPE = _broker.get("CELERY_TASK_DEFAULT_EXCHANGE_TYPE", "direct")
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Retries of a failing email: bounded, with backoff (seconds).
NOTIFICATION_MAX_ATTEMPTS = env.int("NOTIFICATION_MAX_ATTEMPTS", default=5)
NOTIFICATION_RETRY_BASE_SECONDS = env.int("NOTIFICATION_RETRY_BASE_SECONDS", default=30)
# A queued email that never reached the broker (Redis down at commit time) is handed out again
# by the outbox recovery sweep after this long (and not more often than that).
NOTIFICATION_QUEUED_GRACE_SECONDS = env.int("NOTIFICATION_QUEUED_GRACE_SECONDS", default=120)
# A row claimed for sending this long ago is taken for one whose worker died mid-send and is
# handed out again (longer than any SMTP conversation takes).
NOTIFICATION_SENDING_TIMEOUT_SECONDS = env.int("NOTIFICATION_SENDING_TIMEOUT_SECONDS", default=600)
# Outgoing webhooks (notifications/webhooks/): the WEBHOOKS_* settings, each explained where it
# is read from the environment (outsourcing/webhook_settings.py).
globals().update(webhook_settings(env))
globals().update(payment_settings(env))  # PAYMENTS_PROVIDER, STRIPE_*: explained in payment_settings.py
# Every worker records that it consumes (outsourcing/heartbeat.py) about this often; /healthz/
# answers 503 when no worker has for WORKER_HEARTBEAT_STALE_SECONDS.
WORKER_HEARTBEAT_SECONDS = env.float("WORKER_HEARTBEAT_SECONDS", default=30)
WORKER_HEARTBEAT_STALE_SECONDS = env.int("WORKER_HEARTBEAT_STALE_SECONDS", default=300)

# --- Caches ---------------------------------------------------------------------------------
if REDIS_URL:
    # Short timeouts: a Redis that went away must not hold a request for long (what uses the
    # cache copes with its absence: api.throttling).
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": REDIS_URL, "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2}}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Parts of owner pages kept until their workspace changes (accounts/kept.py): in each process's
# own memory, at most this many (about 70 KB each at most). KEPT_PAGES=0 builds them on every view.
KEPT_PAGES = env.bool("KEPT_PAGES", default=True)
CACHES["kept_pages"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "kept-pages",
                        "OPTIONS": {"MAX_ENTRIES": env.int("KEPT_PAGES_MAX", default=300)}}

# --- REST API -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.WorkspaceTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.IsWorkspaceStaff"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pagination",
    "PAGE_SIZE": 25,
    "DEFAULT_SCHEMA_CLASS": "api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "api.exceptions.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON bodies (API.md), nested at most api.parsers.MAX_JSON_DEPTH deep; a view taking
    # uploads adds MultiPartParser itself.
    "DEFAULT_PARSER_CLASSES": ["api.parsers.JSONParser"],
    "DEFAULT_THROTTLE_RATES": {"token": env.str("API_TOKEN_THROTTLE", default="10/min")},
    "UNAUTHENTICATED_USER": None,
}
# An API token stops working this long after it was issued (401 "Token expired.").
API_TOKEN_LIFETIME = timedelta(days=env.int("API_TOKEN_LIFETIME_DAYS", default=90))
# The OpenAPI document (drf-spectacular): outsourcing/api_schema.py.
SPECTACULAR_SETTINGS = api_schema.SPECTACULAR_SETTINGS

# --- Forms ----------------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Security -------------------------------------------------------------------------------
# Each production default can be overridden by its own variable (e.g. SECURE_SSL_REDIRECT=0
# for a production-mode run on loopback without TLS).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Load balancers probe /healthz/ over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
# The preload flag only takes effect once the domain is submitted to the browsers' list.
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 24 * 14)
# A session unused this long is signed out (accounts.middleware.IdleTimeoutMiddleware); 0: never.
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=60 * 60 * 2)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF, *globals()["STRIPE_FORM_ACTIONS"]],  # Stripe's hosted pages, with the rail on
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

# --- Logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
