"""Verification codes (Prüfcodes): 12 characters of Crockford base32 = 60 random bits, shown as
XXXX-XXXX-XXXX.

Crockford's alphabet has no I, L, O or U, so a code read aloud or typed from paper survives the usual
confusions
(O→0, I/L→1 are mapped back when a code is entered).
"""

from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 12
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1"})


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def format_code(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def normalize_code(raw) -> str | None:
    """The stored form of an entered code, or None if it cannot be one (wrong length or characters)."""
    if not isinstance(raw, str) or len(raw) > 40:
        return None
    text = "".join(raw.upper().split()).replace("-", "").translate(_CONFUSABLE)
    if len(text) != LENGTH or any(char not in ALPHABET for char in text):
        return None
    return text
