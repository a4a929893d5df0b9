"""Factories for catalogue tests: plain functions creating valid rows with sensible defaults."""

from __future__ import annotations

from datetime import time

from amtsweg.catalog.models import Service
from amtsweg.directory.models import Authority, Office, WeeklyHours
from amtsweg.regions.models import District, Place, PostalCode


def service(key: str = "testleistung", level: str = "gemeinde", **fields) -> Service:
    defaults = {
        "name": f"Testleistung {key}",
        "short_text": "Eine Leistung für Tests.",
        "fee_kind": "free",
        "responsible_unit": "Testamt",
    }
    defaults.update(fields)
    return Service.objects.create(key=key, level=level, **defaults)


def district(ags: str, name: str, kind: str = District.Kind.LANDKREIS) -> District:
    found = District.objects.filter(ags=ags).first()
    if found:
        return found
    return District.objects.create(
        ags=ags, name=name, kind=kind, nuts3=f"DED{ags[-2:]}", seat=name, plate="TT", lat=50.6, lon=13.0
    )


def place(name: str, district_obj: District, postal_codes: list[str], ags8: str | None = None) -> Place:
    result = Place.objects.create(name=name, kind=Place.Kind.MUNICIPALITY, district=district_obj, ags8=ags8)
    for code in postal_codes:
        postal_code, _ = PostalCode.objects.get_or_create(code=code, defaults={"district": district_obj})
        if postal_code.district_id != district_obj.pk:
            postal_code.other_districts.add(district_obj)
        result.postal_codes.add(postal_code)
    return result


WEEK = {0: [("08:00", "12:00")], 1: [("08:00", "12:00"), ("13:00", "18:00")], 2: [("08:00", "12:00")],
        3: [("08:00", "12:00"), ("13:00", "18:00")], 4: [("08:00", "12:00")]}  # fmt: skip


def authority(
    key: str, name: str, level: str, kind: str, *, district_obj=None, municipality=None, ags=None
) -> Authority:
    result = Authority.objects.create(
        key=key, name=name, level=level, kind=kind, district=district_obj, municipality=municipality, ags=ags
    )
    office = Office.objects.create(
        authority=result, name="Hauptsitz", street="Paulus-Jenisius-Straße 24", postal_code="09456",
        city="Annaberg-Buchholz", is_main=True, hours_source=Office.HoursSource.EXAMPLE,
    )  # fmt: skip
    for weekday, intervals in WEEK.items():
        for opens, closes in intervals:
            WeeklyHours.objects.create(
                office=office,
                weekday=weekday,
                opens=time.fromisoformat(opens),
                closes=time.fromisoformat(closes),
            )
    return result


def finder_world() -> dict:
    """Two districts, a postal code with two municipalities in one district (09456), a postal code reaching
    into two districts (09999), their authorities and the LfULG."""
    erz = district("14521", "Erzgebirgskreis")
    zwi = district("14524", "Zwickau")
    annaberg = place("Annaberg-Buchholz", erz, ["09456"], ags8="14521020")
    mildenau = place("Mildenau", erz, ["09456"])
    grenz_a = place("Grenzdorf", erz, ["09999"])
    grenz_b = place("Grenzstadt", zwi, ["09999"])
    lra_erz = authority("landratsamt-erzgebirgskreis", "Landratsamt Erzgebirgskreis", "kreis", "landratsamt",
                        district_obj=erz, ags="14521")  # fmt: skip
    lra_zwi = authority(
        "landratsamt-zwickau", "Landratsamt Zwickau", "kreis", "landratsamt", district_obj=zwi, ags="14524"
    )
    town = "gemeindeverwaltung"
    stadt = authority("stadt-annaberg-buchholz", "Stadtverwaltung Annaberg-Buchholz", "gemeinde", town,
                      district_obj=erz, municipality=annaberg, ags="14521020")  # fmt: skip
    gemeinde = authority("gemeinde-mildenau", "Gemeindeverwaltung Mildenau", "gemeinde", town,
                         district_obj=erz, municipality=mildenau)  # fmt: skip
    lfulg = authority("lfulg", "Sächsisches Landesamt für Umwelt, Landwirtschaft und Geologie", "land",
                      "landesbehoerde", ags="14")  # fmt: skip
    return {
        "erz": erz, "zwi": zwi, "annaberg": annaberg, "mildenau": mildenau, "grenz_a": grenz_a,
        "grenz_b": grenz_b, "lra_erz": lra_erz, "lra_zwi": lra_zwi, "stadt": stadt, "gemeinde": gemeinde,
        "lfulg": lfulg,
    }  # fmt: skip
