"""Forms of the admission and order pages. They only parse input; the rules (required
documents, statuses, contracts, duplicate numbers) are checked by the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from qashyq.academics.models import DistanceGround, Funding

from .models import DocumentKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ApplicationForm(forms.Form):
    program = forms.ModelChoiceField(label=_("Educational program"), queryset=None)
    ground = forms.ChoiceField(
        label=_("Ground for distance study"),
        choices=[c for c in DistanceGround.choices if c[0]],
    )
    disability_group = forms.TypedChoiceField(
        label=_("Disability group"),
        choices=[("", _("None")), (1, "I"), (2, "II"), (3, "III")],
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("Only with the special-needs ground."),
    )
    funding = forms.ChoiceField(label=_("Funding"), choices=Funding.choices)
    statement = forms.CharField(
        label=_("Application to the rector"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        help_text=_("What you ask the rector and why."),
    )

    def __init__(self, *args, programs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = programs
        if programs.count() == 1:
            self.fields["program"].initial = programs.first()


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Document"), choices=DocumentKind.choices)
    file = forms.FileField(label=_("File (PDF, JPEG or PNG)"))


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("approve", _("Approve")), ("reject", _("Reject"))]
    )
    note = forms.CharField(
        label=_("Reason or comment"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
        help_text=_("Required for a refusal; the applicant sees it."),
    )


class ContractForm(forms.Form):
    contract_number = forms.CharField(label=_("Contract number"), max_length=64)
    contract_signed_on = forms.DateField(label=_("Contract signed on"), widget=DATE)


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Why (optional)"), max_length=2000, required=False)


class PreambleForm(forms.Form):
    preamble = forms.CharField(
        label=_("Preamble"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=5000,
    )


class OrderRegisterForm(forms.Form):
    number = forms.CharField(label=_("Order number"), max_length=32)
    signed_on = forms.DateField(label=_("Order date"), widget=DATE)
    effective_on = forms.DateField(
        label=_("Takes effect on"),
        widget=DATE,
        help_text=_("The students' records change from this date."),
    )
