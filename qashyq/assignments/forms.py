"""Forms of the assignments pages: parse input only; the services check the rules."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import GRADEBOOK_COLUMN_CHOICES, LatePolicy, Task, TaskKind

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]


def parse_rubric(value: str) -> list[dict]:
    """One criterion a line: ``Criterion: level = points; level = points``."""
    rubric = []
    for number, line in enumerate(value.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        title, sep, rest = line.partition(":")
        levels = []
        for part in rest.split(";"):
            if not part.strip():
                continue
            name, eq, points = part.rpartition("=")
            try:
                amount = Decimal(points.strip().replace(",", "."))
            except InvalidOperation:
                amount = None
            if not eq or not name.strip() or amount is None or amount < 0:
                raise forms.ValidationError(
                    _("Rubric line %(line)s: write levels as “name = points”.") % {"line": number}
                )
            levels.append({"title": name.strip(), "points": amount})
        if not sep or not title.strip() or not levels:
            raise forms.ValidationError(
                _("Rubric line %(line)s: write “criterion: level = points; level = points”.")
                % {"line": number}
            )
        rubric.append({"title": title.strip(), "levels": levels})
    return rubric


def rubric_text(task: Task) -> str:
    return "\n".join(
        f"{c.title}: "
        + "; ".join(f"{lv.title} = {format(lv.points.normalize(), 'f')}" for lv in c.levels.all())
        for c in task.criteria.all()
    )


class TaskForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=TaskKind.choices)
    title = forms.CharField(label=_("Title"), max_length=255)
    instructions = forms.CharField(
        label=_("Instructions (Markdown)"), widget=forms.Textarea(attrs={"rows": 8}), required=False
    )
    opens_at = forms.DateTimeField(
        label=_("Opens at"), required=False, widget=DATETIME, input_formats=DT_FORMATS
    )
    due_at = forms.DateTimeField(label=_("Due at"), widget=DATETIME, input_formats=DT_FORMATS)
    cut_off_at = forms.DateTimeField(
        label=_("Cut-off (empty: the due date)"),
        required=False,
        widget=DATETIME,
        input_formats=DT_FORMATS,
    )
    late_policy = forms.ChoiceField(label=_("Late policy"), choices=LatePolicy.choices)
    late_penalty_percent = forms.IntegerField(
        label=_("Penalty per day late, %"), min_value=0, max_value=100, initial=0
    )
    late_penalty_cap = forms.IntegerField(
        label=_("Maximum penalty, %"), min_value=0, max_value=100, initial=100
    )
    max_points = forms.IntegerField(label=_("Maximum points"), min_value=1, initial=100)
    allow_text = forms.BooleanField(label=_("Text answer allowed"), required=False, initial=True)
    allow_files = forms.BooleanField(label=_("Files allowed"), required=False, initial=True)
    max_files = forms.IntegerField(label=_("Maximum number of files"), min_value=1, initial=5)
    max_file_mb = forms.IntegerField(
        label=_("Maximum file size, MB"), min_value=1, max_value=500, initial=20
    )
    group_task = forms.BooleanField(label=_("Group task"), required=False)
    gradebook_column = forms.ChoiceField(
        label=_("E-journal column"),
        required=False,
        help_text=_(
            "Where the released marks go, as a percentage of the maximum points, when you send "
            "them from the submissions page. Empty: the marks stay here."
        ),
    )
    rubric = forms.CharField(
        label=_("Rubric"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Optional. One criterion a line: “criterion: level = points; level = points”."),
    )

    def __init__(self, *args, weeks: int = 15, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = {"tk1", "rk1", "tk2", "rk2", "exam", *(f"w{n}" for n in range(1, weeks + 1))}
        self.fields["gradebook_column"].choices = [
            ("", _("Not sent to the e-journal")),
            *((value, label) for value, label in GRADEBOOK_COLUMN_CHOICES if value in allowed),
        ]

    def clean_rubric(self):
        return parse_rubric(self.cleaned_data.get("rubric") or "")
