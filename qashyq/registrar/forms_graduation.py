"""Forms of the graduation pages: they parse the input; the services judge it."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AttestationFormat, AttestationKind

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class AttestationEventForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=AttestationKind.choices)
    format = forms.ChoiceField(
        label=_("Format"),
        choices=AttestationFormat.choices,
        widget=forms.RadioSelect,
        help_text=_("As the program decides: distance (online) or on site."),
    )
    starts_at = forms.DateTimeField(
        label=_("Starts"),
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
        help_text=_("Local time (Almaty)."),
    )
    place = forms.CharField(
        label=_("Place or link"),
        required=False,
        max_length=255,
        help_text=_("The room and building, or the link to the online room."),
    )
    commission = forms.CharField(
        label=_("Commission"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The chair and members, one a line."),
    )


class AttestationResultForm(forms.Form):
    # A text field: the service parses the mark and says clearly what is wrong with it.
    percent = forms.CharField(label=_("Mark, %"), max_length=20, required=False)
    reason = forms.CharField(label=_("Reason for a change"), max_length=1000, required=False)
