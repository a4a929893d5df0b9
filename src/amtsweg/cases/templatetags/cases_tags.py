from django import template
from django.urls import reverse

from amtsweg.cases.states import State

register = template.Library()


@register.filter
def get_item(mapping, key):
    try:
        return mapping.get(key)
    except AttributeError:
        return None


def _describedby(field) -> dict:
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}-hint")
    if field.errors:
        ids.append(f"{field.auto_id}-error")
    attrs = {}
    if ids:
        attrs["aria-describedby"] = " ".join(ids)
    if field.errors:
        attrs["aria-invalid"] = "true"
    return attrs


@register.simple_tag
def widget_with_htmx(field, draft, index):
    """The field's input with htmx attributes for server-side validation on change."""
    attrs = _describedby(field)
    attrs.update(
        {
            "hx-post": reverse("cases:check_field", args=[draft.pk, index, field.html_name]),
            "hx-target": f"#feld-{field.html_name}",
            "hx-swap": "outerHTML",
        }
    )
    return field.as_widget(attrs=attrs)


@register.simple_tag
def widget_plain(field):
    return field.as_widget(attrs=_describedby(field))


@register.filter
def state_label(value):
    try:
        return State(value).label
    except ValueError:
        return value
