from django import template
from django.utils.safestring import mark_safe

from qashyq.core.models import translated
from qashyq.core.text import render_markdown

register = template.Library()


@register.filter
def markdown(text: str) -> str:
    return mark_safe(render_markdown(text))  # noqa: S308 - sanitised by nh3


@register.simple_tag
def tr(obj, field: str) -> str:
    """``{% tr program "name" %}``: the field in the active language."""
    return translated(obj, field)
