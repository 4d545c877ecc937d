"""Production: PostgreSQL from DATABASE_URL, Redis from REDIS_URL, S3 storage from env.

The process refuses to start with DEBUG on, the default SECRET_KEY, no PostgreSQL, no Redis or no
ALLOWED_HOSTS; config/wsgi.py and config/asgi.py refuse to serve while demo users exist (see
qashyq.accounts.checks). Every variable is listed in docs/deploy.md.
"""

from django.core.exceptions import ImproperlyConfigured

from config import env

from .base import *  # noqa: F403
from .base import ASGI_PROCESS, SECRET_KEY, database_for_process

DEBUG = env.get_bool("DEBUG", False)
if DEBUG:
    raise ImproperlyConfigured("DEBUG must be off in production.")
if not env.get("SECRET_KEY") or SECRET_KEY.startswith("dev-insecure") or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("Set SECRET_KEY to a random value of at least 50 characters.")
if not (env.get("DATABASE_URL") or "").startswith(("postgres://", "postgresql://")):
    raise ImproperlyConfigured("Set DATABASE_URL to the PostgreSQL database (postgres://...).")
if not env.get("REDIS_URL"):
    raise ImproperlyConfigured("Set REDIS_URL (channel layer and cache), e.g. redis://host:6379/0.")

ALLOWED_HOSTS = env.get_list("ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Set ALLOWED_HOSTS to the site's host names, comma-separated.")

DATABASES = {
    "default": database_for_process(
        env.database_from_url(
            env.get("DATABASE_URL"), conn_max_age=env.get_int("CONN_MAX_AGE", 60)
        ),
        asgi=ASGI_PROCESS,
    )
}

STATIC_ROOT = env.get("STATIC_ROOT", str(BASE_DIR / "staticfiles"))  # noqa: F405
MEDIA_ROOT = env.get("MEDIA_ROOT", str(VAR_DIR / "media"))  # noqa: F405
if env.get("S3_BUCKET"):
    # Uploaded files (photos, submissions, recordings) in S3-compatible object storage; static
    # files stay with whitenoise (or nginx, see docs/deploy.md).
    STORAGES = {
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": env.get("S3_BUCKET"),
                "endpoint_url": env.get("S3_ENDPOINT_URL"),
                "access_key": env.get("S3_ACCESS_KEY_ID"),
                "secret_key": env.get("S3_SECRET_ACCESS_KEY"),
                "region_name": env.get("S3_REGION"),
                "custom_domain": env.get("S3_CUSTOM_DOMAIN"),
                "default_acl": None,
                "querystring_auth": True,
                "file_overwrite": False,
            },
        },
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }

MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": env.get("EMAIL_HOST", "localhost"),
            "port": env.get_int("EMAIL_PORT", 25),
            "username": env.get("EMAIL_HOST_USER", ""),
            "password": env.get("EMAIL_HOST_PASSWORD", ""),
            "use_tls": env.get_bool("EMAIL_USE_TLS", False),
            "timeout": 30,
        },
    }
}
DEFAULT_FROM_EMAIL = env.get("DEFAULT_FROM_EMAIL", "qashyq@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Behind nginx terminating TLS (docs/deploy.md): trust its X-Forwarded-Proto.
SECURE_SSL_REDIRECT = env.get_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# ...and its X-Forwarded-For, so allauth's per-IP login limits count clients, not the proxy.
ALLAUTH_TRUSTED_PROXY_COUNT = env.get_int("TRUSTED_PROXY_COUNT", 1)
# the same proxies tell a test's allowed IP ranges the client's address (qashyq.core.net)
QASHYQ_TRUSTED_PROXY_COUNT = ALLAUTH_TRUSTED_PROXY_COUNT
SECURE_HSTS_SECONDS = env.get_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
LANGUAGE_COOKIE_HTTPONLY = True
QASHYQ_ENFORCE_STAFF_MFA = True
QASHYQ_REFUSE_DEMO_USERS = True
