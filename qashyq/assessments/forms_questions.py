"""Forms of the question editor: the fields every question has, and one set of row forms per
type. Plain HTML forms (formsets with a fixed number of blank rows; "add more rows" is a GET
parameter), so they work without JavaScript. ``build_data`` turns the bound forms into the
type's ``data`` document (docs/subsystems/questions.md); the services validate it.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qashyq.core.errors import ValidationFailed

from .formats.base import Reject
from .formats.moodlexml import parse_cloze, write_cloze
from .models import QType
from .services.validation import ESSAY_MAX_ATTACHMENTS, FILE_KIND_GROUPS, FILE_MAX_FILES

ROWS_DEFAULT = 5
ROWS_MORE = 5
ROWS_MAX = 50

# Moodle's grade fractions (question/engine/lib.php, question_bank::fraction_options_full)
_FRACTIONS = (
    1.0,
    0.9,
    0.8333333,
    0.8,
    0.75,
    0.7,
    0.6666667,
    0.6,
    0.5,
    0.4,
    0.3333333,
    0.3,
    0.25,
    0.2,
    0.1666667,
    0.1428571,
    0.125,
    0.1111111,
    0.1,
    0.05,
)


def fraction_key(value: Any) -> str:
    """The select's value of a fraction: ``1`` ``0.5`` ``-0.3333333``."""
    try:
        number = round(float(value), 7)
    except (TypeError, ValueError):
        return "0"
    return f"{number:.7g}" if number else "0"


def _percent_label(value: float) -> str:
    return f"{value * 100:.5g}%"


def fraction_choices(*, negative: bool = True) -> list[tuple[str, str]]:
    choices = [("0", gettext_lazy("None (0%)"))]
    choices += [(fraction_key(f), _percent_label(f)) for f in _FRACTIONS]
    if negative:
        choices += [(fraction_key(-f), _percent_label(-f)) for f in reversed(_FRACTIONS)]
    return choices


class FractionField(forms.TypedChoiceField):
    """A grade fraction chosen from Moodle's list; a value not in the list (an imported
    question's 35 %) is added so editing keeps it."""

    def __init__(self, *, negative: bool = True, **kwargs):
        kwargs.setdefault("label", gettext_lazy("Grade"))
        super().__init__(
            choices=fraction_choices(negative=negative),
            coerce=float,
            empty_value=0.0,
            required=False,
            initial="0",
            **kwargs,
        )

    def allow(self, value: Any) -> None:
        key = fraction_key(value)
        if key not in dict(self.choices):
            self.choices = [*self.choices, (key, _percent_label(float(key)))]


class NumberField(forms.CharField):
    """A decimal number; a comma decimal (``3,14``) and spaces are accepted."""

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        if len(value) > 60:
            raise forms.ValidationError(
                _("“%(value)s” is not a number.") % {"value": value[:40] + "…"},
                code="not_a_number",
            )
        cleaned = value.replace(" ", "").replace("\u00a0", "").replace(",", ".")
        try:
            number = float(cleaned)
        except ValueError:
            raise forms.ValidationError(
                _("“%(value)s” is not a number.") % {"value": value[:40]}, code="not_a_number"
            ) from None
        if number != number or number in (float("inf"), float("-inf")):
            raise forms.ValidationError(
                _("“%(value)s” is not a number.") % {"value": value[:40]}, code="not_a_number"
            )
        return number


class Text(forms.CharField):
    """Text whose line ends are ``\n`` (browsers send ``\r\n`` from a textarea), so saving an
    unchanged form makes no new version."""

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n").replace("\r", "\n") if value else value


def _textarea(rows: int = 2) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "cols": 60})


# --- the fields of every question ---------------------------------------------------------------


class QuestionCommonForm(forms.Form):
    category = forms.ChoiceField(label=gettext_lazy("Category"), required=False)
    name = Text(
        label=gettext_lazy("Name"),
        required=False,
        max_length=255,
        help_text=gettext_lazy("Left empty, the beginning of the text serves as the name."),
    )
    text = Text(
        label=gettext_lazy("Question text"),
        widget=_textarea(8),
        max_length=100_000,
        strip=False,
        help_text=gettext_lazy("Markdown: **bold**, *italic*, lists with “- ”."),
    )
    general_feedback = Text(
        label=gettext_lazy("General feedback"),
        required=False,
        widget=_textarea(3),
        help_text=gettext_lazy("Shown in the review after the attempt."),
    )
    default_mark = NumberField(label=gettext_lazy("Default mark"), required=False, initial="1")
    tags = Text(
        label=gettext_lazy("Tags"),
        required=False,
        max_length=3000,
        help_text=gettext_lazy("Separated by commas, e.g. topic, difficulty:easy."),
    )

    def __init__(
        self, *args, tree, qtype: str, cloze: bool = False, text_format: str = "markdown", **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.tree = tree
        self.fields["category"].choices = [("", _("The top of the bank"))] + [
            (str(node.category.pk), " / ".join(node.path)) for node in tree
        ]
        if qtype == QType.DESCRIPTION:
            del self.fields["default_mark"]
        if text_format == "html":
            self.fields["text"].help_text = _("This question's text is HTML (it was imported).")
        elif text_format == "plain":
            self.fields["text"].help_text = _("This question's text is plain text.")
        if cloze:
            self.fields["text"].help_text = _(
                "Write each gap where it goes in Moodle's embedded-answers syntax: "
                "{1:SHORTANSWER:=right answer#feedback~%50%half right}, "
                "{2:NUMERICAL:=3.14:0.01}, {1:MULTICHOICE:=right~wrong~wrong}. "
                "The first number is the gap's mark."
            )

    def chosen_category(self):
        chosen = self.cleaned_data.get("category") or ""
        for node in self.tree:
            if str(node.category.pk) == chosen:
                return node.category
        return None

    def tag_list(self) -> list[str]:
        return [t.strip() for t in self.cleaned_data.get("tags", "").split(",") if t.strip()]


# --- rows ---------------------------------------------------------------------------------------


class OptionRowForm(forms.Form):
    id = Text(required=False, widget=forms.HiddenInput, max_length=32)
    text = Text(label=gettext_lazy("Option"), required=False, widget=_textarea(2))
    fraction = FractionField()
    feedback = Text(label=gettext_lazy("Feedback"), required=False, widget=_textarea(1))


class AnswerRowForm(forms.Form):
    text = Text(label=gettext_lazy("Answer"), required=False, max_length=1000)
    fraction = FractionField(negative=False)
    feedback = Text(label=gettext_lazy("Feedback"), required=False, widget=_textarea(1))


class NumberRowForm(forms.Form):
    value = NumberField(label=gettext_lazy("Answer"), required=False)
    tolerance = NumberField(label=gettext_lazy("Tolerance (±)"), required=False)
    fraction = FractionField(negative=False)
    feedback = Text(label=gettext_lazy("Feedback"), required=False, widget=_textarea(1))


class PairRowForm(forms.Form):
    id = Text(required=False, widget=forms.HiddenInput, max_length=32)
    prompt = Text(label=gettext_lazy("Item"), required=False, widget=_textarea(1))
    answer = Text(label=gettext_lazy("Its match"), required=False, max_length=1000)


class ItemRowForm(forms.Form):
    id = Text(required=False, widget=forms.HiddenInput, max_length=32)
    text = Text(label=gettext_lazy("Item"), required=False, max_length=1000)


ROW_FORMS = {
    QType.SINGLE: OptionRowForm,
    QType.MULTIPLE: OptionRowForm,
    QType.SHORT: AnswerRowForm,
    QType.NUMERICAL: NumberRowForm,
    QType.MATCHING: PairRowForm,
    QType.ORDERING: ItemRowForm,
}
ROW_PREFIX = "rows"


def row_formset(qtype: str, *, data=None, initial=None, extra: int = ROWS_DEFAULT):
    form = ROW_FORMS.get(qtype)
    if form is None:
        return None
    formset_class = formset_factory(form, extra=extra, max_num=ROWS_MAX, absolute_max=ROWS_MAX)
    formset = formset_class(data=data, initial=initial or None, prefix=ROW_PREFIX)
    for row in formset.forms:
        fraction = row.fields.get("fraction")
        if fraction is not None:
            fraction.allow(row.initial.get("fraction", 0))
    return formset


# --- the type's own settings ---------------------------------------------------------------------


class ChoiceSettingsForm(forms.Form):
    shuffle = forms.BooleanField(
        label=gettext_lazy("Shuffle the options for each student"), required=False, initial=True
    )


class TrueFalseForm(forms.Form):
    correct = forms.TypedChoiceField(
        label=gettext_lazy("The right answer"),
        choices=[("true", gettext_lazy("True")), ("false", gettext_lazy("False"))],
        coerce=lambda value: value == "true",
        widget=forms.RadioSelect,
        initial="true",
    )
    feedback_true = Text(
        label=gettext_lazy("Feedback for the answer “true”"), required=False, widget=_textarea(2)
    )
    feedback_false = Text(
        label=gettext_lazy("Feedback for the answer “false”"), required=False, widget=_textarea(2)
    )


class ShortSettingsForm(forms.Form):
    case_sensitive = forms.BooleanField(label=gettext_lazy("Letter case matters"), required=False)


class MatchingSettingsForm(forms.Form):
    distractors = Text(
        label=gettext_lazy("Extra wrong choices"),
        required=False,
        widget=_textarea(3),
        help_text=gettext_lazy("One per line."),
    )
    shuffle = forms.BooleanField(
        label=gettext_lazy("Shuffle the items for each student"), required=False, initial=True
    )


class EssayForm(forms.Form):
    response_format = forms.ChoiceField(
        label=gettext_lazy("Response format"),
        choices=[
            ("rich", gettext_lazy("Rich text (an editor)")),
            ("plain", gettext_lazy("Plain text")),
        ],
        initial="rich",
    )
    attachments = forms.TypedChoiceField(
        label=gettext_lazy("Attached files allowed"),
        choices=[(str(n), str(n)) for n in range(ESSAY_MAX_ATTACHMENTS + 1)],
        coerce=int,
        initial="0",
    )
    min_words = forms.IntegerField(
        label=gettext_lazy("Minimum number of words"), min_value=0, max_value=100_000, initial=0
    )
    grader_info = Text(
        label=gettext_lazy("Information for graders"), required=False, widget=_textarea(4)
    )


FILE_GROUP_LABELS = {
    "image": gettext_lazy("Images"),
    "audio": gettext_lazy("Audio recordings"),
    "video": gettext_lazy("Video"),
    "document": gettext_lazy("Documents (PDF, Word, OpenDocument)"),
    "archive": gettext_lazy("Archives"),
    "spreadsheet": gettext_lazy("Spreadsheets"),
    "presentation": gettext_lazy("Presentations"),
}


class FileForm(forms.Form):
    accept = forms.MultipleChoiceField(
        label=gettext_lazy("Accepted kinds of file"),
        choices=[(group, FILE_GROUP_LABELS[group]) for group in FILE_KIND_GROUPS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    accept_other = Text(
        label=gettext_lazy("Other kinds or extensions"),
        required=False,
        max_length=500,
        help_text=gettext_lazy("Separated by commas, e.g. pdf, mp3."),
    )
    max_files = forms.TypedChoiceField(
        label=gettext_lazy("Files at most"),
        choices=[(str(n), str(n)) for n in range(1, FILE_MAX_FILES + 1)],
        coerce=int,
        initial="1",
    )


SETTINGS_FORMS = {
    QType.SINGLE: ChoiceSettingsForm,
    QType.MULTIPLE: ChoiceSettingsForm,
    QType.TRUEFALSE: TrueFalseForm,
    QType.SHORT: ShortSettingsForm,
    QType.MATCHING: MatchingSettingsForm,
    QType.ESSAY: EssayForm,
    QType.FILE: FileForm,
}
SETTINGS_PREFIX = "type"


def settings_form(qtype: str, *, data=None, initial=None):
    form = SETTINGS_FORMS.get(qtype)
    if form is None:
        return None
    return form(data=data, initial=initial, prefix=SETTINGS_PREFIX)


# --- from the stored data to the forms' initial values, and back ---------------------------------


def initial_values(version) -> tuple[dict, list[dict], dict]:
    """The common form's, the rows' and the settings' initial values of a version."""
    qtype, data = version.qtype, version.data or {}
    text = version.text
    if qtype == QType.CLOZE:
        text = write_cloze(text, data.get("gaps", []))
    common = {
        "name": version.name,
        "text": text,
        "general_feedback": version.general_feedback,
        "default_mark": f"{version.default_mark:g}",
    }
    rows: list[dict] = []
    settings: dict[str, Any] = {}
    if qtype in (QType.SINGLE, QType.MULTIPLE):
        rows = [
            {
                "id": o.get("id", ""),
                "text": o.get("text", ""),
                "fraction": fraction_key(o.get("fraction", 0)),
                "feedback": o.get("feedback", ""),
            }
            for o in data.get("options", [])
        ]
        settings = {"shuffle": data.get("shuffle", True)}
    elif qtype == QType.TRUEFALSE:
        settings = {
            "correct": "true" if data.get("correct") else "false",
            "feedback_true": data.get("feedback_true", ""),
            "feedback_false": data.get("feedback_false", ""),
        }
    elif qtype == QType.SHORT:
        rows = [
            {
                "text": a.get("text", ""),
                "fraction": fraction_key(a.get("fraction", 0)),
                "feedback": a.get("feedback", ""),
            }
            for a in data.get("answers", [])
        ]
        settings = {"case_sensitive": data.get("case_sensitive", False)}
    elif qtype == QType.NUMERICAL:
        rows = [
            {
                "value": f"{a.get('value', 0):g}",
                "tolerance": f"{a.get('tolerance', 0):g}",
                "fraction": fraction_key(a.get("fraction", 0)),
                "feedback": a.get("feedback", ""),
            }
            for a in data.get("answers", [])
        ]
    elif qtype == QType.MATCHING:
        rows = [
            {"id": p.get("id", ""), "prompt": p.get("prompt", ""), "answer": p.get("answer", "")}
            for p in data.get("pairs", [])
            if p.get("prompt")
        ]
        distractors = list(data.get("distractors", [])) + [
            p.get("answer", "") for p in data.get("pairs", []) if not p.get("prompt")
        ]
        settings = {"distractors": "\n".join(distractors), "shuffle": data.get("shuffle", True)}
    elif qtype == QType.ORDERING:
        rows = [{"id": i.get("id", ""), "text": i.get("text", "")} for i in data.get("items", [])]
    elif qtype == QType.ESSAY:
        settings = {
            "response_format": data.get("response_format", "rich"),
            "attachments": str(data.get("attachments", 0)),
            "min_words": data.get("min_words", 0),
            "grader_info": data.get("grader_info", ""),
        }
    elif qtype == QType.FILE:
        accept = list(data.get("accept", []))
        settings = {
            "accept": [a for a in accept if a in FILE_KIND_GROUPS],
            "accept_other": ", ".join(a for a in accept if a not in FILE_KIND_GROUPS),
            "max_files": str(data.get("max_files", 1)),
        }
    return common, rows, settings


# keys of ``data`` the editor writes; other keys of an edited version (a rubric) are kept
MANAGED_KEYS = {
    QType.SINGLE: {"options", "shuffle"},
    QType.MULTIPLE: {"options", "shuffle"},
    QType.TRUEFALSE: {"correct", "feedback_true", "feedback_false"},
    QType.SHORT: {"answers", "case_sensitive"},
    QType.NUMERICAL: {"answers"},
    QType.MATCHING: {"pairs", "distractors", "shuffle"},
    QType.ORDERING: {"items"},
    QType.CLOZE: {"gaps"},
    QType.ESSAY: {"response_format", "attachments", "min_words", "grader_info"},
    QType.FILE: {"accept", "max_files"},
    QType.DESCRIPTION: set(),
}


def _filled(formset, key: str) -> list[dict]:
    return [
        row.cleaned_data
        for row in formset.forms
        if row.cleaned_data and row.cleaned_data.get(key) not in (None, "")
    ]


def build_data(qtype: str, text: str, formset, settings) -> tuple[str, dict]:
    """The question's text (for cloze, with ``{{n}}`` markers) and its ``data``, from valid
    forms. Blank rows are left out. A cloze text that cannot be read raises ValidationFailed."""
    cleaned = settings.cleaned_data if settings is not None else {}
    if qtype in (QType.SINGLE, QType.MULTIPLE):
        options = []
        for row in _filled(formset, "text"):
            option = {"text": row["text"].strip(), "fraction": row["fraction"]}
            option["feedback"] = row["feedback"].strip()
            if row.get("id"):
                option["id"] = row["id"]
            options.append(option)
        return text, {"options": options, "shuffle": cleaned["shuffle"]}
    if qtype == QType.TRUEFALSE:
        return text, {
            "correct": cleaned["correct"],
            "feedback_true": cleaned["feedback_true"].strip(),
            "feedback_false": cleaned["feedback_false"].strip(),
        }
    if qtype == QType.SHORT:
        answers = [
            {
                "text": r["text"].strip(),
                "fraction": r["fraction"],
                "feedback": r["feedback"].strip(),
            }
            for r in _filled(formset, "text")
            if r["text"].strip()
        ]
        return text, {"answers": answers, "case_sensitive": cleaned["case_sensitive"]}
    if qtype == QType.NUMERICAL:
        answers = [
            {
                "value": r["value"],
                "tolerance": abs(r["tolerance"] or 0.0),
                "fraction": r["fraction"],
                "feedback": r["feedback"].strip(),
            }
            for r in _filled(formset, "value")
        ]
        if not answers:
            raise ValidationFailed(
                _("A numerical question needs an answer worth full marks."), code="answers_missing"
            )
        return text, {"answers": answers}
    if qtype == QType.MATCHING:
        pairs = []
        for row in formset.forms:
            data = row.cleaned_data or {}
            prompt, answer = data.get("prompt", "").strip(), data.get("answer", "").strip()
            if not prompt and not answer:
                continue
            if not prompt or not answer:
                raise ValidationFailed(
                    _(
                        "Every item of a matching question needs its match, and every match "
                        "an item."
                    ),
                    code="pair_incomplete",
                )
            pair = {"prompt": prompt, "answer": answer}
            if data.get("id"):
                pair["id"] = data["id"]
            pairs.append(pair)
        distractors = [d.strip() for d in cleaned["distractors"].splitlines() if d.strip()]
        return text, {"pairs": pairs, "distractors": distractors, "shuffle": cleaned["shuffle"]}
    if qtype == QType.ORDERING:
        items = []
        for row in _filled(formset, "text"):
            item = {"text": row["text"].strip()}
            if row.get("id"):
                item["id"] = row["id"]
            items.append(item)
        return text, {"items": items}
    if qtype == QType.CLOZE:
        try:
            marked, gaps = parse_cloze(text)
        except Reject as exc:
            raise ValidationFailed(str(exc.reason), code="cloze_invalid") from None
        return marked, {"gaps": gaps}
    if qtype == QType.ESSAY:
        return text, {
            "response_format": cleaned["response_format"],
            "attachments": cleaned["attachments"],
            "min_words": cleaned["min_words"] or 0,
            "grader_info": cleaned["grader_info"].strip(),
        }
    if qtype == QType.FILE:
        other = [a.strip() for a in cleaned["accept_other"].split(",") if a.strip()]
        return text, {"accept": list(cleaned["accept"]) + other, "max_files": cleaned["max_files"]}
    return text, {}
