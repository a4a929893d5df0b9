from django import template

from amtsweg.payments.money import format_cents

register = template.Library()


@register.filter
def cents(value) -> str:
    """{{ 1280|cents }} -> 12,80 €"""
    try:
        return format_cents(int(value))
    except (TypeError, ValueError):
        return ""


@register.inclusion_tag("payments/_fee_quote.html")
def fee_quote(procedure_key, authority=None, variant="", **inputs):
    """Render the fee before submission, server-side: {% fee_quote "gewerbe-anmeldung" authority %}.

    /zahlung/gebuehr/ serves the same fragment for htmx updates: page and server agree by construction.
    """
    from amtsweg.payments.fees import FeeError
    from amtsweg.payments.services import quote_fee

    try:
        return {"quote": quote_fee(procedure_key, authority, variant, inputs), "error": ""}
    except FeeError as exc:
        return {"quote": None, "error": str(exc)}
