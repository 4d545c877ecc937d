"""Forms of the journal pages: an XLSX upload and a late-edit decision. Marks are posted as plain
row forms (see ``views.journal``); their values are checked by ``services.marks_set``."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class JournalUploadForm(forms.Form):
    file = forms.FileField(
        label=_("XLSX file"),
        help_text=_("The journal as downloaded, with the marks changed (at most 2 MB)."),
    )
    reason = forms.CharField(
        label=_("Why the marks change"),
        max_length=2000,
        help_text=_("Kept in the audit log with every changed mark."),
    )


class LateEditDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", _("Approve")), ("reject", _("Reject"))], widget=forms.HiddenInput
    )
    note = forms.CharField(label=_("Comment"), max_length=2000, required=False)


class AttendanceForm(forms.Form):
    date = forms.DateField(
        label=_("Date of the class"), widget=forms.DateInput(attrs={"type": "date"})
    )
    slot = forms.IntegerField(label=_("Class of the day"), min_value=1, max_value=10, initial=1)
