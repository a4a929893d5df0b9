"""Vehicle identification numbers (FIN/VIN, ISO 3779): structure and check digit. Pure functions.

A VIN has 17 characters from A–Z and 0–9 without I, O and Q. Position 9 is a check digit (mandatory in North
America, optional in Europe); the sandbox generates VINs *with* a correct check digit, so every fictional VIN
has
a valid structure. World manufacturer identifier of the sandbox: "SBX" (made up; no real manufacturer).
"""

from __future__ import annotations

import re

VIN_LENGTH = 17
_VIN = re.compile(r"[A-HJ-NPR-Z0-9]{17}")
_TRANSLITERATION = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
SANDBOX_WMI = "SBX"


def normalize_vin(value: object) -> str:
    """Upper case without blanks and hyphens; '' for anything that is not a string."""
    if not isinstance(value, str):
        return ""
    return re.sub(r"[\s\-]", "", value).upper()[:40]


def check_digit(vin: str) -> str:
    """The ISO 3779 / 49 CFR 565 check digit ('0'–'9' or 'X') over all 17 positions (position 9 counts 0)."""
    total = sum(_TRANSLITERATION[char] * weight for char, weight in zip(vin, _WEIGHTS, strict=True))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def is_valid_structure(vin: str) -> bool:
    """17 allowed characters (no I, O, Q)."""
    return isinstance(vin, str) and bool(_VIN.fullmatch(vin))


def has_valid_check_digit(vin: str) -> bool:
    return is_valid_structure(vin) and vin[8] == check_digit(vin)


def with_check_digit(vin: str) -> str:
    """Set position 9 to the correct check digit."""
    if not is_valid_structure(vin):
        raise ValueError("not a VIN structure")
    return vin[:8] + check_digit(vin) + vin[9:]
