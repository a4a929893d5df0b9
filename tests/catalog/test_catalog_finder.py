"""Responsibility finder: levels, explicit rules, ambiguity, errors."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from catalog_factories import finder_world, service

from amtsweg.catalog.services import CatalogError, PlaceError, UnknownService, find_responsible

TUESDAY_10 = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Europe/Berlin"))


@pytest.fixture
def world(sample_catalog):
    return finder_world()


@pytest.mark.django_db
def test_district_service_goes_to_the_landratsamt(world):
    result = find_responsible("fahrzeug-ausser-betrieb", postal_code="09456", at=TUESDAY_10)
    assert result.authority == world["lra_erz"]
    assert result.office.name == "Hauptsitz"
    assert result.needs_choice is False
    assert result.candidates == []
    assert result.district == world["erz"]
    assert result.level == "district"


@pytest.mark.django_db
def test_municipal_service_goes_to_the_municipality(world):
    result = find_responsible("gewerbe-anmelden", place_id=world["mildenau"].pk)
    assert result.authority == world["gemeinde"]
    assert result.place == world["mildenau"]
    assert result.level == "municipality"


@pytest.mark.django_db
def test_postal_code_with_several_municipalities_asks_instead_of_guessing(world):
    result = find_responsible("gewerbe-anmelden", postal_code="09456")
    assert result.needs_choice is True
    assert result.authority is None
    assert [c.name for c in result.candidates] == ["Annaberg-Buchholz", "Mildenau"]
    chosen = find_responsible("gewerbe-anmelden", postal_code="09456", place_id=result.candidates[0].id)
    assert chosen.authority == world["stadt"]


@pytest.mark.django_db
def test_postal_code_across_two_districts_asks_for_district_services(world):
    result = find_responsible("fahrzeug-ausser-betrieb", postal_code="09999")
    assert result.needs_choice is True
    assert {c.district_ags for c in result.candidates} == {"14521", "14524"}
    chosen = find_responsible("fahrzeug-ausser-betrieb", place_id=world["grenz_b"].pk)
    assert chosen.authority == world["lra_zwi"]


@pytest.mark.django_db
def test_state_service_follows_its_explicit_rule_wherever_the_citizen_lives(world):
    result = find_responsible("bohranzeige")
    assert result.authority == world["lfulg"]
    assert result.level == "state"
    assert find_responsible("bohranzeige", postal_code="09456").authority == world["lfulg"]


@pytest.mark.django_db
def test_federal_service_has_no_saxon_authority_and_says_whom_to_ask(world):
    service("kindergeld", level="bund", responsible_unit="Familienkasse der Bundesagentur für Arbeit")
    result = find_responsible("kindergeld", postal_code="09456")
    assert result.authority is None
    assert result.needs_choice is False
    assert "Familienkasse" in result.note
    assert result.level is None


@pytest.mark.django_db
def test_state_service_without_rule_names_the_unit(world):
    service("bafoeg", level="land", responsible_unit="Amt für Ausbildungsförderung")
    result = find_responsible("bafoeg")
    assert result.authority is None
    assert "Amt für Ausbildungsförderung" in result.note


@pytest.mark.django_db
def test_place_by_name_municipality_key_and_district_key(world):
    assert find_responsible("gewerbe-anmelden", place_text="mildenau").authority == world["gemeinde"]
    assert find_responsible("gewerbe-anmelden", place_text="09456 Annaberg").authority == world["stadt"]
    assert find_responsible("gewerbe-anmelden", ags="14521020").authority == world["stadt"]
    assert find_responsible("fahrzeug-ausser-betrieb", ags="14524").authority == world["lra_zwi"]
    result = find_responsible("fahrzeug-ausser-betrieb", place_text="Grenz")
    assert result.needs_choice
    assert len(result.candidates) == 2


@pytest.mark.parametrize(
    ("kwargs", "code", "status", "text"),
    [
        ({"postal_code": "0945"}, "invalid_postal_code", 400, "fünf Ziffern"),
        ({"postal_code": "09456\n"}, "invalid_postal_code", 400, "fünf Ziffern"),
        ({"postal_code": "٠٩٤٥٦"}, "invalid_postal_code", 400, "fünf Ziffern"),
        ({"postal_code": "x" * 10_000}, "invalid_postal_code", 400, "fünf Ziffern"),
        ({"postal_code": "10115"}, "postal_code_not_in_saxony", 404, "nicht in Sachsen"),
        ({}, "missing_place", 400, "Postleitzahl oder Ihren Wohnort"),
        ({"place_id": "abc"}, "invalid_place", 400, "ungültig"),
        ({"place_id": 999_999_999}, "unknown_place", 404, "kennen wir nicht"),
        ({"place_text": "Atlantis"}, "unknown_place", 404, "Atlantis"),
        ({"place_text": "a\x00b"}, "invalid_place", 400, "Ortsnamen"),
        ({"ags": "99999"}, "unknown_ags", 404, "keinen sächsischen Kreis"),
        ({"ags": "abc"}, "invalid_ags", 400, "fünf Ziffern"),
    ],
)
@pytest.mark.django_db
def test_bad_places_give_clear_german_errors(world, kwargs, code, status, text):
    with pytest.raises(PlaceError) as error:
        find_responsible("fahrzeug-ausser-betrieb", **kwargs)
    assert error.value.code == code
    assert error.value.status == status
    assert text in error.value.message


@pytest.mark.django_db
def test_place_must_belong_to_the_postal_code(world):
    with pytest.raises(PlaceError) as error:
        find_responsible("gewerbe-anmelden", postal_code="09456", place_id=world["grenz_b"].pk)
    assert error.value.code == "place_mismatch"


@pytest.mark.parametrize("key", ["gibt-es-nicht", "", "../etc", "A" * 500, None, 42, "ge\x00werbe"])
@pytest.mark.django_db
def test_unknown_service_keys(world, key):
    with pytest.raises(UnknownService) as error:
        find_responsible(key, postal_code="09456")
    assert error.value.status == 404
    assert "gibt es im Leistungskatalog nicht" in error.value.message


@pytest.mark.django_db
def test_missing_directory_entry_is_a_404_not_a_crash(sample_catalog):
    from catalog_factories import district, place

    district_obj = district("14522", "Mittelsachsen")
    place("Freiberg", district_obj, ["09599"])
    with pytest.raises(CatalogError) as error:
        find_responsible("fahrzeug-ausser-betrieb", postal_code="09599")
    assert error.value.code == "no_authority"
    assert error.value.status == 404


@pytest.mark.django_db
def test_real_data_09456_is_landratsamt_erzgebirgskreis(sample_catalog):
    from django.core.management import call_command

    from amtsweg.directory.loader import load_authorities

    call_command("load_regions", verbosity=0)
    load_authorities()
    result = find_responsible("fahrzeug-ausser-betrieb", postal_code="09456")
    assert result.needs_choice is False
    assert result.authority.name == "Landratsamt Erzgebirgskreis"
    assert result.authority.district.ags == "14521"
