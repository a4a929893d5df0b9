"""The public surface of `amtsweg.directory`: other apps call these functions, never the models' managers.

Lookups (`authority_for_district`, `authority_for_municipality`, `state_authority`, `authority_by_key`)
return None when the directory has no such authority, also for malformed input, so callers decide how to
answer (the catalogue turns it into a 404 with a German message). They never guess.

Calendar functions (Saxony's public holidays, working days, opening hours) are re-exported from
`directory.holidays` and `directory.hours`; see there for the rules.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import NamedTuple

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from amtsweg.directory import hours as _hours
from amtsweg.directory.holidays import (  # re-exported: the public calendar API
    HolidayError,
    add_working_days,
    holiday_name,
    holidays_in_year,
    is_holiday,
    is_working_day,
    next_working_day,
)
from amtsweg.directory.hours import (  # re-exported
    DayHours,
    HoursError,
    OfficeCalendar,
    OpenStatus,
    hours_for_day,
    status_text,
    upcoming_closures,
    week_overview,
)
from amtsweg.directory.models import Authority, Office, SpecialDay, WeeklyHours

__all__ = [
    "STATE_AUTHORITY_KEYS",
    "DayHours",
    "HolidayError",
    "HolidayRegion",
    "HoursError",
    "OfficeCalendar",
    "OpenStatus",
    "add_working_days",
    "authorities",
    "authority_by_key",
    "authority_for_district",
    "authority_for_municipality",
    "authority_page_section",
    "holiday_name",
    "holiday_region_for_authority",
    "holidays_in_year",
    "hours_for_day",
    "is_holiday",
    "is_working_day",
    "main_office",
    "next_working_day",
    "next_working_day_for_authority",
    "open_status",
    "serialize_authority",
    "state_authority",
    "status_text",
    "upcoming_closures",
    "week_overview",
]

# The state bodies the pilots need; the key is the Authority.key.
STATE_AUTHORITY_KEYS = ("lfulg", "landesdirektion", "oberbergamt", "statistik")
LEVEL_NAMES = {
    Authority.Level.GEMEINDE: "municipality",
    Authority.Level.KREIS: "district",
    Authority.Level.LAND: "state",
}
MAX_KEY_LENGTH = 100
_KEY = re.compile(r"[a-z0-9-]{1,100}")
_DISTRICT_AGS = re.compile(r"14[0-9]{3}")


def authorities() -> QuerySet[Authority]:
    """All authorities with what pages and the API read (district, offices, weekly hours) loaded."""
    return Authority.objects.select_related("district", "municipality").prefetch_related(
        Prefetch(
            "offices", queryset=Office.objects.select_related("place__district").order_by("-is_main", "name")
        ),
        Prefetch("offices__weekly_hours", queryset=WeeklyHours.objects.order_by("weekday", "opens")),
    )


def authority_by_key(key: object) -> Authority | None:
    """The authority with this key (e.g. "landratsamt-erzgebirgskreis"), or None."""
    if not isinstance(key, str) or len(key) > MAX_KEY_LENGTH or not _KEY.fullmatch(key):
        return None
    return authorities().filter(key=key).first()


def authority_for_district(district_ags: object) -> Authority | None:
    """The Landratsamt, or the Stadtverwaltung of a kreisfreie Stadt, for a 5-digit district key.

    Also accepts a `regions.District`. None if the key is malformed or the directory has no such authority.
    """
    ags = getattr(district_ags, "ags", district_ags)
    if not isinstance(ags, str) or not _DISTRICT_AGS.fullmatch(ags):
        return None
    return (
        authorities()
        .filter(
            level=Authority.Level.KREIS,
            district__ags=ags,
            kind__in=[Authority.Kind.LANDRATSAMT, Authority.Kind.STADTVERWALTUNG],
        )
        .order_by("is_generated", "key")
        .first()
    )


def authority_for_municipality(place) -> Authority | None:
    """The municipal authority for a `regions.Place` (municipality).

    In a kreisfreie Stadt that is its Stadtverwaltung. A maintained authority wins over a generated one.
    None if the place is not a Place or the directory has none for it.
    """
    from amtsweg.regions.models import District, Place

    if not isinstance(place, Place) or place.pk is None:
        return None
    district = place.district
    if district.kind == District.Kind.KREISFREIE_STADT:
        return authority_for_district(district.ags)
    return (
        authorities()
        .filter(municipality_id=place.pk)
        .exclude(level=Authority.Level.LAND)
        .order_by("is_generated", "level", "key")
        .first()
    )


def state_authority(key: object) -> Authority | None:
    """A state body by key: "lfulg", "landesdirektion", "oberbergamt", "statistik" (or any state key)."""
    if not isinstance(key, str) or len(key) > MAX_KEY_LENGTH or not _KEY.fullmatch(key):
        return None
    return authorities().filter(key=key, level=Authority.Level.LAND).first()


def main_office(authority: Authority) -> Office | None:
    """The main office (or, failing that, the first office) of an authority; uses prefetched offices."""
    offices = list(authority.offices.all())
    return next((o for o in offices if o.is_main), offices[0] if offices else None)


def open_status(office: Office, at: datetime | None = None) -> OpenStatus:
    """Whether `office` is open at `at` (aware datetime; default now), until when, or when it opens next."""
    return _hours.open_status(office, at)


class HolidayRegion(NamedTuple):
    ags8: str | None
    locality: str | None


def holiday_region_for_authority(authority: Authority) -> HolidayRegion:
    """Where an authority's local holidays are taken from: its main office, else its own key."""
    office = main_office(authority)
    if office is not None:
        return HolidayRegion(*_hours.holiday_region(office))
    ags8 = authority.ags if authority.ags and len(authority.ags) == 8 else None
    return HolidayRegion(ags8, None)


def next_working_day_for_authority(authority: Authority, day: date, *, inclusive: bool = False) -> date:
    """`next_working_day` with the holidays that apply at the authority's seat (for deadlines)."""
    region = holiday_region_for_authority(authority)
    return next_working_day(day, region.ags8, locality=region.locality, inclusive=inclusive)


# --- serialisation (API and pages) ------------------------------------------------------------------


def _time(value) -> str:
    return f"{value:%H:%M}"


def serialize_day(day: DayHours) -> dict:
    return {
        "date": day.day.isoformat(),
        "weekday": day.day.weekday(),
        "closed": day.closed,
        "source": day.source,
        "reason": day.reason,
        "intervals": [
            {"opens": _time(i.opens), "closes": _time(i.closes), "note": i.note} for i in day.intervals
        ],
    }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def serialize_office(office: Office, at: datetime | None = None) -> dict:
    local = _hours.to_local(at if at is not None else timezone.now())
    week_start = local.date() - timedelta(days=local.weekday())
    calendar = OfficeCalendar(office, start=week_start)  # one query for the week and "opens at"
    status = _hours.open_status(calendar, local)
    return {
        "name": office.name,
        "is_main": office.is_main,
        "street": office.street,
        "postal_code": office.postal_code,
        "city": office.city,
        "lat": office.lat,
        "lon": office.lon,
        "coordinates_source": office.coordinates_source or None,
        "verified": office.address_verified,
        "accessibility": office.accessibility,
        "phone": office.phone,
        "email": office.email,
        "opening_hours": {
            "source": office.hours_source,
            "today": serialize_day(status.today_hours),
            "week": [serialize_day(d) for d in week_overview(calendar, week_start)],
        },
        "open_status": {
            "open_now": status.is_open,
            "closes_at": _iso(status.closes_at),
            "next_opening": _iso(status.next_opening),
            "reason": status.reason,
            "text": status.text,
        },
    }


def serialize_authority(authority: Authority, at: datetime | None = None) -> dict:
    """The authority as the API and pages show it.

    Keys: id (the stable key), name, kind, level ("municipality" | "district" | "state"), ags (region
    served: 8 digits only from an authoritative source, 5 for a district or independent city, "14" for the
    state, else null), district_ags (null for state bodies), address (main office, or null), opening_hours
    (today and the calendar week of `at`, Monday first), open_now (null without an office), open_status,
    offices (all offices, main first), url (path of the authority page), is_generated, address_verified.
    """
    at = _hours.to_local(at if at is not None else timezone.now())
    offices = [
        serialize_office(o, at)
        for o in sorted(authority.offices.all(), key=lambda o: (not o.is_main, o.name))
    ]
    main = offices[0] if offices else None
    address = None
    if main is not None:
        address = {
            key: main[key] for key in ("name", "street", "postal_code", "city", "lat", "lon", "verified")
        }
        address["coordinates_source"] = main["coordinates_source"]
    return {
        "id": authority.key,
        "name": authority.name,
        "short_name": authority.short_name,
        "kind": authority.kind,
        "level": LEVEL_NAMES[authority.level],
        "ags": authority.ags,
        "district_ags": authority.district.ags if authority.district_id else None,
        "website": authority.website,
        "email": authority.email,
        "phone": authority.phone,
        "is_generated": authority.is_generated,
        "address_verified": authority.address_verified,
        "address": address,
        "opening_hours": main["opening_hours"] if main else None,
        "open_now": main["open_status"]["open_now"] if main else None,
        "open_status": main["open_status"] if main else None,
        "offices": offices,
        "url": authority.get_absolute_url(),
        "updated_at": authority.updated_at.isoformat() if authority.updated_at else None,
    }


# --- extension point for the authority page -------------------------------------------------------------

# Other apps (the catalogue) add sections to the authority page without the directory importing them:
#     @authority_page_section
#     def services(request, authority) -> dict | None:
#         return {"template": "catalog/_authority_services.html", "services": [...]}
# Register in the app's AppConfig.ready(). Each section is rendered inside `{% block services %}`.
_page_sections: list[Callable] = []


def authority_page_section(func: Callable) -> Callable:
    if func not in _page_sections:
        _page_sections.append(func)
    return func


def page_sections(request, authority: Authority) -> list[dict]:
    sections = []
    for func in _page_sections:
        section = func(request, authority)
        if section and section.get("template"):
            sections.append(section)
    return sections


def special_days_ahead(authority: Authority, start: date, days: int = 90) -> QuerySet[SpecialDay]:
    """Special days (closures, special hours) of the authority and its offices from `start`."""
    return (
        SpecialDay.objects.filter(
            authority=authority, date__gte=start, date__lte=start + timedelta(days=days)
        )
        .select_related("office")
        .order_by("date", "opens")
    )
