"""Django settings. Every value an operator may change comes from a ``ZG_*`` variable
read through :mod:`zgovern.config`; nothing here reads the environment directly."""

from __future__ import annotations

from pathlib import Path

from zgovern import config
from zgovern.config import ConfigError

PACKAGE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(config.env_str("VAR_DIR", str(Path.cwd() / "var"))).resolve()

PRODUCTION = config.env_bool("PRODUCTION", False)
DEBUG = config.env_bool("DEBUG", False)
if PRODUCTION and DEBUG:
    raise ConfigError("ZG_DEBUG cannot be on when ZG_PRODUCTION is on")

SECRET_KEY = config.env_str("SECRET_KEY", required=PRODUCTION) or config.persistent_secret(
    VAR_DIR / "secret_key"
)
# Fernet keys, newest first: the first encrypts, every one decrypts (rotation).
ENCRYPTION_KEYS = config.fernet_keys("ENCRYPTION_KEY")
if not ENCRYPTION_KEYS:
    if PRODUCTION:
        raise ConfigError("ZG_ENCRYPTION_KEY must be set in production")
    ENCRYPTION_KEYS = [config.persistent_fernet_key(VAR_DIR / "encryption_key")]

ALLOWED_HOSTS = config.env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = config.env_list("CSRF_TRUSTED_ORIGINS", [])
BASE_URL = config.env_str("BASE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "huey.contrib.djhuey",
    "zgovern.core",
    "zgovern.accounts",
    "zgovern.tenancy",
    "zgovern.frameworks",
    "zgovern.evidence",
    "zgovern.integrations",
    "zgovern.monitoring",
    "zgovern.controls",
    "zgovern.readiness",
    "zgovern.people",
    "zgovern.identity",
    "zgovern.changes",
    "zgovern.policies",
    "zgovern.training",
    "zgovern.portal",
    "zgovern.incidents",
    "zgovern.risks",
    "zgovern.vendors",
    "zgovern.reviews",
    "zgovern.audits",
    "zgovern.fieldwork",
    "zgovern.findings",
    "zgovern.effectiveness",
    "zgovern.pbc",
    "zgovern.alerts",
    "zgovern.trust",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "zgovern.core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "zgovern.tenancy.middleware.TenancyMiddleware",
    "zgovern.fieldwork.access.AuditorAccessMiddleware",
]

ROOT_URLCONF = "zgovern.urls"
WSGI_APPLICATION = "zgovern.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "zgovern.tenancy.context.tenancy",
            ],
        },
    },
]

DATABASES = {
    "default": config.database_config(
        config.env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'zgovern.sqlite3'}")
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        # Our user has no username/first_name/last_name: compare with what it does have.
        "OPTIONS": {"user_attributes": ("email", "full_name")},
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "site:home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 3

# Sign-in throttling: this many failures within the window locks the account, and
# separately the client address, until the window has passed.
LOGIN_FAILURE_LIMIT = config.env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
LOGIN_FAILURE_WINDOW = config.env_int("LOGIN_FAILURE_WINDOW", 15 * 60, minimum=1)
# Sign-up throttling: this many accounts created from one address within the window
# refuse the next until the oldest has aged out.
SIGNUP_LIMIT = config.env_int("SIGNUP_LIMIT", 5, minimum=1)
SIGNUP_WINDOW = config.env_int("SIGNUP_WINDOW", 60 * 60, minimum=1)
INVITATION_DAYS = config.env_int("INVITATION_DAYS", 7, minimum=1)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = config.env_bool("SSL_REDIRECT", True)

_email = config.email_config(config.env_str("EMAIL_URL", "console:"))
EMAIL_BACKEND = _email.backend
EMAIL_HOST, EMAIL_PORT = _email.host, _email.port
EMAIL_HOST_USER, EMAIL_HOST_PASSWORD = _email.user, _email.password
EMAIL_USE_TLS, EMAIL_USE_SSL = _email.use_tls, _email.use_ssl
DEFAULT_FROM_EMAIL = config.env_str("EMAIL_FROM", "zGovern <no-reply@zgovern.localhost>")

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise insists it exists
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serving straight from the package keeps `make run` free of a collectstatic step.
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = VAR_DIR / "media"
# The largest evidence file accepted, in bytes (blobs live in MEDIA_ROOT/evidence unless
# STORAGES["evidence"] names another storage).
EVIDENCE_MAX_BYTES = config.env_int("EVIDENCE_MAX_BYTES", 100 * 1024 * 1024, minimum=1)
# The largest roster file (CSV or XLSX) accepted for a people import, in bytes, and the
# most people one file may hold.
ROSTER_MAX_BYTES = config.env_int("ROSTER_MAX_BYTES", 10 * 1024 * 1024, minimum=1)
ROSTER_MAX_ROWS = config.env_int("ROSTER_MAX_ROWS", 50_000, minimum=1)

# A check run that takes longer than this many seconds is stopped and marked timed out;
# a worker's claim on an integration expires shortly after it.
CHECK_RUN_TIMEOUT = config.env_int("CHECK_RUN_TIMEOUT", 1800, minimum=10)

REDIS_URL = config.env_str("REDIS_URL")
HUEY_IMMEDIATE = config.env_bool("HUEY_IMMEDIATE", False)
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "zgovern",
        "url": REDIS_URL,
        "immediate": HUEY_IMMEDIATE,
        "consumer": {"workers": 2, "worker_type": "thread"},
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "zgovern",
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "immediate": HUEY_IMMEDIATE,
        "consumer": {"workers": 2, "worker_type": "thread"},
    }
# The worker counts as alive while its heartbeat is younger than this.
WORKER_STALE_SECONDS = config.env_int("WORKER_STALE_SECONDS", 180, minimum=10)
# Send every AWS API call to this endpoint instead of AWS (an emulator such as moto's
# server, for tests and local runs); unset in production.
AWS_ENDPOINT_URL = config.env_str("AWS_ENDPOINT_URL")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": config.env_str("LOG_LEVEL", "INFO")},
    # The Huey consumer installs its own handler; propagating would print every line twice.
    "loggers": {"huey": {"handlers": [], "propagate": False}},
}
