from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def bohrung_tile_url() -> str:
    """The configured tile URL (AMTSWEG_TILE_URL); empty: only the offline base layer."""
    return getattr(settings, "TILE_URL", "") or ""
