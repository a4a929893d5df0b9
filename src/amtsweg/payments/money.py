"""Money is integer cents everywhere; this module turns cents into text and back."""

from __future__ import annotations

import re
from decimal import Decimal

_AMOUNT = re.compile(r"^\s*(?P<euros>\d{1,9})(?:[,.](?P<cents>\d{1,2}))?\s*(?:€|EUR)?\s*$")


def format_cents(cents: int, *, currency: bool = True) -> str:
    """12,80 € – German format with thousands separator (1.234,50 €)."""
    sign = "-" if cents < 0 else ""
    euros, rest = divmod(abs(int(cents)), 100)
    text = f"{sign}{euros:,}".replace(",", ".") + f",{rest:02d}"
    return f"{text} €" if currency else text


def format_plain(cents: int) -> str:
    """12,80 – for CSV files read by German spreadsheet and cash-office software."""
    return format_cents(cents, currency=False).replace(".", "")


def parse_euros(text: str) -> int:
    """'12,80', '12.8', '12 €' -> 1280 cents. Raises ValueError for anything else."""
    match = _AMOUNT.match(str(text))
    if not match:
        raise ValueError(f"{text!r} ist kein Eurobetrag.")
    cents = (match.group("cents") or "0").ljust(2, "0")
    return int(match.group("euros")) * 100 + int(cents)


def cents_to_decimal(cents: int) -> Decimal:
    return (Decimal(int(cents)) / 100).quantize(Decimal("0.01"))


def decimal_to_cents(value: Decimal | str) -> int:
    """Exact conversion of a bank amount ('12.80') to cents; refuses fractions of a cent."""
    amount = Decimal(str(value).strip())
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise ValueError(f"{value!r} hat mehr als zwei Nachkommastellen.")
    return int(cents)
