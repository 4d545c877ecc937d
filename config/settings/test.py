"""The test suite: SQLite by default, PostgreSQL when DATABASE_URL is set (make test-postgres)."""

from config import env

from .base import *  # noqa: F403
from .base import BASE_DIR

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = BASE_DIR / "var" / "test-media"
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
if env.get("DATABASE_URL"):
    DATABASES = {"default": env.database_from_url(env.get("DATABASE_URL"), conn_max_age=0)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": BASE_DIR / "var" / "test.sqlite3",
            "TEST": {"NAME": None},
        }
    }
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}
QASHYQ_ENFORCE_STAFF_MFA = True
