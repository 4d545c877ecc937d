"""Forms of the summer pages: they parse input only; the rules live in services/summer.py."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import SummerReason

DEFAULT_CAP = 15


class _DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class SummerTermsForm(forms.Form):
    registration_opens_on = forms.DateField(label=_("Registration opens on"), widget=_DateInput())
    registration_closes_on = forms.DateField(label=_("Registration closes on"), widget=_DateInput())
    credit_cap = forms.IntegerField(
        label=_("Most credits per student"), min_value=1, max_value=60, initial=DEFAULT_CAP
    )


class SummerOpenForm(SummerTermsForm):
    period = forms.TypedChoiceField(label=_("Summer period"), coerce=int)

    field_order = ["period", "registration_opens_on", "registration_closes_on", "credit_cap"]

    def __init__(self, *args, periods=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = [(p.pk, str(p)) for p in periods]


class RegisterForm(forms.Form):
    discipline = forms.IntegerField(label=_("Discipline"), min_value=1)
    reason = forms.ChoiceField(label=_("Reason"), choices=SummerReason.choices)


class SummerCourseForm(forms.Form):
    discipline = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    language = forms.ChoiceField(
        label=_("Language of instruction"), choices=settings.LANGUAGES, initial="kk"
    )
    tutors = forms.TypedMultipleChoiceField(
        label=_("Tutors"), coerce=int, widget=forms.SelectMultiple
    )

    def __init__(self, *args, tutors=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tutors"].choices = [(t.pk, t.full_name) for t in tutors]


class DebtorFilterForm(forms.Form):
    faculty = forms.TypedChoiceField(
        label=_("Faculty"), coerce=int, required=False, empty_value=None
    )
    program = forms.TypedChoiceField(
        label=_("Program"), coerce=int, required=False, empty_value=None
    )
    group = forms.TypedChoiceField(label=_("Group"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = choices or {"faculties": [], "programs": [], "groups": []}
        everyone = [("", _("All"))]
        self.fields["faculty"].choices = everyone + [
            (f.pk, f"{f.code} · {f.name}") for f in choices["faculties"]
        ]
        self.fields["program"].choices = everyone + [
            (p.pk, f"{p.code} · {p.name}") for p in choices["programs"]
        ]
        self.fields["group"].choices = everyone + [(g.pk, g.code) for g in choices["groups"]]
