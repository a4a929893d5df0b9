"""Number plates (Kennzeichen, § 8 FZV with Anlage 4): parsing, format rules, canonical form. Pure functions.

A plate is the district code (Unterscheidungszeichen, 1–3 letters), the recognition letters (1–2 letters) and
a
number (1–4 digits, no leading zero), optionally followed by "E" (electric vehicle) or "H" (historic vehicle).
Letters and digits together are at most 8 characters. The canonical form is "ERZ-AB 123" ("ERZ-AB 123E").
Seasonal plates and special series (police, diplomats) are not offered online and are refused here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

MAX_CHARACTERS = 8
# Combinations of recognition letters that German registration offices do not issue (administrative practice).
BLOCKED_LETTERS = frozenset({"HJ", "KZ", "NS", "SA", "SS"})
_PLATE = re.compile(
    r"^(?P<district>[A-ZÄÖÜ]{1,3})[\s\-:]+(?P<letters>[A-Z]{1,2})[\s\-]*(?P<number>[1-9][0-9]{0,3})(?P<suffix>[EH]?)$"
)


class PlateFormatError(ValueError):
    """The text is not a valid plate; the message is German."""


@dataclass(frozen=True)
class Plate:
    district: str
    letters: str
    number: str
    suffix: str = ""

    def __str__(self) -> str:
        return f"{self.district}-{self.letters} {self.number}{self.suffix}"

    @property
    def characters(self) -> int:
        return len(self.district) + len(self.letters) + len(self.number)


def parse_plate(value: object) -> Plate:
    """Parse what a person typed ("erz ab123", "ERZ-AB 123", "ERZ:AB-123E"); raise PlateFormatError
    (German)."""
    if not isinstance(value, str) or not value.strip():
        raise PlateFormatError(_("Bitte geben Sie das Kennzeichen an, zum Beispiel „ERZ-AB 123“."))
    if len(value) > 20:
        raise PlateFormatError(_("Ein Kennzeichen hat höchstens acht Buchstaben und Ziffern."))
    text = " ".join(value.strip().upper().split())
    match = _PLATE.match(text)
    if match is None:
        raise PlateFormatError(
            _(
                "„%(value)s“ ist kein gültiges Kennzeichen. Schreiben Sie es wie auf dem Schild, mit "
                "Bindestrich "
                "oder Leerzeichen nach dem Ortskürzel, zum Beispiel „ERZ-AB 123“."
            )
            % {"value": value.strip()[:20]}
        )
    plate = Plate(match["district"], match["letters"], match["number"], match["suffix"])
    if plate.characters > MAX_CHARACTERS:
        raise PlateFormatError(
            _("Ein Kennzeichen hat höchstens acht Buchstaben und Ziffern (ohne E oder H).")
        )
    if plate.letters in BLOCKED_LETTERS:
        raise PlateFormatError(
            _("Die Buchstabenkombination „%(letters)s“ wird nicht vergeben.") % {"letters": plate.letters}
        )
    return plate


def normalize_plate(value: object) -> str:
    """The canonical form, or '' if the text is not a plate."""
    try:
        return str(parse_plate(value))
    except PlateFormatError:
        return ""


def check_plate_for_district(plate: Plate, district_codes: set[str] | frozenset[str]) -> None:
    """A *new* plate must carry a district code of the registering district (raise PlateFormatError)."""
    if plate.district not in district_codes:
        raise PlateFormatError(
            _(
                "Ein neues Kennzeichen in diesem Zulassungsbezirk beginnt mit %(codes)s, nicht mit "
                "„%(given)s“."
            )
            % {"codes": " oder ".join(f"„{c}“" for c in sorted(district_codes)), "given": plate.district}
        )
