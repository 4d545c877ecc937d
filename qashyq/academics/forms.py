from django import forms
from django.utils.translation import gettext_lazy as _

from .imports import ImportKind


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What the file holds"),
        choices=ImportKind.choices,
        widget=forms.RadioSelect,
        initial=ImportKind.STUDENTS,
    )
    file = forms.FileField(
        label=_("Spreadsheet (XLSX or CSV)"),
        help_text=_("CSV may be in UTF-8 or Windows-1251, separated by semicolons or commas."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,.txt"}),
    )
