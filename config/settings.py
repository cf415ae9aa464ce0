"""Settings for the last-metre project, read from the environment.

With nothing set the project runs on its own: SQLite under ``var/``, Celery tasks run eagerly in the
web process, e-mail is written to files under ``var/mail``, DEBUG on. Production sets the variables
listed in the README ("Settings"); without ``SECRET_KEY`` and with DEBUG off it refuses to start.
"""

import datetime
import re
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=True)

VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-development-only-never-use-this-key-in-production"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # Django's admin, with a site that keeps "view on site" within the user's scope.
    "config.apps.ScopedAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_fsm",
    "auditlog",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "django_celery_beat",
    "anymail",
    "projects",
    "surveys",
    "procurement",
    "communication",
    "django_ratelimit",
    "portal",
    "progress",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    # Last, as django-axes asks: it turns a lockout during login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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

# Database: SQLite under var/ unless DATABASE_URL says otherwise (postgres://user:pass@host:5432/name).
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # The planner's price of reading a page out of order. PostgreSQL's default (4) is made for spinning
    # disks; on SSDs or a database that fits in memory 1.1 is the usual value, and without it a search
    # that matches a few thousand homes reads all of a big project instead of its matches by index.
    # Empty: leave it to the server's configuration.
    _random_page_cost = env.str("DB_RANDOM_PAGE_COST", default="1.1")
    if _random_page_cost:
        _db_options = DATABASES["default"].setdefault("OPTIONS", {})
        _db_options["options"] = (
            f"{_db_options.get('options', '')} -c random_page_cost={float(_random_page_cost)}".strip()
        )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "projects.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out account before the password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "projects:list"
LOGOUT_REDIRECT_URL = "login"

# Internationalisation: Dutch first, English available.
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

# Static files are collected and served by WhiteNoise; media is uploaded files. In production point
# MEDIA_ROOT at storage that every web and worker machine mounts (NFS, a shared volume).
STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
AGREEMENT_DOCUMENT_MAX_BYTES = env.int("AGREEMENT_DOCUMENT_MAX_BYTES", default=20 * 1024 * 1024)
# The uploaded register file and the rejects file of an import are removed this many days after the
# import finished (projects/imports/retention.py, daily); the job and its counts stay.
IMPORT_FILE_RETENTION_DAYS = env.int("IMPORT_FILE_RETENTION_DAYS", default=30)
if IMPORT_FILE_RETENTION_DAYS < 1:
    raise ImproperlyConfigured("IMPORT_FILE_RETENTION_DAYS must be at least 1.")

# E-mail: files under var/mail unless EMAIL_URL is set (smtp://user:pass@host:587, submission+tls://...).
if "EMAIL_URL" in env:
    globals().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="De laatste meter <noreply@localhost>")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
# EMAIL_BACKEND may also name a django-anymail provider backend (anymail.backends.postmark.EmailBackend);
# its settings and the secret of its delivery webhooks (/anymail/<provider>/tracking/) go in ANYMAIL.
if "EMAIL_BACKEND" in env:
    EMAIL_BACKEND = env.str("EMAIL_BACKEND")
ANYMAIL = {
    key: value
    for key, value in {
        "WEBHOOK_SECRET": env.str("ANYMAIL_WEBHOOK_SECRET", default=""),
        "POSTMARK_SERVER_TOKEN": env.str("POSTMARK_SERVER_TOKEN", default=""),
        "MAILGUN_API_KEY": env.str("MAILGUN_API_KEY", default=""),
        "MAILGUN_WEBHOOK_SIGNING_KEY": env.str("MAILGUN_WEBHOOK_SIGNING_KEY", default=""),
    }.items()
    if value
}

# Resident communication (communication/).
# The address residents and providers reach this site on: links in messages, the SMS status callback.
PUBLIC_URL = env.str("PUBLIC_URL", default="http://127.0.0.1:8000")
# SMS: one JSON line per message under var/sms by default; Twilio's REST API in production.
SMS_BACKEND = env.str("SMS_BACKEND", default="communication.sms.FileSmsBackend")
SMS_FILE_PATH = env.str("SMS_FILE_PATH", default=str(VAR_DIR / "sms"))
SMS_API_URL = env.str("SMS_API_URL", default="https://api.twilio.com")
SMS_ACCOUNT = env.str("SMS_ACCOUNT", default="")
SMS_TOKEN = env.str("SMS_TOKEN", default="")
SMS_FROM = env.str("SMS_FROM", default="")
SMS_TIMEOUT = env.float("SMS_TIMEOUT", default=10.0)
# At most this many messages per second per channel over all workers (0: no limit); kept in the cache.
MESSAGE_RATE_LIMITS = {
    "email": env.int("EMAIL_RATE_LIMIT", default=0),
    "sms": env.int("SMS_RATE_LIMIT", default=20),
}
# Where the address sits on the A4 letter, in mm from the top left: the window of a Dutch window
# envelope (a C5/6 or EA5/6 envelope with the window on the left). Ask the print shop for theirs.
LETTER_ADDRESS_WINDOW = {
    "left": env.int("LETTER_WINDOW_LEFT", default=22),
    "top": env.int("LETTER_WINDOW_TOP", default=50),
    "width": env.int("LETTER_WINDOW_WIDTH", default=85),
    "height": env.int("LETTER_WINDOW_HEIGHT", default=35),
}
# A campaign that made no progress for this long lost its worker; the minute sweep sends it on.
CAMPAIGN_STALLED_AFTER_SECONDS = env.int("CAMPAIGN_STALLED_AFTER_SECONDS", default=120)

# The resident portal (portal/): personal links, and what residents may do in it.
PORTAL_LINK_DAYS = env.int("PORTAL_LINK_DAYS", default=120)
# Wrong links from one address before it must wait (django-ratelimit, counted in the cache).
PORTAL_GUESS_RATE = env.str("PORTAL_GUESS_RATE", default="20/h")
# A survey visit can be changed or called off in the portal until this many hours before it.
PORTAL_CHANGE_HOURS = env.int("PORTAL_CHANGE_HOURS", default=24)
# A one-time code (accepting the agreement) is valid this long, for this many tries.
PORTAL_CODE_MINUTES = env.int("PORTAL_CODE_MINUTES", default=15)
PORTAL_CODE_TRIES = env.int("PORTAL_CODE_TRIES", default=5)

# Progress (dashboards, exports, the monthly report): who sees aggregates only (the municipality) sees
# a count below this as "< N", and secondary suppression keeps totals from revealing it.
PROGRESS_SMALL_CELL = env.int("PROGRESS_SMALL_CELL", default=10)
# A finished export (XLSX) can be downloaded for this long.
EXPORT_LINK_HOURS = env.int("EXPORT_LINK_HOURS", default=24)
# The header that holds the visitor's address behind a proxy (HTTP_X_FORWARDED_FOR); REMOTE_ADDR else.
RATELIMIT_IP_META_KEY = env.str("RATELIMIT_IP_META_KEY", default="REMOTE_ADDR")

# The cache: per process unless CACHE_URL names a shared one (redis://...), which the rate limits need
# when several workers send.
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}

# Celery: without a broker, tasks run eagerly in the calling process.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_URL = CELERY_BROKER_URL or "memory://"
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
CELERY_TASK_IGNORE_RESULT = CELERY_RESULT_BACKEND is None
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
# celery beat keeps its schedule in the database (django-celery-beat): the entries below are written
# into its tables at each start of beat (their time included); in the admin an administrator sees
# them, can pause one and add others.
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    "import-files-purge": {
        "task": "projects.tasks.import_files_purge_task",
        "schedule": crontab(hour=3, minute=15),
    },
    "jobs-resume-stale": {
        "task": "projects.tasks.jobs_resume_stale_task",
        "schedule": crontab(minute="*/5"),
    },
    "campaigns-sweep": {
        "task": "communication.tasks.campaigns_sweep_task",
        "schedule": crontab(minute="*"),
    },
    "reminders": {
        "task": "communication.tasks.reminders_task",
        "schedule": crontab(hour=10, minute=0),
    },
    "letters-batch": {
        "task": "communication.tasks.letters_batch_task",
        "schedule": crontab(hour=15, minute=0),
    },
    "agreements-expire": {
        "task": "procurement.tasks.agreements_expire_task",
        "schedule": crontab(hour=0, minute=5),
    },
    "progress-exports-purge": {
        "task": "progress.tasks.export_files_purge_task",
        "schedule": crontab(minute=20),
    },
    "progress-monthly-reports": {
        "task": "progress.tasks.reports_monthly_task",
        "schedule": crontab(day_of_month=1, hour=5, minute=30),
    },
}
# A running job without a sign of life (progress) for this many seconds lost its worker: another
# worker takes it over and goes on from where it got (projects/jobs.py; checked every five minutes).
JOB_STALE_AFTER_SECONDS = env.int("JOB_STALE_AFTER_SECONDS", default=600)
if JOB_STALE_AFTER_SECONDS < 60:
    raise ImproperlyConfigured("JOB_STALE_AFTER_SECONDS must be at least 60.")
# How long /healthz waits for the broker before calling it unreachable.
HEALTHCHECK_BROKER_TIMEOUT = env.float("HEALTHCHECK_BROKER_TIMEOUT", default=2.0)

# Security. Development keeps plain HTTP; with DEBUG off everything is HTTPS-only.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# A form refused by the CSRF check gets a page that says why (too long open, cookies off).
CSRF_FAILURE_VIEW = "config.views.csrf_failure"
if env.bool("USE_X_FORWARDED_PROTO", default=False):
    # Only behind a proxy that sets X-Forwarded-Proto itself and strips it from clients.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        # "Authorization: Token <key>": a person's own tokens (django-rest-knox; /account/tokens/).
        "projects.api_auth.ApiTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # The domain's errors (a conflict, a refusal, a service's ValidationError) answered alike everywhere.
    "EXCEPTION_HANDLER": "projects.api_errors.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    # Rate limits (projects/api_throttles.py), read at each request from API_RATE_USER and API_RATE_ANON.
    "DEFAULT_THROTTLE_CLASSES": [
        "projects.api_throttles.PersonRateThrottle",
        "projects.api_throttles.AnonymousRateThrottle",
    ],
}
# API tokens: each person makes and revokes their own (/account/tokens/); a token works this many days.
# knox stores only a digest of the key; a deactivated person's tokens stop working.
API_TOKEN_DAYS = env.int("API_TOKEN_DAYS", default=90)
if API_TOKEN_DAYS < 1:
    raise ImproperlyConfigured("API_TOKEN_DAYS must be at least 1.")
KNOX_TOKEN_MODEL = "projects.ApiToken"
# knox's own table is not made: its model is swapped for ours, and an empty table that refers to the people
# would only stop the tests' flush of the people's table.
MIGRATION_MODULES = {"knox": None}
# The API's rate limits, counted in the cache (CACHE_URL: shared by all web processes): requests per person
# (session and tokens together), and per address for requests without a person. "<n>/<s|min|h|day>";
# empty: no limit. Over it the answer is 429 with Retry-After.
API_RATE_USER = env.str("API_RATE_USER", default="300/min")
API_RATE_ANON = env.str("API_RATE_ANON", default="60/min")
for _rate_name, _rate in (("API_RATE_USER", API_RATE_USER), ("API_RATE_ANON", API_RATE_ANON)):
    if _rate and not re.fullmatch(r"[1-9]\d*/(s|sec|m|min|h|hour|d|day)", _rate):
        raise ImproperlyConfigured(f"{_rate_name} must look like 300/min (per s, min, h or day) or be empty.")
REST_KNOX = {
    "TOKEN_MODEL": KNOX_TOKEN_MODEL,
    "TOKEN_TTL": datetime.timedelta(days=API_TOKEN_DAYS),
    "AUTH_HEADER_PREFIX": "Token",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "De laatste meter API",
    "DESCRIPTION": "Connection projects of collective heat networks: parties, governance and advisories.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Requests and answers described apart: an upload is a file (binary) in the request, not a URL.
    "COMPONENT_SPLIT_REQUEST": True,
    # The answers every operation may give besides its own: 400, 403, 404, 409, 429 (projects/api_schema.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "projects.api_schema.document_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "DwellingStateEnum": "projects.states.DwellingState",
        "MessageStatusEnum": "communication.models.MessageStatus",
        "CampaignStatusEnum": "communication.models.CampaignStatus",
    },
}

AUDITLOG_INCLUDE_ALL_MODELS = False

# Survey planning: planned visits a surveyor can make in one day.
SURVEY_VISITS_PER_DAY = env.int("SURVEY_VISITS_PER_DAY", default=6)
# How long one survey visit takes: two visits of a surveyor cannot start closer together than this.
SURVEY_VISIT_MINUTES = env.int("SURVEY_VISIT_MINUTES", default=60)

# Survey photos: larger uploads are refused; larger images are scaled down to this longest side.
SURVEY_PHOTO_MAX_BYTES = env.int("SURVEY_PHOTO_MAX_BYTES", default=15 * 1024 * 1024)
SURVEY_PHOTO_MAX_SIDE = env.int("SURVEY_PHOTO_MAX_SIDE", default=2048)

# Connection plans: after a correction to an approved survey the plans are made this many seconds
# later, if no further correction came meanwhile (one correction, one new version).
CONNECTION_PLAN_DELAY = env.int("CONNECTION_PLAN_DELAY", default=120)

# Governance health check thresholds (see projects/advisories/rules.py).
# A project with at least this many planned dwellings is "large".
GOVERNANCE_LARGE_PROJECT_DWELLINGS = env.int("GOVERNANCE_LARGE_PROJECT_DWELLINGS", default=500)
# A project is "mostly privately owned" when at least this percentage of its dwellings is.
GOVERNANCE_MOSTLY_PRIVATE_PERCENT = env.int("GOVERNANCE_MOSTLY_PRIVATE_PERCENT", default=50)

# Login lockout (django-axes, kept in the database): after this many failed logins an account is locked
# for LOGIN_LOCKOUT_MINUTES (0: until an administrator of its organisation unlocks it).
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=10)
_lockout_minutes = env.int("LOGIN_LOCKOUT_MINUTES", default=60)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=_lockout_minutes) if _lockout_minutes else None
# The account is what is locked, from whatever address the attempts come.
# (Counting per address as well would lock out a whole office behind one router after a few typos.)
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
if "CACHE_URL" not in env:
    # The embedded default runs one process, whose own cache counts the portal's wrong links well
    # enough; production names a shared cache (CACHE_URL), which django-ratelimit then checks.
    SILENCED_SYSTEM_CHECKS += ["django_ratelimit.E003", "django_ratelimit.W001"]
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "projects.views.accounts.login_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "projects.views.accounts.locked_out"
AXES_VERBOSE = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"permission_denied_one_line": {"()": "config.logfilters.PermissionDeniedOneLine"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # WeasyPrint and fontTools report every font and image of every PDF at INFO.
        **{name: {"level": "WARNING"} for name in ("weasyprint", "fontTools")},
        # django-axes tells every login at INFO; a lockout is a WARNING.
        "axes": {"level": "WARNING"},
        # A 403 is one line (method, path, user, reason); Django attaches the traceback. A 500 keeps it.
        "django.request": {"filters": ["permission_denied_one_line"]},
    },
}
