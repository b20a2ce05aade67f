"""Django settings. Everything that differs between machines comes from the environment.

Environment variables (all optional):
    SECRET_KEY                 signing key (a fixed development key when DEBUG, required otherwise)
    DEBUG                      "1"/"true" to enable debug mode (default: on)
    DATABASE_URL               e.g. postgres://user@host:5432/db (default: sqlite in var/db.sqlite3)
    REDIS_URL                  broker, result backend and channel layer (default redis://127.0.0.1:6379/0;
                               `make run` starts an embedded Redis and sets this for its children)
    ALLOWED_HOSTS              comma separated (default: localhost,127.0.0.1,[::1],testserver)
    CSRF_TRUSTED_ORIGINS       comma separated origins
    SECURE_PROXY_SSL_HEADER, SECURE_SSL_REDIRECT, SECURE_COOKIES, SECURE_HSTS_SECONDS,
    SECURE_HSTS_INCLUDE_SUBDOMAINS, SECURE_HSTS_PRELOAD   HTTPS behind a proxy (on when DEBUG is off)
    MEDIA_ROOT                 uploaded files and trained models (default var/media)
    MODELBUILDER_S3_BUCKET     store files in this S3-compatible bucket instead (with AWS_S3_ENDPOINT_URL,
                               AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_S3_REGION_NAME,
                               MODELBUILDER_S3_PREFIX, MODELBUILDER_STORAGE_REDIRECT; docs/deployment.md)
    MODELBUILDER_MAX_UPLOAD_BYTES  largest accepted upload (default 100 MB)
    ALLOW_SIGNUP               "1"/"true" lets anyone create an account (default: on)
    CELERY_TASK_ALWAYS_EAGER   "1" runs tasks inline (never used by the tests of the wiring)
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("MODELBUILDER_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY") or ""
if not SECRET_KEY:
    if not DEBUG:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "django-insecure-modelbuilder-local-development-key"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# --- HTTPS: production sits behind a TLS-terminating reverse proxy (docs/deployment.md) -----------
# Each is on by default when DEBUG is off (`manage.py check --deploy` is then clean); 0 turns it off.
if env_bool("SECURE_PROXY_SSL_HEADER", not DEBUG):
    # The proxy must set (overwrite) X-Forwarded-Proto; never expose daphne to clients directly.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^api/health$"]  # load balancers probe it over plain HTTP
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS") or (0 if DEBUG else 31536000))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)

# A plain list: each app adds one line.
INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "channels",
    "ninja",
    "modelbuilder.core",
    "modelbuilder.accounts",
    "modelbuilder.datasets",
    "modelbuilder.designs",
    "modelbuilder.training",
    "modelbuilder.sweeps",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "modelbuilder.urls"
WSGI_APPLICATION = "modelbuilder.wsgi.application"
ASGI_APPLICATION = "modelbuilder.asgi.application"

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
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=0,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # Web server, worker and tests share the file: wait for locks instead of failing at once.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    # Take the write lock at BEGIN: a deferred transaction that upgrades to a write while another
    # process writes fails at once with "database is locked" (no wait), which failed runs when
    # several workers trained at once (bench/load_test: 5-9 of 20 runs lost without this).
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
    # A file (not in-memory) test database, so a Celery worker subprocess can open it too.
    # Named per process: several test sessions may run side by side in one checkout.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test_db_{os.getpid()}.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- files ----------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"  # filled by collectstatic (docker); whitenoise also uses finders
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or VAR_DIR / "media")
FRONTEND_DIST = Path(os.environ.get("MODELBUILDER_FRONTEND_DIST") or BASE_DIR / "frontend" / "dist")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},  # under MEDIA_ROOT
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Datasets, checkpoints and models in S3-compatible object storage, shared by web and workers on any
# machine (docs/deployment.md). Keys and region may also come from boto3's usual sources.
MODELBUILDER_S3_BUCKET = os.environ.get("MODELBUILDER_S3_BUCKET") or ""
if MODELBUILDER_S3_BUCKET:
    _s3_options = {
        "bucket_name": MODELBUILDER_S3_BUCKET,
        "location": os.environ.get("MODELBUILDER_S3_PREFIX", ""),
        "default_acl": None,
        "file_overwrite": False,
        "querystring_auth": True,  # url() is a signed URL
        "querystring_expire": int(os.environ.get("MODELBUILDER_S3_URL_EXPIRE") or 300),
        "signature_version": "s3v4",
        "addressing_style": os.environ.get("MODELBUILDER_S3_ADDRESSING_STYLE") or "path",
    }
    for _option, _name in [
        ("endpoint_url", "AWS_S3_ENDPOINT_URL"),
        ("access_key", "AWS_ACCESS_KEY_ID"),
        ("secret_key", "AWS_SECRET_ACCESS_KEY"),
        ("region_name", "AWS_S3_REGION_NAME"),
    ]:
        if os.environ.get(_name):
            _s3_options[_option] = os.environ[_name]
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": _s3_options}
# Remote storage: model downloads redirect to a short-lived signed URL instead of streaming here.
MODELBUILDER_STORAGE_REDIRECT = env_bool("MODELBUILDER_STORAGE_REDIRECT", False)
WHITENOISE_USE_FINDERS = True

MODELBUILDER_MAX_UPLOAD_BYTES = int(
    os.environ.get("MODELBUILDER_MAX_UPLOAD_BYTES") or 100 * 1024**2
)
DATA_UPLOAD_MAX_MEMORY_SIZE = MODELBUILDER_MAX_UPLOAD_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024**2
FILE_UPLOAD_HANDLERS = [  # the first refuses bodies over MODELBUILDER_MAX_UPLOAD_BYTES with a 413
    "modelbuilder.datasets.uploads.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
ALLOW_SIGNUP = env_bool("ALLOW_SIGNUP", True)

# --- Redis, Celery, Channels ----------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"

CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "cpu"  # workers listen with -Q cpu,celery; GPU workers add -Q gpu
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_RESULT_EXPIRES = 3600
CELERY_TIMEZONE = TIME_ZONE
# Longer than any run (a redelivery while the first worker lives is dropped: resilience.run_take_over).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(os.environ.get("MODELBUILDER_VISIBILITY_TIMEOUT") or 86400),
}
CELERY_IMPORTS = ["modelbuilder.training.reaper_tasks"]  # not named tasks.py: list it for the worker
CELERY_BEAT_SCHEDULE = {
    "reap-lost-runs": {"task": "modelbuilder.training.reaper_tasks.reap_lost_runs", "schedule": 30.0},
}
# per user, queued + running
MODELBUILDER_MAX_CONCURRENT_RUNS = int(os.environ.get("MODELBUILDER_MAX_CONCURRENT_RUNS") or 20)
MODELBUILDER_HEALTH_PING_TIMEOUT = float(os.environ.get("MODELBUILDER_HEALTH_PING_TIMEOUT") or 1.0)

# Threads for the websockets' database calls in each web process (modelbuilder/core/ws_db.py);
# each holds a database connection only while it runs one call.
MODELBUILDER_WS_DB_THREADS = int(os.environ.get("MODELBUILDER_WS_DB_THREADS") or 8)
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "modelbuilder.core.channel_layer.CancelSafeRedisChannelLayer",
        "CONFIG": {
            # redis-py 8 defaults socket_timeout to 5 s: an idle websocket's receive would die.
            "hosts": [{"address": REDIS_URL, "socket_timeout": None}],
            "prefix": os.environ.get("MODELBUILDER_CHANNEL_PREFIX", "asgi"),
            # A full channel drops group messages silently; the default (100) is reached by a busy
            # viewer during a fast run (progress + epoch events), and an epoch event must never be lost.
            "capacity": 2000,
            "expiry": 120,
        },
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"skip_health": {"()": "modelbuilder.core.logging.SkipHealthCheckErrors"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["skip_health"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Replaces Django's default "django" handlers, so our filter sees django.request too.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.channels.server": {"level": "WARNING"},
        "django.request": {"level": "ERROR"},
    },
}
