"""The shipped authority data and its loader."""

import copy
import json
from datetime import time
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from amtsweg.directory import demo
from amtsweg.directory.loader import (
    DATA_PATH,
    AuthorityDataError,
    load_authorities,
    municipality_key,
    read_data,
)
from amtsweg.directory.models import Authority, Office, SpecialDay, WeeklyHours
from amtsweg.regions.models import District, Place

pytestmark = pytest.mark.django_db

DISTRICT_AUTHORITIES = {
    "landratsamt-erzgebirgskreis": ("14521", "Landratsamt Erzgebirgskreis", "Annaberg-Buchholz"),
    "landratsamt-mittelsachsen": ("14522", "Landratsamt Mittelsachsen", "Freiberg"),
    "landratsamt-vogtlandkreis": ("14523", "Landratsamt Vogtlandkreis", "Plauen"),
    "landratsamt-zwickau": ("14524", "Landratsamt Zwickau", "Zwickau"),
    "landratsamt-bautzen": ("14625", "Landratsamt Bautzen", "Bautzen"),
    "landratsamt-goerlitz": ("14626", "Landratsamt Görlitz", "Görlitz"),
    "landratsamt-meissen": ("14627", "Landratsamt Meißen", "Meißen"),
    "landratsamt-saechsische-schweiz-osterzgebirge": (
        "14628",
        "Landratsamt Sächsische Schweiz-Osterzgebirge",
        "Pirna",
    ),
    "landratsamt-landkreis-leipzig": ("14729", "Landratsamt Landkreis Leipzig", "Borna"),
    "landratsamt-nordsachsen": ("14730", "Landratsamt Nordsachsen", "Torgau"),
    "stadt-chemnitz": ("14511", "Stadtverwaltung Chemnitz", "Chemnitz"),
    "stadt-dresden": ("14612", "Landeshauptstadt Dresden, Stadtverwaltung", "Dresden"),
    "stadt-leipzig": ("14713", "Stadtverwaltung Leipzig", "Leipzig"),
}
STATE_AUTHORITIES = {
    "lfulg": "Dresden",
    "landesdirektion": "Chemnitz",
    "oberbergamt": "Freiberg",
    "statistik": "Kamenz",
}


def test_thirteen_district_level_authorities_with_the_right_keys_and_seats(directory_data):
    district_level = Authority.objects.filter(level=Authority.Level.KREIS).select_related("district")
    assert {a.key for a in district_level} == set(DISTRICT_AUTHORITIES)
    for authority in district_level:
        ags, name, city = DISTRICT_AUTHORITIES[authority.key]
        assert authority.ags == ags
        assert authority.district.ags == ags
        assert authority.name == name
        assert not authority.is_generated
        assert authority.address_verified
        main = authority.offices.get(is_main=True)
        assert main.city == city
        assert main.street
        assert len(main.postal_code) == 5
        assert main.hours_source == Office.HoursSource.EXAMPLE
        assert main.weekly_hours.exists()
        # coordinates of the district seat from the regions data, labelled as such
        assert (main.lat, main.lon) == (authority.district.lat, authority.district.lon)
        assert main.coordinates_source == Office.CoordinatesSource.DISTRICT_SEAT
    stadtverwaltungen = sorted(a.key for a in district_level if a.kind == Authority.Kind.STADTVERWALTUNG)
    assert stadtverwaltungen == ["stadt-chemnitz", "stadt-dresden", "stadt-leipzig"]


def test_the_erzgebirgskreis_main_address(directory_data):
    main = Office.objects.get(authority__key="landratsamt-erzgebirgskreis", is_main=True)
    assert (main.street, main.postal_code, main.city) == (
        "Paulus-Jenisius-Straße 24",
        "09456",
        "Annaberg-Buchholz",
    )


def test_four_state_bodies(directory_data):
    state = Authority.objects.filter(level=Authority.Level.LAND)
    assert {a.key for a in state} == set(STATE_AUTHORITIES)
    for authority in state:
        assert authority.ags == "14"
        assert authority.district is None
        assert authority.kind == Authority.Kind.LANDESBEHOERDE
        assert authority.offices.get(is_main=True).city == STATE_AUTHORITIES[authority.key]
    geology = Office.objects.get(authority__key="lfulg", is_main=False)
    assert geology.city == "Freiberg"
    assert not geology.address_verified  # to be confirmed before production


def test_one_generated_authority_per_municipality(directory_data):
    municipalities = Place.objects.filter(kind=Place.Kind.MUNICIPALITY).select_related("district")
    outside_cities = [p for p in municipalities if p.district.kind != District.Kind.KREISFREIE_STADT]
    generated = Authority.objects.filter(is_generated=True)
    assert generated.count() == len(outside_cities) > 400
    assert generated.values("municipality").distinct().count() == len(outside_cities)
    for authority in generated.select_related("municipality", "district")[:50]:
        assert authority.kind == Authority.Kind.GEMEINDEVERWALTUNG
        assert authority.level == Authority.Level.GEMEINDE
        assert authority.district_id == authority.municipality.district_id
        assert authority.ags == authority.municipality.ags8  # never invented: the regions data has none here
        assert not authority.address_verified
        office = authority.offices.get()
        assert office.is_main
        assert office.street == ""
        assert office.city == authority.municipality.name
        assert (office.lat, office.lon) == (authority.municipality.lat, authority.municipality.lon)
    assert not Authority.objects.filter(is_generated=True, ags__isnull=False).exists()
    crostwitz = Authority.objects.get(key="gemeinde-14625-crostwitz")
    assert crostwitz.name == "Gemeindeverwaltung Crostwitz"
    # the kreisfreie Städte get no generated duplicate; their Stadtverwaltung serves the municipality too
    assert not Authority.objects.filter(
        is_generated=True, district__kind=District.Kind.KREISFREIE_STADT
    ).exists()
    assert Authority.objects.get(key="stadt-dresden").municipality.ags8 == "14612000"


def test_municipality_keys_are_ascii_slugs():
    place = Place(name="Großpostwitz/O.L.", district=District(ags="14625"))
    assert municipality_key(place) == "gemeinde-14625-grosspostwitz-o-l"
    place = Place(name="Bärenstein", district=District(ags="14521"))
    assert municipality_key(place) == "gemeinde-14521-baerenstein"


def test_loader_is_idempotent(directory_data):
    first = directory_data
    assert first.changed
    before = {a.key: a.updated_at for a in Authority.objects.all()}
    counts = (Authority.objects.count(), Office.objects.count(), WeeklyHours.objects.count())
    second = load_authorities()
    assert not second.changed
    assert second.totals == first.totals
    assert {a.key: a.updated_at for a in Authority.objects.all()} == before
    assert (Authority.objects.count(), Office.objects.count(), WeeklyHours.objects.count()) == counts


def test_loader_repairs_changed_rows(directory_data):
    authority = Authority.objects.get(key="landratsamt-zwickau")
    authority.name = "Falsch"
    authority.save()
    office = authority.offices.get()
    office.weekly_hours.all().delete()
    report = load_authorities()
    assert report.updated["authorities"] == 1
    assert report.created["hours"] == 1
    authority.refresh_from_db()
    assert authority.name == "Landratsamt Zwickau"
    assert office.weekly_hours.count() == 7


def test_hours_maintained_by_the_authority_are_never_overwritten(directory_data):
    office = Office.objects.get(authority__key="landratsamt-bautzen", is_main=True)
    office.hours_source = Office.HoursSource.AUTHORITY
    office.save()
    office.weekly_hours.all().delete()
    WeeklyHours.objects.create(office=office, weekday=2, opens=time(7), closes=time(19))
    report = load_authorities()
    assert not report.changed
    assert list(office.weekly_hours.values_list("weekday", "opens", "closes")) == [(2, time(7), time(19))]


def test_taken_over_municipal_authority_is_left_alone(directory_data):
    authority = Authority.objects.get(key="gemeinde-14625-crostwitz")
    authority.is_generated = False
    authority.name = "Gemeindeverwaltung Crostwitz (gepflegt)"
    authority.phone = "035796 0000"
    authority.save()
    report = load_authorities()
    assert not report.changed
    authority.refresh_from_db()
    assert authority.name == "Gemeindeverwaltung Crostwitz (gepflegt)"


def test_needs_the_regions_data_first(db):
    with pytest.raises(AuthorityDataError, match="load_regions"):
        load_authorities()
    assert not Authority.objects.exists()


def _broken(data, change):
    data = copy.deepcopy(data)
    change(data)
    return data


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(format_version=2), "Format"),
        (lambda d: d["authorities"].append(dict(d["authorities"][0])), "doppelter"),
        (lambda d: d["authorities"][0].update(key="A B" * 100), "Behördenschlüssel"),
        (lambda d: d["authorities"][0].update(ags="99521"), "Gebietsschlüssel"),
        (lambda d: d["authorities"][0].update(kind="ministerium"), "Art"),
        (lambda d: d["authorities"][0].update(district=None), "Kreis"),
        (lambda d: d["authorities"][0]["offices"][0].update(is_main=False), "Hauptsitz"),
        (lambda d: d["hours_templates"]["kreis"]["rules"][0].update(opens="25:00"), "Uhrzeit"),
        (lambda d: d["hours_templates"]["kreis"]["rules"][0].update(weekdays=[7]), "Regel"),
    ],
)
def test_broken_data_is_refused_and_nothing_is_written(db, change, message):
    call_command("load_regions", verbosity=0)
    data = _broken(read_data(), change)
    with pytest.raises(AuthorityDataError, match=message):
        load_authorities(data)
    assert not Authority.objects.exists()


def test_unknown_district_in_the_data_rolls_back(db):
    call_command("load_regions", verbosity=0)
    data = read_data()
    data["authorities"][-1] = {
        **data["authorities"][5],
        "key": "landratsamt-nirgendwo",
        "district": "14599",
        "ags": "14599",
    }
    with pytest.raises(AuthorityDataError, match="14599"):
        load_authorities(data)
    assert not Authority.objects.exists()  # the earlier rows of the same run were rolled back


def test_the_data_file_marks_example_hours_and_contains_no_invented_contacts():
    data = json.loads(DATA_PATH.read_text(encoding="utf-8"))
    assert "BEISPIELZEITEN" in data["hinweis"]
    assert {t["hours_source"] for t in data["hours_templates"].values()} == {"beispiel"}
    for entry in data["authorities"]:
        assert entry["phone"] == ""
        assert entry["email"] == ""
        assert entry["website"].startswith("https://www.")


def test_management_command(db):
    call_command("load_regions", verbosity=0)
    out = StringIO()
    call_command("load_authorities", stdout=out)
    assert f"Behörden: {Authority.objects.count()} (davon " in out.getvalue()
    assert "Änderungen" in out.getvalue()
    out = StringIO()
    call_command("load_authorities", stdout=out)
    assert "Keine Änderungen" in out.getvalue()
    with pytest.raises(CommandError, match="nicht lesbar"):
        call_command("load_authorities", "--file", "/nonexistent/authorities.json")


def test_demo_loader_is_idempotent_and_adds_example_closures(db):
    call_command("load_regions", verbosity=0)
    assert demo.load_directory() == []
    closures = SpecialDay.objects.count()
    assert closures == 13 * 4
    assert all("Beispiel" in s.reason for s in SpecialDay.objects.all())
    assert demo.load_directory() == []
    assert SpecialDay.objects.count() == closures
