from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistrarConfig(AppConfig):
    name = "qashyq.registrar"
    label = "registrar"
    verbose_name = _("Registrar's office")
