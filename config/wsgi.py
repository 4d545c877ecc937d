import os

from django.core.wsgi import get_wsgi_application

# config.env is the reader of the environment; this default is the one exception.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
application = get_wsgi_application()

from qashyq.accounts.checks import refuse_demo_users  # noqa: E402

refuse_demo_users()
