"""Production: PostgreSQL from DATABASE_URL, Redis from REDIS_URL, S3 storage from env.

The process refuses to start with DEBUG on or the default SECRET_KEY; the accounts app refuses
to serve while demo users exist (see qashyq.accounts.checks).
"""

from django.core.exceptions import ImproperlyConfigured

from config import env

from .base import *  # noqa: F403
from .base import SECRET_KEY

DEBUG = env.get_bool("DEBUG", False)
if DEBUG:
    raise ImproperlyConfigured("DEBUG must be off in production.")
if not env.get("SECRET_KEY") or SECRET_KEY.startswith("dev-insecure") or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("Set SECRET_KEY to a random value of at least 50 characters.")
if not env.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
    raise ImproperlyConfigured("Set DATABASE_URL to the PostgreSQL database.")
if not env.get("REDIS_URL"):
    raise ImproperlyConfigured("Set REDIS_URL (channel layer and cache).")

ALLOWED_HOSTS = env.get_list("ALLOWED_HOSTS")
DATABASES = {
    "default": env.database_from_url(
        env.get("DATABASE_URL"), conn_max_age=env.get_int("CONN_MAX_AGE", 60)
    )
}
if env.get_bool("ASGI_PROCESS"):
    # Under ASGI persistent connections leak per request thread; use psycopg's pool instead.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"]["pool"] = True

if env.get("S3_BUCKET"):
    STORAGES = {
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": env.get("S3_BUCKET"),
                "endpoint_url": env.get("S3_ENDPOINT_URL"),
                "access_key": env.get("S3_ACCESS_KEY_ID"),
                "secret_key": env.get("S3_SECRET_ACCESS_KEY"),
                "region_name": env.get("S3_REGION"),
                "default_acl": None,
                "querystring_auth": True,
                "file_overwrite": False,
            },
        },
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = env.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env.get_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env.get_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env.get("DEFAULT_FROM_EMAIL", "qashyq@localhost")

SECURE_SSL_REDIRECT = env.get_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.get_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
LANGUAGE_COOKIE_HTTPONLY = True
QASHYQ_ENFORCE_STAFF_MFA = True
QASHYQ_REFUSE_DEMO_USERS = True
