from django import template

register = template.Library()


@register.filter
def field(obj, name: str):
    """``{{ discipline|field:name_field }}``: a translated name column chosen at render time."""
    return getattr(obj, name, "")
