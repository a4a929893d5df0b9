from django import template
from django.utils.translation import gettext as _

from amtsweg.directory.hours import weekday_name

register = template.Library()


@register.filter
def weekday(value: int) -> str:
    """0 -> "Montag" (in the active language)."""
    try:
        return weekday_name(int(value))
    except (TypeError, ValueError, IndexError):
        return ""


@register.filter
def intervals(day) -> str:
    """A day's hours as "08:00–12:00, 13:00–18:00", or "geschlossen"."""
    if not day.intervals:
        return _("geschlossen")
    return ", ".join(f"{i.opens:%H:%M}–{i.closes:%H:%M}" for i in day.intervals)


@register.filter
def interval_notes(day) -> str:
    return "; ".join(dict.fromkeys(i.note for i in day.intervals if i.note))
