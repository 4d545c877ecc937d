"""Settings shared by every environment. Values that differ per deployment come from config.env."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from config import env

BASE_DIR = env.BASE_DIR
VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)  # SQLite database, media and mail of the embedded default

SECRET_KEY = env.get("SECRET_KEY", "dev-insecure-qashyq-secret-key-change-me")
DEBUG = False
ALLOWED_HOSTS = env.get_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.get_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "qashyq.accounts.apps.QashyqAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "channels",
    "django_tasks_db",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "qashyq.core",
    "qashyq.accounts",
    "qashyq.academics",
    "qashyq.courses",
    "qashyq.gradebook",
    "qashyq.assignments",
    "qashyq.assessments",
    "qashyq.registrar",
    "qashyq.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "qashyq.core.middleware.UserLanguageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "qashyq.accounts.middleware.StaffMfaMiddleware",
    "qashyq.core.middleware.ApplicationErrorMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "qashyq" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "qashyq.core.context_processors.site",
            ],
        },
    }
]

DATABASES = {
    "default": env.database_from_url(
        env.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'qashyq.sqlite3'}"),
        conn_max_age=env.get_int("CONN_MAX_AGE", 60),
    )
}
# Set by `manage.py serve` and by the ASGI workers of a deployment (docs/deploy.md).
ASGI_PROCESS = env.get_bool("ASGI_PROCESS", False)


def database_for_process(database: dict, *, asgi: bool) -> dict:
    """Under ASGI, persistent connections leak one per request thread (DESIGN.md, measured):
    use CONN_MAX_AGE = 0, with psycopg's pool on PostgreSQL. Under WSGI they are fine."""
    database = {**database, "OPTIONS": dict(database.get("OPTIONS", {}))}
    if asgi:
        database["CONN_MAX_AGE"] = 0
        if database["ENGINE"] == "django.db.backends.postgresql":
            database["OPTIONS"]["pool"] = True
    elif database.get("CONN_MAX_AGE"):
        database["CONN_HEALTH_CHECKS"] = True
    return database


DATABASES["default"] = database_for_process(DATABASES["default"], asgi=ASGI_PROCESS)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "portal:dashboard"
LOGOUT_REDIRECT_URL = "portal:home"

# django-allauth: login by username or e-mail; no self sign-up (students come by admission order).
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_ADAPTER = "qashyq.accounts.adapters.AccountAdapter"
ACCOUNT_USER_DISPLAY = "qashyq.accounts.selectors.display_name"
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_RATE_LIMITS = {
    # Brute-force protection: failed logins per IP and per account.
    "login_failed": "10/m/ip,5/5m/key",
    "reset_password": "20/m/ip,5/m/key",
}
ACCOUNT_PREVENT_ENUMERATION = True
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Qashyq"
SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_PROVIDERS: dict = {}
# Single sign-on through the university's OpenID Connect provider (Keycloak, ADFS, Azure AD...).
# Only existing accounts may sign in this way (no sign-up): the IdP's verified e-mail must match.
if env.get("OIDC_SERVER_URL"):
    SOCIALACCOUNT_PROVIDERS["openid_connect"] = {
        "OAUTH_PKCE_ENABLED": True,
        "APPS": [
            {
                "provider_id": env.get("OIDC_PROVIDER_ID", "university"),
                "name": env.get("OIDC_NAME", "University account"),
                "client_id": env.get("OIDC_CLIENT_ID", ""),
                "secret": env.get("OIDC_CLIENT_SECRET", ""),
                "settings": {"server_url": env.get("OIDC_SERVER_URL")},
            }
        ],
    }
    SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
    SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True

# Staff whose roles can change marks or issue orders must have TOTP set up.
QASHYQ_ENFORCE_STAFF_MFA = env.get_bool("QASHYQ_ENFORCE_STAFF_MFA", True)
QASHYQ_ACADEMY_NAME = env.get("QASHYQ_ACADEMY_NAME", "Qashyq")
# A save that arrives this long after an attempt's deadline is still taken (it was in flight).
QASHYQ_ATTEMPT_GRACE_SECONDS = env.get_int("QASHYQ_ATTEMPT_GRACE_SECONDS", 30)
# The largest file a student may attach to a test answer (a drawing, a recording).
QASHYQ_ATTEMPT_FILE_MAX_MB = env.get_int("QASHYQ_ATTEMPT_FILE_MAX_MB", 50)
# Proxies in front of the application that append to X-Forwarded-For (nginx = 1, a load balancer
# and nginx = 2); 0: none, the client is REMOTE_ADDR. Used by qashyq.core.net.client_ip (a test's
# allowed IP ranges).
QASHYQ_TRUSTED_PROXY_COUNT = env.get_int("TRUSTED_PROXY_COUNT", 0)
# Hosts whose pages an "embedded resource" material may show in a frame (https only).
QASHYQ_EMBED_HOSTS = env.get_list(
    "QASHYQ_EMBED_HOSTS",
    [
        "www.youtube-nocookie.com",
        "player.vimeo.com",
        "phet.colorado.edu",
        "learningapps.org",
        "docs.google.com",
    ],
)

LANGUAGE_CODE = "kk"
LANGUAGES = [("kk", _("Kazakh")), ("ru", _("Russian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "qashyq" / "locale"]
LANGUAGE_COOKIE_NAME = "qashyq_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
TIME_ZONE = "Asia/Almaty"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend"}}
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 12 * 3600
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # WeasyPrint narrates every step of every PDF at INFO; keep its warnings only.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

REDIS_URL = env.get("REDIS_URL")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
