import pytest

from amtsweg.regions import services
from amtsweg.regions.models import District, Place

SAXON_DISTRICTS = {
    "14511",
    "14521",
    "14522",
    "14523",
    "14524",
    "14612",
    "14625",
    "14626",
    "14627",
    "14628",
    "14713",
    "14729",
    "14730",
}

pytestmark = pytest.mark.django_db


def test_every_saxon_postal_code_resolves_to_one_of_the_13_districts(regions):
    failures = []
    for row in regions["postal_codes"]:
        try:
            district = services.district_for_postal_code(row["code"])
        except services.UnknownPostalCode as error:
            failures.append(f"{row['code']}: {error}")
            continue
        if district.ags not in SAXON_DISTRICTS or district.ags != row["district"]:
            failures.append(f"{row['code']}: {district.ags}, expected {row['district']}")
    assert not failures, f"{len(failures)} postal codes do not resolve:\n" + "\n".join(failures)
    assert len(regions["postal_codes"]) >= 380


@pytest.mark.parametrize(
    ("code", "ags", "name"),
    [
        ("09456", "14521", "Erzgebirgskreis"),
        ("01067", "14612", "Dresden"),
        ("04109", "14713", "Leipzig"),
        ("08523", "14523", "Vogtlandkreis"),
        ("02826", "14626", "Görlitz"),
        ("09599", "14522", "Mittelsachsen"),
        ("04552", "14729", "Leipzig"),  # Borna: the Landkreis, not the city
        ("04860", "14730", "Nordsachsen"),  # Torgau
    ],
)
def test_known_postal_codes(regions, code, ags, name):
    district = services.district_for_postal_code(code)
    assert (district.ags, district.name) == (ags, name)


def test_surrounding_spaces_are_tolerated(regions):
    assert services.district_for_postal_code(" 09456 ").ags == "14521"


MALFORMED = [
    pytest.param("0945", id="four-digits"),
    pytest.param("094566", id="six-digits"),
    pytest.param("abcde", id="letters"),
    pytest.param("", id="empty"),
    pytest.param("     ", id="blank"),
    pytest.param(None, id="none"),
    pytest.param(9456, id="int"),
    pytest.param(b"09456", id="bytes"),
    pytest.param("0" * 10_000, id="10-kB"),
    pytest.param("09456\n", id="newline"),
    pytest.param("09456\x00", id="nul"),
    pytest.param("\t09456", id="tab"),
    pytest.param("09\u200b456", id="zero-width-space"),
    pytest.param("٠٩٤٥٦", id="arabic-indic-digits"),
    pytest.param("０９４５６", id="fullwidth-digits"),
    pytest.param("09 456", id="inner-space"),
    pytest.param("D-09456", id="country-prefix"),
]


@pytest.mark.parametrize("value", MALFORMED)
def test_malformed_postal_codes_raise(regions, value):
    with pytest.raises(services.MalformedPostalCode) as info:
        services.district_for_postal_code(value)
    assert isinstance(info.value, services.UnknownPostalCode)
    assert isinstance(info.value, ValueError)
    assert "fünf Ziffern" in str(info.value)
    assert info.value.code is None
    assert len(str(info.value)) < 200  # the input is never echoed


@pytest.mark.parametrize(
    "code",
    [
        "10115",  # Berlin
        "80331",  # München
        "04600",  # Altenburg, Thuringia, inside Saxony's 04 range
        "01945",  # Brandenburg (Ruhland), inside the 01 range
        "00000",
        "99999",
    ],
)
def test_postal_codes_outside_saxony_raise(regions, code):
    with pytest.raises(services.PostalCodeNotInSaxony) as info:
        services.district_for_postal_code(code)
    assert isinstance(info.value, services.UnknownPostalCode)
    assert str(info.value) == f"Die Postleitzahl {code} liegt nach unseren Daten nicht in Sachsen."
    assert info.value.code == code


def test_lookup_without_loaded_data_raises_instead_of_guessing(db):
    with pytest.raises(services.PostalCodeNotInSaxony):
        services.district_for_postal_code("09456")


def test_places_for_postal_code(regions):
    places = services.places_for_postal_code("09456")
    assert [(p.name, p.district.ags, p.kind) for p in places] == [
        ("Annaberg-Buchholz", "14521", Place.Kind.MUNICIPALITY),
        ("Mildenau", "14521", Place.Kind.MUNICIPALITY),
    ]


def test_places_carry_their_own_district_when_a_postal_code_crosses_a_border(regions):
    # 09573 belongs to Mittelsachsen, but Gornau, listed for it, lies in the Erzgebirgskreis.
    places = {p.name: p.district.ags for p in services.places_for_postal_code("09573")}
    assert places == {"Augustusburg": "14522", "Gornau": "14521", "Leubsdorf": "14522"}
    assert [d.ags for d in services.districts_for_postal_code("09573")] == ["14522", "14521"]
    assert services.district_for_postal_code("09573").ags == "14522"


def test_postal_code_reaching_into_another_land(regions):
    # 07919 serves Pausa-Mühltroff (Vogtlandkreis) and Kirschkau, a Thuringian municipality.
    postal_code = services.get_postal_code("07919")
    assert (postal_code.district.ags, postal_code.other_states) == ("14523", ["DE-TH"])
    assert [p.name for p in services.places_for_postal_code("07919")] == ["Pausa-Mühltroff"]
    assert services.get_postal_code("09456").other_states == []


def test_namesakes_in_different_districts_stay_apart(regions):
    bernsdorf = Place.objects.filter(name="Bernsdorf").order_by("district__ags")
    assert [(p.district.ags, sorted(p.postal_codes.values_list("code", flat=True))) for p in bernsdorf] == [
        ("14524", ["09337"]),
        ("14625", ["02994"]),
    ]


def test_postal_code_without_places_still_has_a_district(regions):
    row = next(r for r in regions["postal_codes"] if not r["in_osm"])
    assert services.places_for_postal_code(row["code"]) == []
    assert services.district_for_postal_code(row["code"]).ags == row["district"]


def test_places_errors_match_district_errors(regions):
    with pytest.raises(services.MalformedPostalCode):
        services.places_for_postal_code("abc")
    with pytest.raises(services.PostalCodeNotInSaxony):
        services.places_for_postal_code("10115")


def test_city_places_have_municipality_keys(regions):
    dresden = services.places_for_postal_code("01067")[0]
    assert (dresden.name, dresden.ags8, dresden.district.ags) == ("Dresden", "14612000", "14612")


@pytest.mark.parametrize(
    ("ags", "expected"),
    [("14521", "14521"), ("14612000", "14612"), ("14730", "14730"), (" 14628 ", "14628")],
)
def test_district_by_ags(regions, ags, expected):
    assert services.district_by_ags(ags).ags == expected


@pytest.mark.parametrize("ags", ["1452", "145210", "abcde", "", None, 14521, "1" * 10_000, "14521\n"])
def test_district_by_ags_rejects_malformed_keys(regions, ags):
    with pytest.raises(services.UnknownDistrict) as info:
        services.district_by_ags(ags)
    assert isinstance(info.value, ValueError)
    assert "fünf Ziffern" in str(info.value)


@pytest.mark.parametrize("ags", ["11000", "14999", "09162000"])
def test_district_by_ags_rejects_non_saxon_keys(regions, ags):
    with pytest.raises(services.UnknownDistrict, match="keinen sächsischen Kreis"):
        services.district_by_ags(ags)


def test_all_districts_and_full_names(regions):
    districts = list(services.all_districts())
    assert [d.ags for d in districts] == sorted(SAXON_DISTRICTS)
    names = {d.ags: d.full_name for d in districts}
    assert names["14729"] == "Landkreis Leipzig"
    assert names["14713"] == "Stadt Leipzig"
    assert names["14521"] == "Erzgebirgskreis"
    assert names["14523"] == "Vogtlandkreis"
    assert str(District.objects.get(ags="14628")) == "Landkreis Sächsische Schweiz-Osterzgebirge (14628)"


def test_outline_path_points_at_the_shipped_geojson():
    path = services.outline_geojson_path()
    assert path.is_file()
    assert path.suffix == ".geojson"
