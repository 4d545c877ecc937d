import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")  # noqa: config.env is the reader
application = get_wsgi_application()

from qashyq.accounts.checks import refuse_demo_users  # noqa: E402

refuse_demo_users()
