"""Import of the shipped authority data (`amtsweg manage load_authorities`).

Two parts:
1. `data/authorities.json`: the 10 Landratsämter, the 3 Stadtverwaltungen of the kreisfreie Städte and
   the state bodies, with their main address and example opening hours.
2. One generated Gemeindeverwaltung per municipality in the regions data (not for the kreisfreie Städte,
   whose Stadtverwaltung is both district and municipality): no address known, so `is_generated=True`,
   an office in the town with the place's coordinates and example hours.

Idempotent: rows are compared first and written only when something differs, so a second run writes
nothing (and `updated_at` stays put). Data maintained by an authority is never overwritten: opening hours
are replaced only while the office's `hours_source` is still "beispiel" or "unbekannt", and an authority
that is no longer `is_generated` (taken over by its staff) is left alone.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from amtsweg.directory.models import AGS_VALIDATOR, Authority, Office, WeeklyHours
from amtsweg.regions.models import District, Place

DATA_PATH = Path(__file__).resolve().parent / "data" / "authorities.json"
FORMAT_VERSION = 1
MANAGED_HOURS = {Office.HoursSource.EXAMPLE, Office.HoursSource.UNKNOWN}

AUTHORITY_FIELDS = (
    "name",
    "short_name",
    "kind",
    "level",
    "ags",
    "district_id",
    "municipality_id",
    "website",
    "email",
    "phone",
    "is_generated",
    "address_verified",
)
OFFICE_FIELDS = (
    "street",
    "postal_code",
    "city",
    "place_id",
    "lat",
    "lon",
    "coordinates_source",
    "accessibility",
    "phone",
    "email",
    "is_main",
    "address_verified",
)
_SLUG_TRANSLATION = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "ae", "Ö": "oe", "Ü": "ue"}
)


class AuthorityDataError(Exception):
    """The data file is broken or the regions data is missing; nothing was imported."""


@dataclass
class LoadReport:
    created: dict[str, int] = field(default_factory=lambda: {"authorities": 0, "offices": 0, "hours": 0})
    updated: dict[str, int] = field(default_factory=lambda: {"authorities": 0, "offices": 0, "hours": 0})
    totals: dict[str, int] = field(default_factory=dict)
    orphaned: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(self.created.values()) or any(self.updated.values())


def municipality_key(place) -> str:
    """Stable key of a generated municipal authority: gemeinde-<district AGS>-<name as ASCII slug>."""
    ascii_name = place.name.translate(_SLUG_TRANSLATION).lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name).strip("-")
    return f"gemeinde-{place.district.ags}-{slug}"[:100]


def read_data(path: Path | str | None = None) -> dict:
    path = Path(path) if path else DATA_PATH
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise AuthorityDataError(f"Behördendaten {path} sind nicht lesbar: {error}") from error
    validate(data)
    return data


def _parse_time(value: str) -> time:
    try:
        return time.fromisoformat(value)
    except (TypeError, ValueError) as error:
        raise AuthorityDataError(f"Ungültige Uhrzeit {value!r} in den Öffnungszeiten.") from error


def validate(data: dict) -> None:
    if not isinstance(data, dict) or data.get("format_version") != FORMAT_VERSION:
        raise AuthorityDataError(
            f"Unbekanntes Format der Behördendaten (erwartet: format_version {FORMAT_VERSION})."
        )
    templates = data.get("hours_templates", {})
    for name, template in templates.items():
        if template.get("hours_source") not in Office.HoursSource.values:
            raise AuthorityDataError(f"Vorlage {name}: unbekannte Herkunft der Öffnungszeiten.")
        for rule in template.get("rules", []):
            opens, closes = _parse_time(rule.get("opens")), _parse_time(rule.get("closes"))
            days = rule.get("weekdays")
            if opens >= closes or not days or not all(isinstance(d, int) and 0 <= d <= 6 for d in days):
                raise AuthorityDataError(f"Vorlage {name}: ungültige Regel {rule!r}.")
    generated = data.get("generated_municipalities", {})
    if generated and generated.get("hours") not in templates:
        raise AuthorityDataError("generated_municipalities: unbekannte Vorlage für Öffnungszeiten.")
    keys = set()
    for entry in data.get("authorities", []):
        key = entry.get("key")
        if (
            not key
            or not re.fullmatch(r"[a-z0-9-]{1,100}", key)
            or key in keys
            or key.startswith("gemeinde-")
        ):
            raise AuthorityDataError(f"Ungültiger oder doppelter Behördenschlüssel: {key!r}")
        keys.add(key)
        if entry.get("kind") not in Authority.Kind.values or entry.get("level") not in Authority.Level.values:
            raise AuthorityDataError(f"{key}: unbekannte Art oder Ebene.")
        if entry.get("ags") is not None:
            try:
                AGS_VALIDATOR(entry["ags"])
            except Exception as error:
                raise AuthorityDataError(f"{key}: ungültiger Gebietsschlüssel {entry['ags']!r}.") from error
        if (entry["level"] == "land") != (entry.get("district") is None):
            raise AuthorityDataError(f"{key}: Landesbehörden haben keinen Kreis, alle anderen genau einen.")
        offices = entry.get("offices", [])
        if sum(1 for o in offices if o.get("is_main")) != 1:
            raise AuthorityDataError(f"{key}: genau eine Dienststelle muss der Hauptsitz sein.")
        for office in offices:
            if office.get("hours") and office["hours"] not in templates:
                raise AuthorityDataError(f"{key}: unbekannte Vorlage {office['hours']!r}.")
            if office.get("coordinates") not in ("kreissitz", "ort", None):
                raise AuthorityDataError(f"{key}: unbekannte Herkunft der Koordinaten.")


def _rules(template: dict | None) -> set[tuple]:
    if not template:
        return set()
    return {
        (day, _parse_time(rule["opens"]), _parse_time(rule["closes"]), None, None, rule.get("note", ""))
        for rule in template.get("rules", [])
        for day in rule["weekdays"]
    }


class _Sync:
    def __init__(self, data: dict):
        self.data = data
        self.report = LoadReport()
        self.templates = data.get("hours_templates", {})
        self.districts = {d.ags: d for d in District.objects.all()}
        if not self.districts:
            raise AuthorityDataError(
                "Die Regionsdaten fehlen. Bitte zuerst `amtsweg manage load_regions` ausführen."
            )
        self.places = {
            (p.district.ags, p.name): p
            for p in Place.objects.select_related("district").filter(kind=Place.Kind.MUNICIPALITY)
        }
        self.existing = {
            a.key: a
            for a in Authority.objects.prefetch_related("offices__weekly_hours").select_related("district")
        }

    # --- authorities ---------------------------------------------------------------------------------

    def authority(self, key: str, values: dict) -> Authority:
        authority = self.existing.get(key)
        if authority is None:
            authority = Authority(key=key, **values)
            authority.full_clean(validate_unique=False, validate_constraints=False)
            authority.save()
            self.existing[key] = authority
            self.report.created["authorities"] += 1
            return authority
        if any(getattr(authority, name) != values[name] for name in AUTHORITY_FIELDS):
            for name in AUTHORITY_FIELDS:
                setattr(authority, name, values[name])
            authority.full_clean(validate_unique=False, validate_constraints=False)
            authority.save()
            self.report.updated["authorities"] += 1
        return authority

    def office(self, authority: Authority, name: str, values: dict, template: dict | None) -> Office:
        # Authorities loaded at the start carry their offices (prefetched); a new one costs one query.
        office = next((o for o in authority.offices.all() if o.name == name), None)
        hours_source = template["hours_source"] if template else Office.HoursSource.UNKNOWN
        if office is None:
            office = Office(authority=authority, name=name, hours_source=hours_source, **values)
            office.full_clean(validate_unique=False, validate_constraints=False)
            office.save()
            self.report.created["offices"] += 1
            existing_rules: set[tuple] = set()
        else:
            if any(getattr(office, f) != values[f] for f in OFFICE_FIELDS):
                for f in OFFICE_FIELDS:
                    setattr(office, f, values[f])
                office.full_clean(validate_unique=False, validate_constraints=False)
                office.save()
                self.report.updated["offices"] += 1
            existing_rules = {
                (r.weekday, r.opens, r.closes, r.valid_from, r.valid_until, r.note)
                for r in office.weekly_hours.all()
            }
        if office.hours_source not in MANAGED_HOURS:
            return office  # maintained by the authority: never overwritten by the shipped example hours
        wanted = _rules(template)
        if wanted != existing_rules or office.hours_source != hours_source:
            if existing_rules:
                office.weekly_hours.all().delete()
                self.report.updated["hours"] += 1
            else:
                self.report.created["hours"] += 1
            WeeklyHours.objects.bulk_create(
                WeeklyHours(office=office, weekday=d, opens=o, closes=c, valid_from=f, valid_until=u, note=n)
                for d, o, c, f, u, n in sorted(wanted, key=lambda r: (r[0], r[1]))
            )
            if office.hours_source != hours_source:
                office.hours_source = hours_source
                office.save(update_fields=["hours_source"])
        return office

    # --- the two parts -----------------------------------------------------------------------------

    def curated(self) -> None:
        for entry in self.data.get("authorities", []):
            district = None
            if entry.get("district"):
                district = self.districts.get(entry["district"])
                if district is None:
                    raise AuthorityDataError(
                        f"{entry['key']}: Kreis {entry['district']} fehlt in den Regionsdaten."
                    )
            municipality = None
            if district is not None and district.kind == District.Kind.KREISFREIE_STADT:
                # The Stadtverwaltung of a kreisfreie Stadt is also its municipal administration.
                municipality = self.places.get((district.ags, district.name))
            values = {
                "name": entry["name"],
                "short_name": entry.get("short_name", ""),
                "kind": entry["kind"],
                "level": entry["level"],
                "ags": entry.get("ags"),
                "district_id": district.pk if district else None,
                "municipality_id": municipality.pk if municipality else None,
                "website": entry.get("website", ""),
                "email": entry.get("email", ""),
                "phone": entry.get("phone", ""),
                "is_generated": False,
                "address_verified": bool(entry.get("address_verified")),
            }
            authority = self.authority(entry["key"], values)
            for item in entry.get("offices", []):
                place_district = item.get("place_district") or entry.get("district")
                place = self.places.get((place_district, item.get("place") or item.get("city")))
                lat = lon = None
                source = Office.CoordinatesSource.NONE
                if item.get("coordinates") == "kreissitz" and district is not None:
                    lat, lon, source = district.lat, district.lon, Office.CoordinatesSource.DISTRICT_SEAT
                elif place is not None and place.lat is not None:
                    lat, lon, source = place.lat, place.lon, Office.CoordinatesSource.PLACE
                office_values = {
                    "street": item.get("street", ""),
                    "postal_code": item.get("postal_code", ""),
                    "city": item.get("city", ""),
                    "place_id": place.pk if place else None,
                    "lat": lat,
                    "lon": lon,
                    "coordinates_source": source,
                    "accessibility": item.get("accessibility", ""),
                    "phone": item.get("phone", ""),
                    "email": item.get("email", ""),
                    "is_main": bool(item.get("is_main")),
                    "address_verified": bool(item.get("address_verified")),
                }
                self.office(authority, item["name"], office_values, self.templates.get(item.get("hours")))

    def generated(self) -> None:
        """One Gemeindeverwaltung per municipality, written in bulk (about 420 rows)."""
        settings = self.data.get("generated_municipalities")
        if not settings:
            return
        template = self.templates.get(settings.get("hours"))
        hours_source = template["hours_source"] if template else Office.HoursSource.UNKNOWN
        office_name = settings.get("office_name", "Verwaltungssitz")
        claimed = {
            a.municipality_id for a in self.existing.values() if a.municipality_id and not a.is_generated
        }
        wanted: dict[str, tuple[Place, dict, dict]] = {}
        for (_district_ags, _name), place in sorted(self.places.items()):
            district = place.district
            if district.kind == District.Kind.KREISFREIE_STADT or place.pk in claimed:
                continue
            key = municipality_key(place)
            current = self.existing.get(key)
            if current is not None and not current.is_generated:
                continue  # taken over and maintained by the municipality
            has_coordinates = place.lat is not None and place.lon is not None
            wanted[key] = (
                place,
                {
                    "name": settings["name"].format(name=place.name),
                    "short_name": place.name,
                    "kind": Authority.Kind.GEMEINDEVERWALTUNG,
                    "level": Authority.Level.GEMEINDE,
                    # only an authoritative key from the regions data, never invented
                    "ags": place.ags8 or None,
                    "district_id": district.pk,
                    "municipality_id": place.pk,
                    "website": "",
                    "email": "",
                    "phone": "",
                    "is_generated": True,
                    "address_verified": False,
                },
                {
                    "street": "",
                    "postal_code": "",
                    "city": place.name,
                    "place_id": place.pk,
                    "lat": place.lat,
                    "lon": place.lon,
                    "coordinates_source": Office.CoordinatesSource.PLACE if has_coordinates else "",
                    "accessibility": "",
                    "phone": "",
                    "email": "",
                    "is_main": True,
                    "address_verified": False,
                },
            )

        # Authorities
        new = [
            Authority(key=key, **values)
            for key, (_p, values, _o) in wanted.items()
            if key not in self.existing
        ]
        changed = []
        for key, (_place, values, _office) in wanted.items():
            authority = self.existing.get(key)
            if authority is not None and any(getattr(authority, n) != values[n] for n in AUTHORITY_FIELDS):
                for name in AUTHORITY_FIELDS:
                    setattr(authority, name, values[name])
                authority.updated_at = timezone.now()
                changed.append(authority)
        Authority.objects.bulk_create(new, batch_size=200)
        Authority.objects.bulk_update(changed, [*AUTHORITY_FIELDS, "updated_at"], batch_size=200)
        self.report.created["authorities"] += len(new)
        self.report.updated["authorities"] += len(changed)
        by_key = {a.key: a for a in new} | {k: a for k, a in self.existing.items() if k in wanted}
        new_ids = {a.pk for a in new}

        # Offices (new authorities have none; existing ones carry theirs prefetched)
        new_offices, changed_offices, offices = [], [], []
        for key, (_place, _values, office_values) in wanted.items():
            authority = by_key[key]
            current = None
            if authority.pk not in new_ids:
                current = next((o for o in authority.offices.all() if o.name == office_name), None)
            if current is None:
                current = Office(
                    authority=authority, name=office_name, hours_source=hours_source, **office_values
                )
                new_offices.append(current)
            elif any(getattr(current, n) != office_values[n] for n in OFFICE_FIELDS):
                for name in OFFICE_FIELDS:
                    setattr(current, name, office_values[name])
                changed_offices.append(current)
            offices.append(current)
        Office.objects.bulk_create(new_offices, batch_size=200)
        Office.objects.bulk_update(changed_offices, OFFICE_FIELDS, batch_size=200)
        self.report.created["offices"] += len(new_offices)
        self.report.updated["offices"] += len(changed_offices)

        # Example hours, only where nobody maintains them
        new_office_ids = {o.pk for o in new_offices}
        rules = _rules(template)
        reset, fill = [], []
        for office in offices:
            if office.hours_source not in MANAGED_HOURS:
                continue
            existing = (
                set()
                if office.pk in new_office_ids
                else {
                    (r.weekday, r.opens, r.closes, r.valid_from, r.valid_until, r.note)
                    for r in office.weekly_hours.all()
                }
            )
            if existing == rules and office.hours_source == hours_source:
                continue
            (reset if existing else fill).append(office)
        WeeklyHours.objects.filter(office__in=reset).delete()
        Office.objects.filter(pk__in=[o.pk for o in reset + fill]).exclude(hours_source=hours_source).update(
            hours_source=hours_source
        )
        WeeklyHours.objects.bulk_create(
            (
                WeeklyHours(office=office, weekday=d, opens=o, closes=c, valid_from=f, valid_until=u, note=n)
                for office in reset + fill
                for d, o, c, f, u, n in sorted(rules, key=lambda r: (r[0], r[1]))
            ),
            batch_size=500,
        )
        self.report.updated["hours"] += len(reset)
        self.report.created["hours"] += len(fill)

    def finish(self) -> LoadReport:
        self.report.orphaned = sorted(
            Authority.objects.filter(is_generated=True, municipality__isnull=True).values_list(
                "key", flat=True
            )
        )
        self.report.totals = {
            "authorities": Authority.objects.count(),
            "generated": Authority.objects.filter(is_generated=True).count(),
            "offices": Office.objects.count(),
        }
        return self.report


@transaction.atomic
def load_authorities(data: dict | None = None) -> LoadReport:
    """Create or update the shipped authorities and the generated municipal authorities."""
    data = data if data is not None else read_data()
    validate(data)
    sync = _Sync(data)
    sync.curated()
    sync.generated()
    return sync.finish()
