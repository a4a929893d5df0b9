"""The public surface of `amtsweg.regions`: other apps call these functions, never the models directly.

Lookups never guess. A malformed postal code, or one the data does not place in Saxony, raises
`UnknownPostalCode` (a `ValueError`) with a German message that can be shown to citizens as is.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from amtsweg.regions.loader import OUTLINE_PATH
from amtsweg.regions.models import District, Place, PostalCode

_POSTAL_CODE = re.compile(r"[0-9]{5}")
_AGS = re.compile(r"[0-9]{5}(?:[0-9]{3})?")
# Longer input is rejected before any further work; no valid key comes near this length.
_MAX_INPUT_LENGTH = 32


class RegionLookupError(ValueError):
    """Base class of the lookup errors of this app."""


class UnknownPostalCode(RegionLookupError):
    """No Saxon district for this input. Catch this one; the subclasses say why."""

    def __init__(self, message: str, code: str | None = None):
        super().__init__(message)
        # Only a well-formed code is kept, so logs and responses never echo arbitrary input.
        self.code = code


class MalformedPostalCode(UnknownPostalCode):
    """The input is not five digits."""


class PostalCodeNotInSaxony(UnknownPostalCode):
    """Five digits, but the data assigns the code to no Saxon district (another Land, or unused)."""


class UnknownDistrict(RegionLookupError):
    """No Saxon district has this key."""


def clean_postal_code(value: object) -> str:
    """The code as five ASCII digits; surrounding spaces are tolerated, anything else raises."""
    if not isinstance(value, str) or len(value) > _MAX_INPUT_LENGTH:
        raise MalformedPostalCode(_("Bitte geben Sie eine Postleitzahl aus fünf Ziffern an."))
    code = value.strip(" ")
    # fullmatch with [0-9], not \d: "٠٩٤٥٦" (Arabic-Indic digits) and a trailing newline are not postal codes.
    if not _POSTAL_CODE.fullmatch(code):
        raise MalformedPostalCode(_("Bitte geben Sie eine Postleitzahl aus fünf Ziffern an."))
    return code


def get_postal_code(value: object) -> PostalCode:
    """The postal code with its district; `.other_districts` and `.other_states` say where else it reaches."""
    code = clean_postal_code(value)
    try:
        return PostalCode.objects.select_related("district").get(code=code)
    except PostalCode.DoesNotExist:
        raise PostalCodeNotInSaxony(
            _("Die Postleitzahl %(code)s liegt nach unseren Daten nicht in Sachsen.") % {"code": code}, code
        ) from None


def district_for_postal_code(code: object) -> District:
    """The one district a postal code belongs to, e.g. "09456" -> Erzgebirgskreis (14521).

    A postal code can reach into a neighbouring district; `districts_for_postal_code` lists all of them,
    and `places_for_postal_code` tells which place lies where.
    """
    return get_postal_code(code).district


def districts_for_postal_code(code: object) -> list[District]:
    """Every district the postal code touches, its own district first."""
    postal_code = get_postal_code(code)
    return [postal_code.district, *postal_code.other_districts.order_by("ags")]


def places_for_postal_code(code: object) -> list[Place]:
    """The places named for a postal code, each with its own district, sorted by name.

    Empty for the 22 Saxon postal codes without a place in the data (probably post-office boxes or bulk
    recipients).
    """
    postal_code = get_postal_code(code)
    return list(postal_code.places.select_related("district").order_by("name", "district__ags"))


def district_by_ags(ags: object) -> District:
    """The district for a five-digit district key, or for an eight-digit municipality key within it."""
    if not isinstance(ags, str) or len(ags) > _MAX_INPUT_LENGTH or not _AGS.fullmatch(ags.strip(" ")):
        raise UnknownDistrict(_("Ein Kreisschlüssel besteht aus fünf Ziffern (oder acht für eine Gemeinde)."))
    key = ags.strip(" ")[:5]
    try:
        return District.objects.get(ags=key)
    except District.DoesNotExist:
        raise UnknownDistrict(
            _("Zum Schlüssel %(ags)s gibt es keinen sächsischen Kreis.") % {"ags": ags.strip(" ")}
        ) from None


def all_districts() -> QuerySet[District]:
    """The 13 districts and independent cities, ordered by key."""
    return District.objects.order_by("ags")


def outline_geojson_path() -> Path:
    """Saxony's outline as a GeoJSON FeatureCollection (WGS 84), for offline maps; ships with the package."""
    return OUTLINE_PATH
