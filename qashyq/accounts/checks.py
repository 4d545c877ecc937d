from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError


def demo_users_present() -> bool:
    from .models import User

    try:
        return User.objects.filter(is_demo=True).exists()
    except DatabaseError:  # not migrated yet
        return False


def refuse_demo_users() -> None:
    """Called when a production process starts: demo logins share the password 'demo'."""
    if getattr(settings, "QASHYQ_REFUSE_DEMO_USERS", False) and demo_users_present():
        raise ImproperlyConfigured(
            "Demo users are present in this database; production refuses to start. "
            "Remove them (manage.py remove_demo_users) or use a clean database."
        )


@checks.register(checks.Tags.security, deploy=True)
def check_no_demo_users(app_configs, **kwargs):
    if demo_users_present():
        return [
            checks.Error(
                "Demo users are present in the database.",
                hint="Run manage.py remove_demo_users before deploying.",
                id="qashyq.E001",
            )
        ]
    return []
