"""Settings for the case-selection system.

Everything that differs between a laptop and production comes from the environment, read
through the small helpers below. With nothing set, the project runs embedded: SQLite in WAL
mode, Celery in eager mode, a local-memory cache, e-mail to the console.

- ``DJANGO_ENV=production``: DEBUG off, secure cookies, HSTS, WhiteNoise's hashed static files.
- ``DATABASE_URL``: any URL dj-database-url reads (``postgres://…``, ``sqlite:///path``).
- ``REDIS_URL``: Redis as Celery broker and result store, and as the shared cache (rate limits).
"""

import shutil
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .env import env, envbool, envint, envlist

BASE_DIR = Path(__file__).resolve().parent.parent

DJANGO_ENV = env("DJANGO_ENV", "development")
if DJANGO_ENV not in ("development", "production", "test"):
    raise ImproperlyConfigured("DJANGO_ENV must be development, production or test")
PRODUCTION = DJANGO_ENV == "production"

DEBUG = envbool("DEBUG", not PRODUCTION)
SECRET_KEY = env("SECRET_KEY", "" if PRODUCTION else "dev-insecure-key-change-me-" + "x" * 40)
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DJANGO_ENV=production")

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")
SITE_URL = env("SITE_URL", "" if PRODUCTION else "http://127.0.0.1:8000")
# Reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (addresses or
# networks, comma-separated); nobody else's are (core.network).
TRUSTED_PROXIES = envlist("TRUSTED_PROXIES", "")

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
    "import_export",
    "simple_history",
    "rules.apps.AutodiscoverRulesConfig",
    "axes",
    "django_otp",  # two-factor login (accounts.two_factor): authenticator apps (TOTP)
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",  # and backup codes
    "csp",
    "captcha",  # django-simple-captcha: before a vote code is sent (reviews.forms.PhoneForm)
    "core",
    "accounts",
    "cases",
    "reviews",
    "publishing",
]

MIDDLEWARE = [
    # First: the client's address behind trusted proxies only (core.network), so that
    # SecurityMiddleware, axes and every rate limit see the same answer.
    "core.network.ClientAddressMiddleware",
    "core.deployment.ProductionSettingsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Browser policies (CONTENT_SECURITY_POLICY, PERMISSIONS_POLICY below) on every response.
    "core.browser_policies.CSPMiddleware",
    "core.browser_policies.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything reads a parameter: PostgreSQL refuses NUL in text (core.nul).
    "core.nul.StripNulMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # An idle session ends (accounts.middleware.IdleTimeoutMiddleware); until the second factor
    # is passed, staff reach only its page (accounts.two_factor).
    "accounts.middleware.IdleTimeoutMiddleware",
    "accounts.two_factor.TwoFactorMiddleware",
    # A password someone else set is changed first; a browser that logged in is remembered
    # (accounts.passwords, accounts.login_throttle).
    "accounts.middleware.PasswordChangeRequiredMiddleware",
    "accounts.middleware.LoginDeviceMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "bizenv.urls"
WSGI_APPLICATION = "bizenv.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
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

# --- Database -------------------------------------------------------------------------------
# SQLite needs IMMEDIATE transactions and WAL: under DEFERRED, a view that reads then writes
# fails at once with "database is locked" under concurrent load (engineering.md).
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}
DATABASE_URL = env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
try:
    _db = dj_database_url.parse(DATABASE_URL, conn_max_age=envint("CONN_MAX_AGE", 60))
except Exception as exc:  # dj-database-url raises bare ValueErrors for unknown schemes
    raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {exc}") from exc
if _db["ENGINE"] == "django.db.backends.sqlite3":
    _db["OPTIONS"] = {**SQLITE_OPTIONS, **_db.get("OPTIONS", {})}
    _db["CONN_HEALTH_CHECKS"] = False
else:
    _db["CONN_HEALTH_CHECKS"] = True
    # Django turns psycopg's prepared statements off (connection poolers in transaction mode
    # lose them). Its own queries stay unprepared either way (client-side binding); this lets
    # the vote path ask for them (reviews.vote.casting._first_rows). Set DB_PREPARED_STATEMENTS=0
    # behind such a pooler: the vote path then runs unprepared, a little slower.
    _db.setdefault("OPTIONS", {})["prepare_threshold"] = (
        2**31 - 1 if envbool("DB_PREPARED_STATEMENTS", True) else None
    )
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
IS_POSTGRES = _db["ENGINE"].startswith("django.db.backends.postgresql")

# --- Cache, Celery ---------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "core.cache.RedisCache", "LOCATION": REDIS_URL}}
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = envbool("CELERY_TASK_ALWAYS_EAGER", False)
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CELERY_BROKER_URL = "memory://"
    CELERY_RESULT_BACKEND = "cache+memory://"
    CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
# Eagerly, tasks declared off the request (core.background: the notice files) run in a thread
# of their own instead of inside the request that queued them.
EMBEDDED_TASK_THREADS = envbool("EMBEDDED_TASK_THREADS", True)
# A task is acknowledged only after it ran, so a worker killed mid-task leaves it queued.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A task whose worker died unacknowledged goes back to the queue after this many seconds.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": envint("CELERY_VISIBILITY_TIMEOUT", 3600)}
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", "bizenv")
# Periodic tasks are declared by the apps that own them (core.apps: the recovery sweep).
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# --- Auth -------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Login throttling: five failures lock the username from that address for 30 minutes.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_ENABLED = envbool("AXES_ENABLED", True)
# Per username, from any address (accounts.login_throttle): after this many failures within the
# window (seconds), one attempt per delay (seconds) for that username; a browser that has logged
# in as that user before is exempt. Locks nobody out, unlike a per-username axes lockout would.
LOGIN_USERNAME_FAILURE_LIMIT = envint("LOGIN_USERNAME_FAILURE_LIMIT", 20)
LOGIN_USERNAME_WINDOW = envint("LOGIN_USERNAME_WINDOW", 3600)
LOGIN_USERNAME_DELAY = envint("LOGIN_USERNAME_DELAY", 60)
AXES_CLIENT_IP_CALLABLE = "core.network.client_address"

# Two-factor login (accounts.two_factor): superusers, admin-site users and these roles. Add
# expert or officer to ask them too; production refuses a list without staff and auditor.
TWO_FACTOR_ROLES = envlist("TWO_FACTOR_ROLES", "staff,auditor")
OTP_TOTP_ISSUER = "上海市营商环境案例评选"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # no page shows a device's secret (accounts.admin)

SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 8 * 3600)
# A signed-in session idle this long ends (accounts.middleware.IdleTimeoutMiddleware); the
# activity stamp is written at most once a minute, and never for the public and voters.
SESSION_IDLE_MINUTES = envint("SESSION_IDLE_MINUTES", 30)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Not saved on every request: that was a session write (a database UPDATE) on every page view
# and on every vote, doubling the writes of the vote path (bench/bench_votes.py). A session is
# saved when it changes (login, the phone check, a message), so it expires SESSION_COOKIE_AGE
# after the last of those at the latest, and at browser close (a fixed, not a sliding, limit).
SESSION_SAVE_EVERY_REQUEST = False
# With Redis (shared by all workers) sessions are read from the cache and written through to
# the database. Not with the local-memory cache: it is per process, so a session ended
# (logout, cycle_key) in one worker would live on in another worker's copy.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if REDIS_URL
    else "django.contrib.sessions.backends.db"
)

# --- Internationalisation ------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文"))]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

# --- Static and uploaded files -----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))
# Behind nginx: the internal location that serves MEDIA_ROOT to the download views'
# X-Accel-Redirect (core.downloads); empty: Django sends the files itself.
PROTECTED_DOWNLOADS_PREFIX = env("PROTECTED_DOWNLOADS_PREFIX", "")
# The faces of the notice PDF and the certificates (publishing.document_fonts): a folder where
# a commission drops its licensed 方正小标宋简体, 仿宋_GB2312, 楷体_GB2312 (…), and the free Fandol
# faces make install unpacks (scripts/document-fonts.sh).
DOCUMENT_FONT_DIR = env("DOCUMENT_FONT_DIR", "")
FREE_FONT_DIR = env("FREE_FONT_DIR", str(BASE_DIR / "fonts" / "fandol"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
ATTACHMENT_MAX_BYTES = envint("ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- E-mail -----------------------------------------------------------------------------------
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "noreply@fgw.sh.gov.cn")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))

# The vote's captcha (reviews.vote.captcha): letters large enough to read on a phone, and read
# aloud by flite (Debian's package) where it is installed; CAPTCHA_FLITE_PATH="" turns it off.
CAPTCHA_FONT_SIZE = 48
CAPTCHA_FLITE_PATH = env("CAPTCHA_FLITE_PATH", shutil.which("flite") or "") or None

# One-time codes for voters go through this sender; the console one prints them.
SMS_SENDER = env("SMS_SENDER", "reviews.vote.sms.ConsoleSender")
# The real senders (reviews.vote.sms_gateways): an HTTP gateway, or Alibaba Cloud SMS.
SMS_GATEWAY_URL = env("SMS_GATEWAY_URL", "")
SMS_GATEWAY_ACCOUNT = env("SMS_GATEWAY_ACCOUNT", "")
SMS_GATEWAY_PASSWORD = env("SMS_GATEWAY_PASSWORD", "")
SMS_GATEWAY_TEMPLATE = env("SMS_GATEWAY_TEMPLATE", "")
SMS_GATEWAY_OK_FIELD = env("SMS_GATEWAY_OK_FIELD", "code")
SMS_GATEWAY_OK_VALUE = env("SMS_GATEWAY_OK_VALUE", "0")
ALIYUN_SMS_ACCESS_KEY_ID = env("ALIYUN_SMS_ACCESS_KEY_ID", "")
ALIYUN_SMS_ACCESS_KEY_SECRET = env("ALIYUN_SMS_ACCESS_KEY_SECRET", "")
ALIYUN_SMS_SIGN_NAME = env("ALIYUN_SMS_SIGN_NAME", "")
ALIYUN_SMS_TEMPLATE_CODE = env("ALIYUN_SMS_TEMPLATE_CODE", "")
ALIYUN_SMS_ENDPOINT = env("ALIYUN_SMS_ENDPOINT", "dysmsapi.aliyuncs.com")
ALIYUN_SMS_PROTOCOL = env("ALIYUN_SMS_PROTOCOL", "https")
# The SMS budget (reviews.vote.budget): codes sent site-wide per hour and per day.
SMS_HOURLY_LIMIT = envint("SMS_HOURLY_LIMIT", 2000)
SMS_DAILY_LIMIT = envint("SMS_DAILY_LIMIT", 20000)
# Flags on the staff fraud review (reviews.vote.flags): a swarm of newly verified phones voting
# for one case, and runs of near-consecutive phone numbers voting alike within a day.
VOTE_SWARM_WINDOW_MINUTES = envint("VOTE_SWARM_WINDOW_MINUTES", 10)
VOTE_SWARM_THRESHOLD = envint("VOTE_SWARM_THRESHOLD", 15)
VOTE_SWARM_NEW_PHONE_MINUTES = envint("VOTE_SWARM_NEW_PHONE_MINUTES", 30)
VOTE_PHONE_RUN_LENGTH = envint("VOTE_PHONE_RUN_LENGTH", 5)
VOTE_PHONE_RUN_GAP = envint("VOTE_PHONE_RUN_GAP", 3)
VOTE_PHONE_RUN_HOURS = envint("VOTE_PHONE_RUN_HOURS", 24)

# Personal information (PIPL): who handles it, as the notice at /privacy/ names it, and how
# long it is kept. PERSONAL_DATA_RETENTION_DAYS after a round's 公示 ends (or its publication,
# whichever is later) the recovery sweep minimises that round's personal data
# (publishing.retention). PHONE_HASH_KEY keys the hash that replaces a minimised voter's phone:
# a secret of its own, so that leaking SECRET_KEY does not make the hashes guessable as well.
PERSONAL_DATA_RETENTION_DAYS = envint("PERSONAL_DATA_RETENTION_DAYS", 30)
PHONE_HASH_KEY = env("PHONE_HASH_KEY", "" if PRODUCTION else "dev-phone-hash-key-change-me")
PRIVACY_HANDLER_NAME = env("PRIVACY_HANDLER_NAME", "上海市发展和改革委员会")
PRIVACY_HANDLER_CONTACT = env(
    "PRIVACY_HANDLER_CONTACT", "上海市人民大道200号，邮编200003；电话 021-23112311"
)
SMS_PROVIDER_NAME = env("SMS_PROVIDER_NAME", "本系统接入的短信服务商")
# Where `manage.py backup` keeps its archives when given no path; the sweep deletes the ones
# older than the retention period (they hold the personal data it minimised).
BACKUP_DIR = Path(env("BACKUP_DIR", str(BASE_DIR / "var" / "backups")))

# --- Security ---------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    # Believed only from TRUSTED_PROXIES: core.network drops the header from anyone else.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Rate limits need a shared cache; with the per-process local-memory cache of the embedded
# mode they still hold for the single `runserver` process.
RATELIMIT_USE_CACHE = "default"
RATELIMIT_IP_META_KEY = "core.network.client_address"
SILENCED_SYSTEM_CHECKS = [] if REDIS_URL else ["django_ratelimit.E003", "django_ratelimit.W001"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING")},
    "loggers": {"core": {"level": "INFO"}, "reviews.vote.sms": {"level": "INFO"}},
}
SIMPLE_HISTORY_REVERT_DISABLED = True  # the trail is evidence: no "revert" button in the admin

# --- Content-Security-Policy and Permissions-Policy (enforced) -------------------------------
# No inline script anywhere: every script is a file under static/ (tests/test_csp.py scans the
# templates). Styles keep 'unsafe-inline': Bootstrap pages, crispy-forms and the admin's
# templates use style attributes, and a style cannot run code. img-src data: is Bootstrap's
# SVG icons in its CSS.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
}
