"""The public surface of `amtsweg.catalog`: other apps, the views and the API call these functions.

- `get_service`, `list_services`, `list_life_situations`, `get_life_situation`: read the catalogue;
- `search`, `suggest`: the German search (see `search.py`);
- `find_responsible`: the responsibility finder (Zuständigkeitsfinder);
- `update_service`: change a description and keep its version history;
- `catalog_stamp`, `catalog_etag`: the catalogue's revision for caching.

Errors a citizen can cause are `CatalogError` subclasses with a machine-readable `code`, an HTTP
`status` and a German `message` that can be shown as is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from amtsweg.catalog import state
from amtsweg.catalog.models import Level, LifeSituation, Service
from amtsweg.catalog.search import MAX_QUERY_LENGTH, Hit, normalize
from amtsweg.catalog.search import search as _search
from amtsweg.catalog.search import suggest as _suggest

__all__ = [
    "CatalogError",
    "Hit",
    "Responsibility",
    "catalog_etag",
    "catalog_stamp",
    "clean_query",
    "find_responsible",
    "get_life_situation",
    "get_service",
    "list_life_situations",
    "list_services",
    "online_url",
    "search",
    "services_of_authority",
    "suggest",
    "update_service",
]

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")


class CatalogError(ValueError):
    code = "invalid"
    status = 400

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        if status:
            self.status = status


class UnknownService(CatalogError):
    code = "unknown_service"
    status = 404


class UnknownLifeSituation(CatalogError):
    code = "unknown_life_situation"
    status = 404


class InvalidQuery(CatalogError):
    code = "invalid_query"


class PlaceError(CatalogError):
    """The place given for the finder is missing, malformed, unknown or not Saxon."""

    code = "invalid_place"


# --- reading the catalogue ---------------------------------------------------------------------


def _clean_key(key: object) -> str | None:
    if isinstance(key, str) and len(key) <= 100 and re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", key):
        return key
    return None


def get_service(key: object, *, with_life_situations: bool = True) -> Service:
    clean = _clean_key(key)
    queryset = Service.objects.filter(key=clean)
    if with_life_situations:
        queryset = queryset.prefetch_related("life_situations")
    service = queryset.first() if clean else None
    if service is None:
        shown = clean or (str(key)[:40] if isinstance(key, str) and key.isprintable() else "?")
        raise UnknownService(_("Die Leistung „%(key)s“ gibt es im Leistungskatalog nicht.") % {"key": shown})
    return service


def list_services():
    return Service.objects.order_by("name", "key")


def list_life_situations():
    return LifeSituation.objects.order_by("position", "key")


def get_life_situation(key: object) -> LifeSituation:
    clean = _clean_key(key)
    situation = LifeSituation.objects.filter(key=clean).first() if clean else None
    if situation is None:
        raise UnknownLifeSituation(_("Diese Lebenslage gibt es nicht."))
    return situation


def catalog_stamp() -> state.Stamp:
    return state.current()


def catalog_etag(*parts: str, stamp: state.Stamp | None = None) -> str:
    return state.etag(stamp if stamp is not None else state.current(), *parts)


def online_url(service: Service) -> str | None:
    """The start path of the online procedure, once the cases app provides it (URL `cases:start`)."""
    if not service.online_procedure:
        return None
    try:
        return reverse("cases:start", args=[service.online_procedure])
    except NoReverseMatch:
        return None


# --- search ------------------------------------------------------------------------------------


def clean_query(raw: object) -> str:
    """The query as the search takes it, or `InvalidQuery` with a German message (empty, too long,
    control characters)."""
    if not isinstance(raw, str):
        raise InvalidQuery(_("Bitte geben Sie einen Suchbegriff ein."), code="empty_query")
    if len(raw) > MAX_QUERY_LENGTH:
        raise InvalidQuery(
            _("Der Suchbegriff ist zu lang (höchstens %(max)s Zeichen).") % {"max": MAX_QUERY_LENGTH},
            code="query_too_long",
        )
    if _CONTROL.search(raw):
        raise InvalidQuery(_("Der Suchbegriff enthält unzulässige Steuerzeichen."), code="invalid_characters")
    query = " ".join(raw.split())
    if not query:
        raise InvalidQuery(_("Bitte geben Sie einen Suchbegriff ein."), code="empty_query")
    return query


def search(query: object, limit: int = 10, *, stamp: state.Stamp | None = None) -> list[Hit]:
    return _search(clean_query(query), limit, stamp=stamp)


def suggest(query: object, limit: int = 6, *, stamp: state.Stamp | None = None) -> list[Hit]:
    return _suggest(clean_query(query), limit, stamp=stamp)


# --- editing -----------------------------------------------------------------------------------


def update_service(key: str, changes: dict[str, Any], *, author: str, note: str = "") -> Service:
    """Change fields of a service (model field names; `life_situations` as a list of keys) and record
    one version attributed to `author`."""
    from amtsweg.catalog.versioning import editing

    with transaction.atomic(), editing(author, note=note):
        service = get_service(key)
        situations = changes.pop("life_situations", None)
        for name, value in changes.items():
            if name in {"id", "key", "created_at", "updated_at"} or not hasattr(service, name):
                raise CatalogError(_("Das Feld „%(name)s“ kann nicht geändert werden.") % {"name": name})
            setattr(service, name, value)
        try:
            service.full_clean(exclude=["life_situations"])
        except ValidationError as exc:
            fields = ", ".join(sorted(exc.message_dict)) if hasattr(exc, "error_dict") else ""
            raise CatalogError(
                _("Die Änderung ist ungültig (%(fields)s).") % {"fields": fields or _("Eingaben")}
            ) from None
        service.save()
        if situations is not None:
            service.life_situations.set(LifeSituation.objects.filter(key__in=situations))
    return service


def services_of_authority(authority) -> list[Service]:
    """The catalogue services an authority is responsible for, by level (for its directory page):
    a Landratsamt the district services, a town or municipality the municipal ones, the Stadtverwaltung of
    an independent city both, a state body those whose explicit rule names it."""
    levels = {"gemeinde": [Level.GEMEINDE], "kreis": [Level.KREIS], "land": []}.get(authority.level, [])
    if authority.level == "kreis" and authority.kind == "stadtverwaltung":
        levels = [Level.GEMEINDE, Level.KREIS]
    found = list(Service.objects.filter(level__in=levels)) if levels else []
    if authority.level == "land":
        found = [
            s
            for s in Service.objects.filter(level=Level.LAND)
            if (s.responsibility or {}).get("state_authority") == authority.key
        ]
    return sorted(found, key=lambda s: (normalize(s.display_name), s.key))


# --- responsibility finder ---------------------------------------------------------------------

AUTHORITY_LEVEL = {"gemeinde": "municipality", "kreis": "district", "land": "state"}


@dataclass
class Candidate:
    """A place the citizen may mean, when one postal code or name covers several."""

    id: int
    name: str
    district_ags: str
    district_name: str

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "district_ags": self.district_ags,
            "district": self.district_name,
        }


@dataclass
class Responsibility:
    service: Service
    authority: Any = None  # directory.Authority or None
    office: Any = None  # directory.Office (main office) or None
    candidates: list[Candidate] = field(default_factory=list)
    needs_choice: bool = False
    place: Any = None  # regions.Place, when one was determined
    district: Any = None  # regions.District, when one was determined
    note: str = ""  # why there is no Saxon authority (federal service, body outside the directory)
    at: datetime | None = None

    @property
    def level(self) -> str | None:
        return AUTHORITY_LEVEL.get(self.service.level)


def find_responsible(
    service_key: object,
    *,
    postal_code: object = None,
    ags: object = None,
    place_id: object = None,
    place_text: object = None,
    at: datetime | None = None,
) -> Responsibility:
    """The authority responsible for a service at a place.

    Follows the service's level: municipality services go to the municipal authority of the place,
    district services to the Landratsamt or the Stadtverwaltung of the independent city, state services
    to the body named by the service's explicit rule; federal services have no Saxon authority (the
    result says whom to ask instead). A postal code or name that covers several municipalities (or, for
    district services, several districts) returns `needs_choice=True` with the candidate places instead of
    guessing; pass the chosen one as `place_id`.
    """
    service = get_service(service_key, with_life_situations=False)
    result = Responsibility(service=service, at=at)
    given = [v for v in (postal_code, ags, place_id, place_text) if v not in (None, "")]

    if service.level == Level.BUND:
        if given:
            _resolve_place(postal_code, ags, place_id, place_text)  # still refuse malformed input
        result.note = _(
            "Diese Leistung erbringt eine Bundesbehörde (%(unit)s), keine sächsische Behörde."
        ) % {"unit": service.responsible_unit or _("siehe Beschreibung")}
        return result

    if service.level == Level.LAND:
        if given:
            _resolve_place(postal_code, ags, place_id, place_text)
        key = (service.responsibility or {}).get("state_authority")
        if not key:
            result.note = _(
                "Zuständig ist: %(unit)s. Diese Stelle führt amtsweg noch nicht im Behördenverzeichnis."
            ) % {"unit": service.responsible_unit or _("siehe Beschreibung")}
            return result
        from amtsweg.directory import services as directory

        result.authority = directory.state_authority(key)
        if result.authority is None:
            raise CatalogError(
                _("Die zuständige Landesbehörde ist im Behördenverzeichnis nicht eingetragen."),
                code="no_authority",
                status=404,
            )
        result.office = _main_office(result.authority)
        return result

    if not given:
        raise PlaceError(
            _("Bitte geben Sie Ihre Postleitzahl oder Ihren Wohnort an, um die zuständige Stelle zu finden."),
            code="missing_place",
        )
    places, district = _resolve_place(postal_code, ags, place_id, place_text)

    if service.level == Level.KREIS:
        districts = {p.district.ags: p.district for p in places}
        if district is None and len(districts) == 1:
            district = next(iter(districts.values()))
        if district is None and len(districts) > 1:
            return _choice(result, places)
        if district is None:
            raise PlaceError(
                _("Zu dieser Angabe kennen wir keinen sächsischen Kreis."), code="unknown_place", status=404
            )
        result.district = district
        result.place = places[0] if len(places) == 1 else None
        from amtsweg.directory import services as directory

        result.authority = directory.authority_for_district(district.ags)
    else:  # Gemeinde
        if not places:
            raise PlaceError(
                _("Zu dieser Angabe kennen wir keinen Ort. Bitte geben Sie Ihren Wohnort an."),
                code="unknown_place",
                status=404,
            )
        if len(places) > 1:
            return _choice(result, places)
        place = places[0]
        result.place, result.district = place, place.district
        from amtsweg.directory import services as directory

        result.authority = directory.authority_for_municipality(place)
    if result.authority is None:
        raise CatalogError(
            _("Für diesen Ort ist im Behördenverzeichnis keine zuständige Stelle eingetragen."),
            code="no_authority",
            status=404,
        )
    result.office = _main_office(result.authority)
    return result


def _choice(result: Responsibility, places: list) -> Responsibility:
    result.needs_choice = True
    result.candidates = [
        Candidate(id=p.pk, name=p.name, district_ags=p.district.ags, district_name=p.district.full_name)
        for p in sorted(places, key=lambda p: (normalize(p.name), p.district.ags))
    ]
    return result


def _main_office(authority):
    from amtsweg.directory import services as directory

    finder = getattr(directory, "main_office", None)
    if finder is not None:
        return finder(authority)
    return authority.offices.order_by("-is_main", "name").first()


_PLZ_IN_TEXT = re.compile(r"(?<![0-9])([0-9]{5})(?![0-9])")
MAX_PLACE_TEXT = 100


def _resolve_place(postal_code, ags, place_id, place_text):
    """(places, district): the places the input may mean, and the district when it is certain."""
    from amtsweg.regions import services as regions

    try:
        return _resolve_place_unchecked(postal_code, ags, place_id, place_text)
    except regions.MalformedPostalCode as exc:
        raise PlaceError(str(exc), code="invalid_postal_code") from None
    except regions.UnknownPostalCode as exc:
        raise PlaceError(str(exc), code="postal_code_not_in_saxony", status=404) from None
    except regions.RegionLookupError as exc:
        raise PlaceError(str(exc), code="unknown_place", status=404) from None


def _resolve_place_unchecked(postal_code, ags, place_id, place_text):
    from amtsweg.regions import services as regions
    from amtsweg.regions.models import Place

    if place_id not in (None, ""):
        try:
            pk = int(str(place_id).strip())
            if pk <= 0 or pk > 2**62:
                raise ValueError
        except (TypeError, ValueError):
            raise PlaceError(_("Die Ortsangabe ist ungültig."), code="invalid_place") from None
        place = Place.objects.select_related("district").filter(pk=pk).first()
        if place is None:
            raise PlaceError(_("Diesen Ort kennen wir nicht."), code="unknown_place", status=404)
        if postal_code not in (None, ""):
            allowed = {p.pk for p in _places_for_code(postal_code)}
            if place.pk not in allowed:
                raise PlaceError(
                    _("Der gewählte Ort gehört nicht zu dieser Postleitzahl."), code="place_mismatch"
                )
        return [place], place.district

    if postal_code not in (None, ""):
        places = _places_for_code(postal_code)
        district = None
        if not places:
            district = regions.district_for_postal_code(str(postal_code).strip())
        return places, district

    if ags not in (None, ""):
        text = str(ags).strip() if isinstance(ags, str | int) else ""
        if re.fullmatch(r"14[0-9]{6}", text):
            place = Place.objects.select_related("district").filter(ags8=text).first()
            if place is None:
                raise PlaceError(
                    _("Zu diesem Gemeindeschlüssel kennen wir keine Gemeinde."),
                    code="unknown_place",
                    status=404,
                )
            return [place], place.district
        try:
            district = regions.district_by_ags(text)
        except regions.RegionLookupError as exc:
            status = 404 if re.fullmatch(r"[0-9]{5}|[0-9]{8}", text) else 400
            raise PlaceError(
                str(exc), code="unknown_ags" if status == 404 else "invalid_ags", status=status
            ) from None
        return [], district

    text = place_text if isinstance(place_text, str) else ""
    if not text.strip() or len(text) > MAX_PLACE_TEXT or _CONTROL.search(text):
        raise PlaceError(
            _("Bitte geben Sie einen Ortsnamen oder eine Postleitzahl an (höchstens 100 Zeichen).")
        )
    match = _PLZ_IN_TEXT.search(text)
    if match:
        places = _places_for_code(match.group(1))
        rest = normalize(text[: match.start()] + " " + text[match.end() :])
        if rest and len(places) > 1:
            narrowed = [p for p in places if _name_matches(p, rest, exact=False)]
            places = narrowed or places
        if not places:
            return [], regions.district_for_postal_code(match.group(1))
        return places, None
    wanted = normalize(text)
    candidates = list(Place.objects.select_related("district").only("id", "name", "name_sorbian", "district"))
    exact = [p for p in candidates if _name_matches(p, wanted, exact=True)]
    places = exact or [p for p in candidates if _name_matches(p, wanted, exact=False)]
    if not places:
        raise PlaceError(
            _(
                "Einen Ort „%(name)s“ kennen wir in Sachsen nicht. "
                "Bitte prüfen Sie die Schreibweise oder geben Sie die Postleitzahl an."
            )
            % {"name": text.strip()[:MAX_PLACE_TEXT]},
            code="unknown_place",
            status=404,
        )
    return places[:30], None


def _places_for_code(code) -> list:
    from amtsweg.regions import services as regions

    try:
        return regions.places_for_postal_code(code if isinstance(code, str) else str(code))
    except regions.MalformedPostalCode as exc:
        raise PlaceError(str(exc), code="invalid_postal_code") from None
    except regions.UnknownPostalCode as exc:
        raise PlaceError(str(exc), code="postal_code_not_in_saxony", status=404) from None


def _name_matches(place, wanted: str, *, exact: bool) -> bool:
    names = [normalize(place.name), normalize(getattr(place, "name_sorbian", "") or "")]
    # "Bautzen - Budyšin", "Adorf/Vogtland": the first part alone counts as the name, too
    names += [normalize(re.split(r"\s+-\s+|/", place.name)[0])]
    names = [n for n in names if n]
    if exact:
        return wanted in names
    return any(n.startswith(wanted) or wanted in n.split() for n in names)
