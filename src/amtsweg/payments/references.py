"""Structured references for bank transfers: ISO 11649 (RF creditor reference) and IBAN checks."""

from __future__ import annotations

import re
import secrets
import string

_ALNUM = re.compile(r"^[A-Z0-9]+$")
_BODY_ALPHABET = string.digits + string.ascii_uppercase


def _to_digits(text: str) -> str:
    """Letters A..Z become 10..35, digits stay (ISO 7064 MOD 97-10 preparation)."""
    return "".join(str(int(ch, 36)) for ch in text)


def normalise(reference: str) -> str:
    return re.sub(r"\s+", "", str(reference)).upper()


def rf_check_digits(body: str) -> str:
    body = normalise(body)
    if not body or len(body) > 21 or not _ALNUM.match(body):
        raise ValueError("Die Referenz darf 1 bis 21 Buchstaben oder Ziffern haben.")
    remainder = int(_to_digits(body + "RF00")) % 97
    return f"{98 - remainder:02d}"


def make_rf(body: str) -> str:
    """ISO 11649 creditor reference for `body`, e.g. make_rf('539007547034') == 'RF18539007547034'."""
    body = normalise(body)
    return f"RF{rf_check_digits(body)}{body}"


def new_rf(length: int = 12) -> str:
    """A fresh random creditor reference (not guessable, no counter leaked)."""
    body = "".join(secrets.choice(_BODY_ALPHABET) for _ in range(length))
    return make_rf(body)


def is_valid_rf(reference: str) -> bool:
    ref = normalise(reference)
    if not (5 <= len(ref) <= 25) or not ref.startswith("RF") or not _ALNUM.match(ref):
        return False
    if not ref[2:4].isdigit():
        return False
    return int(_to_digits(ref[4:] + ref[:4])) % 97 == 1


def format_rf(reference: str) -> str:
    """Print form in groups of four: 'RF18 5390 0754 7034'."""
    ref = normalise(reference)
    return " ".join(ref[i : i + 4] for i in range(0, len(ref), 4))


def is_valid_iban(iban: str) -> bool:
    value = normalise(iban)
    if not re.match(r"^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$", value):
        return False
    if value.startswith("DE") and len(value) != 22:
        return False
    return int(_to_digits(value[4:] + value[:4])) % 97 == 1


def find_rf(text: str) -> str | None:
    """The first valid RF reference inside free remittance text (Verwendungszweck), if any."""
    compact = normalise(text)
    for match in re.finditer(r"RF\d{2}[A-Z0-9]{1,21}", compact):
        candidate = match.group(0)
        # The greedy match may have swallowed following text; try the longest valid prefix.
        for end in range(len(candidate), 4, -1):
            if is_valid_rf(candidate[:end]):
                return candidate[:end]
    return None
