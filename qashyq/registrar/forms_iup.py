"""Forms of the study-plan pages. They parse input only; the rules (caps, elective groups,
who may do what) live in ``services.iup``."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from qashyq.academics.models import AcademicYear, PlanComponent, Program, ProgramPlanEntry

from .services.iup import NOTE_MAX


class StartForm(forms.Form):
    year = forms.ModelChoiceField(
        label=_("Academic year"), queryset=AcademicYear.objects.none(), to_field_name="pk"
    )

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].queryset = AcademicYear.objects.filter(pk__in=[y.pk for y in years])


class ElectivesForm(forms.Form):
    """The electives the student keeps: checkboxes named ``entries`` (rendered by the template
    group by group)."""

    entries = forms.ModelMultipleChoiceField(
        label=_("Electives"),
        queryset=ProgramPlanEntry.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, plan=None, terms=(), **kwargs):
        super().__init__(*args, **kwargs)
        if plan is not None:
            self.fields["entries"].queryset = ProgramPlanEntry.objects.filter(
                program_id=plan.program_id, component=PlanComponent.ELECTIVE, term__in=terms
            ).select_related("discipline")


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("approve", _("Approve")), ("return", _("Return"))]
    )
    note = forms.CharField(label=_("Note to the student"), max_length=NOTE_MAX, required=False)


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("Why the plan is reopened"), max_length=NOTE_MAX)


class EnrolProgramForm(forms.Form):
    program = forms.ModelChoiceField(
        label=_("Educational program"), queryset=Program.objects.none()
    )
    year = forms.ModelChoiceField(label=_("Academic year"), queryset=AcademicYear.objects.all())

    def __init__(self, *args, programs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = Program.objects.filter(
            pk__in=[p.pk for p in programs]
        ).select_related("department")
        self.fields["year"].queryset = AcademicYear.objects.order_by("-starts_on")
