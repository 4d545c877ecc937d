from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "qashyq.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from . import checks  # noqa: F401  (registers system checks)


class QashyqAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with Qashyq's site, whose permissions come from policies."""

    default = False
    default_site = "qashyq.accounts.admin_site.QashyqAdminSite"
