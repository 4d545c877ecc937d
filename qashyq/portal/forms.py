from django import forms
from django.utils.translation import gettext_lazy as _

from qashyq.academics.models import DeliveryFormat, ProgramLevel


class ProgramFilterForm(forms.Form):
    level = forms.ChoiceField(
        label=_("Level"),
        required=False,
        choices=[("", _("All levels")), *ProgramLevel.choices],
    )
    delivery_format = forms.ChoiceField(
        label=_("Delivery format"),
        required=False,
        choices=[("", _("All formats")), *DeliveryFormat.choices],
    )
