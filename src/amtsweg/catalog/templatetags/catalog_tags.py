from django import template

from amtsweg.catalog import services

register = template.Library()


@register.simple_tag
def catalog_life_situations():
    """The life situations for the start page (in their editorial order)."""
    return list(services.list_life_situations())
