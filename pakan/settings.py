"""Django settings for Pakan.

Everything that differs between a laptop, CI and production comes from the environment:
DATABASE_URL (default: embedded SQLite), CELERY_BROKER_URL (default: none, jobs run in-process),
REDIS_URL (cache; default: in-process memory), PAKAN_PRODUCTION=1 for hardened settings.
"""

import os
from pathlib import Path

import dj_database_url
from django.conf import locale
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PAKAN_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

PRODUCTION = os.environ.get("PAKAN_PRODUCTION") == "1"
DEBUG = os.environ.get("PAKAN_DEBUG", "0" if PRODUCTION else "1") == "1"
SECRET_KEY = os.environ.get("PAKAN_SECRET_KEY", "" if PRODUCTION else "pakan-development-only-key")
if PRODUCTION and len(SECRET_KEY) < 50:
    raise RuntimeError("PAKAN_SECRET_KEY must be set to a long random value in production")
ALLOWED_HOSTS = os.environ.get("PAKAN_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "pakan.accounts",
    "pakan.audit",
    "pakan.jobs",
    "pakan.registry",
    "pakan.monitoring",
    "pakan.ledger",
    "pakan.socialsecurity",
    "pakan.benefits",
    "pakan.valuation",
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
]

ROOT_URLCONF = "pakan.urls"
WSGI_APPLICATION = "pakan.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "pakan" / "templates"],
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
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'pakan.sqlite3'}"),
        conn_max_age=int(os.environ.get("PAKAN_DB_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update({"timeout": 30, "transaction_mode": "IMMEDIATE"})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Sessions end after 30 minutes without activity and when the browser closes.
SESSION_COOKIE_AGE = int(os.environ.get("PAKAN_SESSION_SECONDS", str(30 * 60)))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True

# Login throttling: this many failures per username or per address within the window locks it.
LOGIN_FAILURE_LIMIT = int(os.environ.get("PAKAN_LOGIN_FAILURE_LIMIT", "5"))
LOGIN_FAILURE_WINDOW_SECONDS = int(os.environ.get("PAKAN_LOGIN_FAILURE_WINDOW", str(15 * 60)))
# Behind a reverse proxy, the request header carrying the client's address
# (e.g. HTTP_X_FORWARDED_FOR); empty means REMOTE_ADDR, the direct peer.
PAKAN_CLIENT_ADDRESS_HEADER = os.environ.get("PAKAN_CLIENT_ADDRESS_HEADER", "")

REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Lao is not in Django's own language table: describe it once here.
locale.LANG_INFO.setdefault(
    "lo", {"bidi": False, "code": "lo", "name": "Lao", "name_local": "ລາວ"}
)
LANGUAGE_CODE = "lo"
LANGUAGES = [("lo", _("Lao")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "pakan" / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Vientiane"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise looks for it at start-up, even before collectstatic
STATICFILES_DIRS = [BASE_DIR / "pakan" / "static"]
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Largest import file accepted (bytes).
PAKAN_IMPORT_MAX_BYTES = int(os.environ.get("PAKAN_IMPORT_MAX_BYTES", str(500 * 1024 * 1024)))

# Job runners are named by dotted path; only code under these packages may be run as a job.
PAKAN_JOB_RUNNER_PREFIXES = ("pakan.",)
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", "") or None
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Pakan API",
    "DESCRIPTION": "Registry of people and households for Lao PDR social protection.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # Choice sets that share a field name get names of their own in the schema.
    "ENUM_NAME_OVERRIDES": {
        "ClaimChannelEnum": "pakan.benefits.models.claims.Claim.Channel",
        "DeclarationChannelEnum": "pakan.socialsecurity.models.declarations.Declaration.Channel",
        "NotificationChannelEnum": "pakan.benefits.models.claims.Notification.Channel",
        "ClaimStatusEnum": "pakan.benefits.models.claims.Claim.Status",
        "AwardStatusEnum": "pakan.benefits.models.awards.Award.Status",
        "PayrollRunStatusEnum": "pakan.benefits.models.payroll.PayrollRun.Status",
        "PayrollLineStatusEnum": "pakan.benefits.models.payroll.PayrollLine.Status",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("PAKAN_LOG_LEVEL", "WARNING")},
}

if PRODUCTION:
    SECURE_SSL_REDIRECT = os.environ.get("PAKAN_SSL_REDIRECT", "1") == "1"
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
