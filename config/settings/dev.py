"""Local development and `make run`: the demo academy on SQLite."""

import warnings

from config import env

from .base import *  # noqa: F403
from .base import VAR_DIR

DEBUG = env.get_bool("DEBUG", True)
ALLOWED_HOSTS = env.get_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
# Mail is written to files in var/mail/ (Django 6.1 MAILERS; EMAIL_* settings are deprecated).
MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "OPTIONS": {"file_path": str(VAR_DIR / "mail")},
    }
}
# The demo logins share one password and no TOTP device; production refuses demo users entirely.
QASHYQ_ENFORCE_STAFF_MFA = env.get_bool("QASHYQ_ENFORCE_STAFF_MFA", False)

# whitenoise serves static files with a synchronous iterator; under the one ASGI process of
# `make run` Django warns about it on every file. Harmless here (production serves static
# files from the WSGI workers or nginx).
warnings.filterwarnings(
    "ignore", message="StreamingHttpResponse must consume synchronous iterators"
)
