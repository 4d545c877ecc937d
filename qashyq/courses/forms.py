"""Forms parse input only; the services validate and write."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ClassMode, ClassType, MaterialKind


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
