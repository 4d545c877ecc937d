"""The test suite: SQLite by default, PostgreSQL and Redis when DATABASE_URL / REDIS_URL are set
(make test-postgres)."""

import uuid

from config import env

from .base import *  # noqa: F403
from .base import BASE_DIR, CACHES, CHANNEL_LAYERS, REDIS_URL

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = BASE_DIR / "var" / "test-media"
# Browser tests get static files from the apps' folders (live_server's static handler); an empty
# STATIC_ROOT keeps whitenoise from warning that collectstatic never ran.
STATIC_ROOT = BASE_DIR / "var" / "test-static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
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
if REDIS_URL:
    # One Redis serves every test process (pytest-xdist workers) and every run: a prefix of
    # their own keeps rate-limit counters and cached values of one from reaching another.
    _prefix = f"test-{env.get('PYTEST_XDIST_WORKER', 'main')}-{uuid.uuid4().hex[:8]}"
    CACHES = {"default": {**CACHES["default"], "KEY_PREFIX": _prefix}}
    CHANNEL_LAYERS = {
        "default": {
            **CHANNEL_LAYERS["default"],
            "CONFIG": {**CHANNEL_LAYERS["default"]["CONFIG"], "prefix": _prefix},
        }
    }
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}
QASHYQ_ENFORCE_STAFF_MFA = True
