"""Forms of the tutor's test pages: they parse input only; ``services/tests_admin.py`` checks
the rules (dates in order, IP ranges, a bank of the discipline, enough questions to publish)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from qashyq.gradebook.models import COLUMN_LABELS, COLUMNS

from .models import REVIEW_ITEMS, REVIEW_MOMENTS, GradingMethod, Navigation, TestKind

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]

MOMENT_LABELS = {
    "during": _("During the attempt"),
    "immediately": _("Right after the attempt (2 minutes)"),
    "later": _("Later, while the test is open"),
    "after_close": _("After the test closes"),
}
ITEM_LABELS = {
    "score": _("Score"),
    "responses": _("Own answers"),
    "right_answers": _("Right answers"),
    "feedback": _("Feedback"),
}
REVIEW_FIELDS = tuple(f"review_{m}_{i}" for m in REVIEW_MOMENTS for i in REVIEW_ITEMS)


def gradebook_choices() -> list[tuple[str, object]]:
    return [("", _("None"))] + [(code, COLUMN_LABELS[code]) for code in COLUMNS]


class TestForm(forms.Form):
    """Every setting of a test. The review options are 16 checkboxes drawn as a grid."""

    title = forms.CharField(label=_("Title"), max_length=255)
    intro = forms.CharField(
        label=_("Introduction (Markdown)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=TestKind.choices)
    opens_at = forms.DateTimeField(
        label=_("Opens at"), required=False, widget=DATETIME, input_formats=DT_FORMATS
    )
    closes_at = forms.DateTimeField(
        label=_("Closes at"), required=False, widget=DATETIME, input_formats=DT_FORMATS
    )
    time_limit = forms.IntegerField(
        label=_("Time limit (minutes)"),
        required=False,
        min_value=1,
        max_value=24 * 60,
        help_text=_("Empty: no time limit."),
    )
    attempts_allowed = forms.IntegerField(
        label=_("Attempts allowed"),
        min_value=0,
        max_value=100,
        initial=1,
        help_text=_("0: unlimited."),
    )
    grading_method = forms.ChoiceField(label=_("Grading method"), choices=GradingMethod.choices)
    navigation = forms.ChoiceField(label=_("Navigation"), choices=Navigation.choices)
    shuffle_questions = forms.BooleanField(
        label=_("Shuffle questions"), required=False, initial=True
    )
    shuffle_options = forms.BooleanField(label=_("Shuffle options"), required=False, initial=True)
    password = forms.CharField(
        label=_("Password"),
        max_length=64,
        required=False,
        help_text=_("Empty: none. Students type it to start an attempt."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    allowed_ip_ranges = forms.CharField(
        label=_("Allowed IP ranges"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One address or CIDR range per line (e.g. 10.1.2.0/24); empty: any."),
    )
    proctored = forms.BooleanField(label=_("Proctored"), required=False)
    gradebook_column = forms.ChoiceField(
        label=_("Gradebook column"),
        required=False,
        choices=gradebook_choices,
        help_text=_("The column of the course journal that receives the final mark."),
    )

    # the grid's fields are added in __init__ (names review_<moment>_<item>)
    MAIN_FIELDS = (
        "title",
        "intro",
        "kind",
        "opens_at",
        "closes_at",
        "time_limit",
        "attempts_allowed",
        "grading_method",
        "navigation",
        "shuffle_questions",
        "shuffle_options",
        "password",
        "allowed_ip_ranges",
        "proctored",
        "gradebook_column",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for moment in REVIEW_MOMENTS:
            for item in REVIEW_ITEMS:
                self.fields[f"review_{moment}_{item}"] = forms.BooleanField(
                    label=f"{MOMENT_LABELS[moment]}: {ITEM_LABELS[item]}", required=False
                )

    def main_fields(self):
        return [self[name] for name in self.MAIN_FIELDS]

    def review_grid(self):
        """Rows of (moment label, [(item label, bound field)])."""
        return [
            (
                MOMENT_LABELS[moment],
                [(ITEM_LABELS[item], self[f"review_{moment}_{item}"]) for item in REVIEW_ITEMS],
            )
            for moment in REVIEW_MOMENTS
        ]

    @staticmethod
    def item_labels():
        return [ITEM_LABELS[item] for item in REVIEW_ITEMS]

    def settings(self) -> dict:
        """The cleaned values as ``test_create``/``test_update`` keywords."""
        data = dict(self.cleaned_data)
        data["intro"] = data.get("intro") or ""
        data["password"] = data.get("password") or ""
        data["allowed_ip_ranges"] = data.get("allowed_ip_ranges") or ""
        data["gradebook_column"] = data.get("gradebook_column") or ""
        return data


class RandomSectionForm(forms.Form):
    """N random questions of a category of one of the discipline's banks."""

    category = forms.TypedChoiceField(label=_("Category"), coerce=int)
    count = forms.IntegerField(label=_("Number of questions"), min_value=1, max_value=500)
    include_subcategories = forms.BooleanField(label=_("Include subcategories"), required=False)
    mark = forms.DecimalField(
        label=_("Mark per question"),
        required=False,
        min_value=0,
        max_value=1000,
        decimal_places=2,
        help_text=_("Empty: each question's own mark."),
    )

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "—")] + list(categories)


class FixedSectionForm(forms.Form):
    """Questions chosen one by one from a bank (always shown)."""

    questions = forms.TypedMultipleChoiceField(
        label=_("Questions"), coerce=int, widget=forms.CheckboxSelectMultiple
    )
    mark = forms.DecimalField(
        label=_("Mark per question"),
        required=False,
        min_value=0,
        max_value=1000,
        decimal_places=2,
        help_text=_("Empty: each question's own mark."),
    )

    def __init__(self, *args, questions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["questions"].choices = list(questions)


class OverrideForm(forms.Form):
    """Other dates, time or attempts for one student or one group; every value empty removes
    the override."""

    target = forms.ChoiceField(label=_("Student or group"))
    opens_at = forms.DateTimeField(
        label=_("Opens at"), required=False, widget=DATETIME, input_formats=DT_FORMATS
    )
    closes_at = forms.DateTimeField(
        label=_("Closes at"), required=False, widget=DATETIME, input_formats=DT_FORMATS
    )
    time_limit = forms.IntegerField(
        label=_("Time limit (minutes)"), required=False, min_value=1, max_value=24 * 60
    )
    attempts_allowed = forms.IntegerField(
        label=_("Attempts allowed"),
        required=False,
        min_value=0,
        max_value=100,
        help_text=_("0: unlimited."),
    )

    def __init__(self, *args, targets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = [("", "—")] + list(targets)
