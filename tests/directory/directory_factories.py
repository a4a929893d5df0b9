"""Factories for directory tests: plain functions that create valid rows with sensible defaults."""

from __future__ import annotations

from datetime import time

from amtsweg.directory.models import Authority, Office, SpecialDay, WeeklyHours
from amtsweg.regions.models import District, Place

_counter = {"n": 0}


def _next() -> int:
    _counter["n"] += 1
    return _counter["n"]


def district(ags: str = "14625", name: str = "Bautzen", kind: str = District.Kind.LANDKREIS) -> District:
    found = District.objects.filter(ags=ags).first()
    if found:
        return found
    return District.objects.create(
        ags=ags, name=name, kind=kind, nuts3=f"DE{ags[-3:]}", seat=name, plate="BZ", lat=51.18, lon=14.42
    )


def place(name: str = "Crostwitz", district_obj: District | None = None, ags8: str | None = None) -> Place:
    district_obj = district_obj or district()
    return Place.objects.create(
        name=name, kind=Place.Kind.MUNICIPALITY, district=district_obj, ags8=ags8, lat=51.23, lon=14.23
    )


def authority(key: str | None = None, **fields) -> Authority:
    n = _next()
    defaults = {
        "name": f"Testbehörde {n}",
        "kind": Authority.Kind.LANDRATSAMT,
        "level": Authority.Level.KREIS,
        "ags": None,
    }
    defaults.update(fields)
    return Authority.objects.create(key=key or f"testbehoerde-{n}", **defaults)


# Monday to Friday 08:00–12:00, Tuesday also 13:00–18:00
STANDARD_WEEK = {
    0: [("08:00", "12:00")],
    1: [("08:00", "12:00"), ("13:00", "18:00")],
    2: [("08:00", "12:00")],
    3: [("08:00", "12:00")],
    4: [("08:00", "12:00")],
}


def office(authority_obj: Authority | None = None, week: dict | None = None, **fields) -> Office:
    authority_obj = authority_obj or authority()
    defaults = {
        "name": "Hauptsitz",
        "street": "Musterstraße 1",
        "postal_code": "01234",
        "city": "Musterstadt",
        "is_main": True,
        "hours_source": Office.HoursSource.EXAMPLE,
    }
    defaults.update(fields)
    result = Office.objects.create(authority=authority_obj, **defaults)
    add_week(result, STANDARD_WEEK if week is None else week)
    return result


def add_week(office_obj: Office, week: dict, valid_from=None, valid_until=None, note: str = "") -> None:
    for weekday, intervals in week.items():
        for opens, closes in intervals:
            WeeklyHours.objects.create(
                office=office_obj,
                weekday=weekday,
                opens=time.fromisoformat(opens),
                closes=time.fromisoformat(closes),
                valid_from=valid_from,
                valid_until=valid_until,
                note=note,
            )


def special_day(
    office_obj: Office, day, *, closed: bool = True, opens=None, closes=None, reason="", whole_authority=False
):
    return SpecialDay.objects.create(
        authority=office_obj.authority,
        office=None if whole_authority else office_obj,
        date=day,
        closed=closed,
        opens=time.fromisoformat(opens) if opens else None,
        closes=time.fromisoformat(closes) if closes else None,
        reason=reason,
    )
