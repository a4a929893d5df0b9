"""The public functions other apps call (amtsweg.directory.services)."""

import json
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import directory_factories as f
import pytest

from amtsweg.directory import services
from amtsweg.directory.models import Authority
from amtsweg.regions import services as regions
from amtsweg.regions.models import District, Place

BERLIN = ZoneInfo("Europe/Berlin")
pytestmark = pytest.mark.django_db

BAD_INPUT = [None, "", 14521, "1452", "145210", "14 521", "x" * 10_000, "14521\n", ["14521"], "٠٩٤٥٦"]


def test_done_when_scenario_09456_finds_the_landratsamt_erzgebirgskreis(directory_data):
    district = regions.district_for_postal_code("09456")
    authority = services.authority_for_district(district.ags)
    assert authority.key == "landratsamt-erzgebirgskreis"
    data = services.serialize_authority(authority, datetime(2026, 11, 24, 9, 0, tzinfo=BERLIN))  # Tuesday
    assert data["address"]["street"] == "Paulus-Jenisius-Straße 24"
    assert data["address"]["postal_code"] == "09456"
    assert data["open_now"] is True
    assert data["open_status"]["text"] == "Jetzt geöffnet bis 12:00"
    assert data["opening_hours"]["today"]["intervals"][0] == {"opens": "08:00", "closes": "12:00", "note": ""}


def test_authority_for_district(directory_data):
    assert services.authority_for_district("14521").name == "Landratsamt Erzgebirgskreis"
    assert services.authority_for_district("14511").key == "stadt-chemnitz"
    assert services.authority_for_district(District.objects.get(ags="14730")).key == "landratsamt-nordsachsen"
    assert services.authority_for_district("14999") is None


def test_authority_for_district_bad_input(directory_data):
    for bad in BAD_INPUT:
        assert services.authority_for_district(bad) is None, bad


def test_authority_for_municipality(directory_data):
    crostwitz = Place.objects.get(name="Crostwitz")
    assert services.authority_for_municipality(crostwitz).key == "gemeinde-14625-crostwitz"
    # In a kreisfreie Stadt the Stadtverwaltung is the municipal authority as well.
    assert services.authority_for_municipality(
        Place.objects.get(name="Leipzig", district__ags="14713")
    ).key == ("stadt-leipzig")
    assert services.authority_for_municipality(None) is None
    assert services.authority_for_municipality("Crostwitz") is None
    assert services.authority_for_municipality(crostwitz.pk) is None


def test_maintained_municipal_authority_wins_over_the_generated_one(directory_data):
    crostwitz = Place.objects.get(name="Crostwitz")
    maintained = Authority.objects.create(
        key="crostwitz",
        name="Gemeinde Crostwitz",
        kind=Authority.Kind.GEMEINDEVERWALTUNG,
        level=Authority.Level.GEMEINDE,
        district=crostwitz.district,
        municipality=crostwitz,
    )
    assert services.authority_for_municipality(crostwitz) == maintained


def test_state_authorities(directory_data):
    for key in services.STATE_AUTHORITY_KEYS:
        authority = services.state_authority(key)
        assert authority.level == Authority.Level.LAND
        assert authority.key == key
    assert (
        services.state_authority("lfulg").name
        == "Sächsisches Landesamt für Umwelt, Landwirtschaft und Geologie"
    )
    assert services.state_authority("landratsamt-erzgebirgskreis") is None  # not a state body
    for bad in ("unbekannt", "LFULG", "x" * 10_000, None, 1, "lfulg/../", "lfulg\x00"):
        assert services.state_authority(bad) is None


def test_authority_by_key(directory_data):
    assert services.authority_by_key("oberbergamt").name == "Sächsisches Oberbergamt"
    for bad in ("nope", "a" * 101, "", None, "Oberbergamt", "ober bergamt"):
        assert services.authority_by_key(bad) is None


def test_main_office(directory_data):
    lfulg = services.state_authority("lfulg")
    assert services.main_office(lfulg).city == "Dresden"
    assert services.main_office(f.authority()) is None


def test_serialize_state_authority(directory_data):
    at = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)  # 10:00 in Berlin, a Tuesday
    data = services.serialize_authority(services.state_authority("lfulg"), at)
    assert data["id"] == "lfulg"
    assert data["level"] == "state"
    assert data["ags"] == "14"
    assert data["district_ags"] is None
    assert data["url"] == "/behoerden/lfulg/"
    assert data["address"]["city"] == "Dresden"
    assert data["address"]["verified"] is True
    assert len(data["offices"]) == 2
    assert data["offices"][1]["city"] == "Freiberg"
    assert data["offices"][1]["verified"] is False
    assert data["opening_hours"]["source"] == "beispiel"
    assert next(d["date"] for d in data["opening_hours"]["week"]) == "2026-11-23"  # Monday of that week
    assert len(data["opening_hours"]["week"]) == 7
    assert data["opening_hours"]["week"][0]["intervals"][0]["note"] == "Besuch nach Terminvereinbarung"
    assert data["open_now"] is True
    assert data["open_status"]["closes_at"] == "2026-11-24T15:00:00+01:00"
    json.dumps(data)  # plain JSON types only


def test_serialize_levels_and_keys(directory_data):
    at = datetime(2026, 11, 28, 10, 0, tzinfo=BERLIN)  # Saturday
    district = services.serialize_authority(services.authority_by_key("stadt-chemnitz"), at)
    assert (district["level"], district["ags"], district["district_ags"]) == ("district", "14511", "14511")
    assert district["open_now"] is False
    assert district["open_status"]["next_opening"] == "2026-11-30T08:00:00+01:00"
    assert district["open_status"]["text"] == "Geschlossen – öffnet Montag, 08:00"
    municipal = services.serialize_authority(services.authority_by_key("gemeinde-14521-baerenstein"), at)
    assert (municipal["level"], municipal["ags"], municipal["district_ags"]) == (
        "municipality",
        None,
        "14521",
    )
    assert municipal["is_generated"] is True
    assert municipal["address"]["street"] == ""


def test_serialize_without_office():
    authority = f.authority(key="ohne-dienststelle")
    data = services.serialize_authority(authority, datetime(2026, 11, 24, 10, 0, tzinfo=BERLIN))
    assert data["address"] is None
    assert data["open_now"] is None
    assert data["opening_hours"] is None


def test_holiday_region_and_deadlines_follow_the_authority_seat(directory_data):
    crostwitz = services.authority_by_key("gemeinde-14625-crostwitz")
    assert services.holiday_region_for_authority(crostwitz) == ("14625080", "Crostwitz")
    # Corpus Christi 2026 is Thursday 4 June: a holiday in Crostwitz, not in Annaberg-Buchholz.
    assert services.next_working_day_for_authority(crostwitz, date(2026, 6, 3)) == date(2026, 6, 5)
    annaberg = services.authority_by_key("landratsamt-erzgebirgskreis")
    assert services.next_working_day_for_authority(annaberg, date(2026, 6, 3)) == date(2026, 6, 4)
    assert services.next_working_day_for_authority(annaberg, date(2026, 6, 6), inclusive=True) == date(
        2026, 6, 8
    )
    assert services.holiday_region_for_authority(f.authority(ags="14625080", level="gemeinde")) == (
        "14625080",
        None,
    )


def test_calendar_api_is_reexported():
    assert services.is_holiday(date(2026, 11, 18))
    assert services.holidays_in_year(2026, "14625080")[date(2026, 6, 4)] == "Fronleichnam"
    assert services.next_working_day(date(2026, 4, 2)) == date(2026, 4, 7)
    assert services.is_working_day(date(2026, 4, 7))


def test_page_sections_extension_point(directory_data, rf):
    authority = services.authority_by_key("oberbergamt")

    def section(request, authority):
        if authority.level != Authority.Level.LAND:
            return None
        return {"template": "x.html", "services": ["Bohranzeige"]}

    services.authority_page_section(section)
    try:
        services.authority_page_section(section)  # registering twice is harmless
        assert services.page_sections(rf.get("/"), authority) == [
            {"template": "x.html", "services": ["Bohranzeige"]}
        ]
        assert services.page_sections(rf.get("/"), services.authority_by_key("stadt-leipzig")) == []
    finally:
        services._page_sections.remove(section)


def test_authorities_queryset_avoids_n_plus_one(directory_data, django_assert_max_num_queries):
    at = datetime(2026, 11, 24, 10, 0, tzinfo=BERLIN)
    with django_assert_max_num_queries(20):
        rows = [services.serialize_authority(a, at) for a in services.authorities().filter(level="kreis")]
    assert len(rows) == 13
