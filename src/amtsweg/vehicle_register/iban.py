"""IBAN check (ISO 13616, mod-97 check digits) for the SEPA direct-debit mandate for vehicle tax. Pure
functions."""

from __future__ import annotations

import re

# Lengths of SEPA countries' IBANs (the mandate for German vehicle tax is a SEPA direct debit).
SEPA_LENGTHS = {
    "AD": 24,
    "AT": 20,
    "BE": 16,
    "BG": 22,
    "CH": 21,
    "CY": 28,
    "CZ": 24,
    "DE": 22,
    "DK": 18,
    "EE": 20,
    "ES": 24,
    "FI": 18,
    "FR": 27,
    "GB": 22,
    "GI": 23,
    "GR": 27,
    "HR": 21,
    "HU": 28,
    "IE": 22,
    "IS": 26,
    "IT": 27,
    "LI": 21,
    "LT": 20,
    "LU": 20,
    "LV": 21,
    "MC": 27,
    "MT": 31,
    "NL": 18,
    "NO": 15,
    "PL": 28,
    "PT": 25,
    "RO": 24,
    "SE": 24,
    "SI": 19,
    "SK": 24,
    "SM": 27,
    "VA": 22,
}
_SHAPE = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}")


def normalize_iban(value: object) -> str:
    if not isinstance(value, str):
        return ""
    return re.sub(r"\s+", "", value).upper()[:40]


def mod97(iban: str) -> int:
    """The ISO 7064 MOD 97-10 remainder of the rearranged IBAN (1 for a valid IBAN)."""
    rearranged = iban[4:] + iban[:4]
    digits = "".join(str(int(char, 36)) for char in rearranged)
    return int(digits) % 97


def iban_problem(value: object) -> str:
    """'' if the IBAN is valid; else a key: 'empty', 'format', 'country', 'length', 'checksum'."""
    iban = normalize_iban(value)
    if not iban:
        return "empty"
    if not _SHAPE.fullmatch(iban):
        return "format"
    country = iban[:2]
    if country not in SEPA_LENGTHS:
        return "country"
    if len(iban) != SEPA_LENGTHS[country]:
        return "length"
    if mod97(iban) != 1:
        return "checksum"
    return ""


def format_iban(value: object) -> str:
    iban = normalize_iban(value)
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))
