"""Forms parse input only; the services validate and write."""

from django import forms
from django.forms.models import fields_for_model
from django.utils.translation import gettext_lazy as _

from .models import ClassMode, ClassType, MaterialKind, OpenCourse


class ComponentForm(forms.Form):
    body = forms.CharField(label=_("Content (Markdown)"), required=False, widget=forms.Textarea)
    grading_criteria = forms.CharField(
        label=_("Grading criteria (Markdown)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    url = forms.URLField(label=_("Link"), required=False, assume_scheme="https")
    file = forms.FileField(label=_("File"), required=False)
    clear_file = forms.BooleanField(label=_("Remove the file"), required=False)


class PlanClassForm(forms.Form):
    week = forms.IntegerField(label=_("Week"), min_value=1, max_value=30)
    topic = forms.CharField(label=_("Topic"), max_length=255)
    class_type = forms.ChoiceField(label=_("Class type"), choices=ClassType.choices)
    hours = forms.DecimalField(
        label=_("Hours"), min_value=0, max_value=100, max_digits=5, decimal_places=1
    )
    mode = forms.ChoiceField(label=_("Mode"), choices=ClassMode.choices)


class TopicForm(forms.Form):
    week = forms.IntegerField(label=_("Week"), min_value=1, max_value=30)
    title = forms.CharField(label=_("Title"), max_length=255)


class MaterialForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=MaterialKind.choices)
    title = forms.CharField(label=_("Title"), max_length=255)
    body = forms.CharField(label=_("Text (Markdown)"), required=False, widget=forms.Textarea)
    url = forms.URLField(label=_("Link"), required=False, assume_scheme="https")
    file = forms.FileField(label=_("File"), required=False)
    captions = forms.FileField(
        label=_("Captions (WebVTT or SRT, for a video)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".vtt,.srt,text/vtt"}),
    )
    printable = forms.BooleanField(label=_("Printable"), required=False)
    release_on = forms.DateField(
        label=_("Available from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class TopicEditForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=255)
    week = forms.IntegerField(label=_("Week"), min_value=1, max_value=30)
    position = forms.IntegerField(
        label=_("Position in the week"), min_value=0, max_value=1000, required=False
    )


class MaterialEditForm(forms.Form):
    """The fields of a material that can change in place; its kind stays."""

    title = forms.CharField(label=_("Title"), max_length=255)
    body = forms.CharField(label=_("Text (Markdown)"), required=False, widget=forms.Textarea)
    url = forms.URLField(label=_("Link"), required=False, assume_scheme="https")
    file = forms.FileField(label=_("Replace the file"), required=False)
    captions = forms.FileField(label=_("Replace the captions (WebVTT or SRT)"), required=False)
    clear_captions = forms.BooleanField(label=_("Remove the captions"), required=False)
    printable = forms.BooleanField(label=_("Printable"), required=False)
    release_on = forms.DateField(label=_("Available from"), required=False)


class ReturnForm(forms.Form):
    comment = forms.CharField(label=_("What needs to be changed"), widget=forms.Textarea)


# The fields of an open course as its managers edit them (``open_courses.COURSE_FIELDS`` and the
# discipline), labelled with the model's own names.
OPEN_COURSE_FORM_FIELDS = (
    "title_kk",
    "title_ru",
    "title_en",
    "slug",
    "kind",
    "discipline",
    "description_kk",
    "description_ru",
    "description_en",
    "hours",
    "enrolment_open",
    "starts_on",
    "ends_on",
    "certificate_enabled",
    "threshold_percent",
    "published",
)


class DisciplineChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.code} · {obj.name}"


class OpenCourseForm(forms.Form):
    """Parses an open course's fields; ``open_courses.open_course_create`` / ``_update`` check
    them (the unique address, the dates, the approved EUMK) and write."""

    def __init__(self, *args, disciplines, **kwargs):
        super().__init__(*args, **kwargs)
        date = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        text = forms.Textarea(attrs={"rows": 4})
        fields = fields_for_model(
            OpenCourse,
            fields=OPEN_COURSE_FORM_FIELDS,
            widgets={
                "starts_on": date,
                "ends_on": date,
                "description_kk": text,
                "description_ru": text,
                "description_en": text,
            },
            field_classes={"discipline": DisciplineChoiceField},
        )
        fields["discipline"].queryset = disciplines
        fields["discipline"].help_text = _(
            "Only disciplines with an approved EUMK: its latest approved version is the content."
        )
        fields["slug"].help_text = _("Latin letters, digits and hyphens; the course's web address.")
        self.fields.update(fields)

    def fieldsets(self) -> list[tuple[str, list]]:
        """The fields in groups, as the page shows them: (legend, bound fields)."""
        groups = (
            (_("The course"), ("title_kk", "title_ru", "title_en", "slug", "kind")),
            (_("Content"), ("discipline", "hours")),
            (_("Description (Markdown)"), ("description_kk", "description_ru", "description_en")),
            (
                _("Enrolment and certificate"),
                (
                    "enrolment_open",
                    "starts_on",
                    "ends_on",
                    "certificate_enabled",
                    "threshold_percent",
                    "published",
                ),
            ),
        )
        return [(legend, [self[name] for name in names]) for legend, names in groups]
