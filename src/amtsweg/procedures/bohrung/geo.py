"""Where a drilling lies: coordinates in four reference systems, the Saxony check, district, municipality.

* Input: WGS 84 (EPSG:4326, latitude/longitude in degrees), ETRS89/UTM zone 33N (EPSG:25833, the Saxon
  official system and our canonical storage), Gauß-Krüger zone 4 or 5 (DHDN, EPSG:31468/31469, legacy
  data). pyproj (PROJ) transforms; without grids installed PROJ uses the Helmert transformation DHDN → WGS 84
  (EPSG:1777), good to one to three metres against the official BeTA2007 grid: enough here.
* Saxony: the shipped outline (Natural Earth, via `regions`), with the border tolerance of `assisted.geo`.
* District and municipality: no open district or municipality polygons were found on PyPI or npm (see
  data/README.md), so the point gets the district and municipality of the **nearest place** of the shipped
  regions dataset (419 municipalities with GeoNames coordinates). Near a district border this can name the
  neighbouring district; the review page shows the result and the receiving authorities before submission.
* Cavity areas (old mining): a configurable list of circles (`BOHRUNG_CAVITY_AREAS_FILE`), a demo list by
  default.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

CRS_CHOICES = (
    ("wgs84", gettext_lazy("WGS 84 – geografische Breite und Länge in Grad (z. B. aus GPS oder Karte)")),
    ("utm33", gettext_lazy("ETRS89 / UTM Zone 33N (EPSG:25833)")),
    ("gk4", gettext_lazy("Gauß-Krüger Zone 4 (DHDN, EPSG:31468)")),
    ("gk5", gettext_lazy("Gauß-Krüger Zone 5 (DHDN, EPSG:31469)")),
)
EPSG = {"wgs84": 4326, "utm33": 25833, "gk4": 31468, "gk5": 31469}
CRS_LABELS = {
    "wgs84": "WGS 84",
    "utm33": "ETRS89/UTM 33N",
    "gk4": "Gauß-Krüger Zone 4",
    "gk5": "Gauß-Krüger Zone 5",
}
DATA_DIR = Path(__file__).resolve().parent / "data"
_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")


class LocationError(ValueError):
    """A German message for one of the coordinate fields ("koord_ost", "koord_nord" or "koord_system")."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Location:
    crs: str  # input system key (CRS_CHOICES)
    easting: float  # EPSG:25833, metres
    northing: float
    lat: float  # WGS 84, for the map
    lon: float
    district_ags: str
    district_name: str
    municipality: str
    cavity_area: str  # name of the cavity area the point lies in, or ""

    @property
    def epsg(self) -> int:
        return EPSG[self.crs]


def parse_number(value, field: str) -> float:
    """A coordinate as typed: "13,3425", "13.3425", "5 645 123,4" (spaces as thousands separators)."""
    text = (
        str(value or "").strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "").replace("'", "")
    )
    if not text:
        raise LocationError(field, _("Bitte geben Sie diesen Koordinatenwert an."))
    if not _NUMBER.fullmatch(text):
        raise LocationError(
            field, _("Bitte geben Sie eine Zahl an (Dezimalzeichen Komma oder Punkt, z. B. 13,3425).")
        )
    number = float(text.replace(",", "."))
    if not math.isfinite(number):
        raise LocationError(field, _("Bitte geben Sie eine Zahl an."))
    return number


@lru_cache(maxsize=8)
def _transformer(source: int, target: int):
    from pyproj import Transformer

    return Transformer.from_crs(f"EPSG:{source}", f"EPSG:{target}", always_xy=True)


def to_utm33(crs: str, east: float, north: float) -> tuple[float, float]:
    """(easting, northing) in EPSG:25833. For "wgs84" east is the longitude and north the latitude."""
    x, y = _transformer(EPSG[crs], 25833).transform(east, north)
    return float(x), float(y)


def utm33_to_wgs84(easting: float, northing: float) -> tuple[float, float]:
    """(lat, lon) in degrees."""
    lon, lat = _transformer(25833, 4326).transform(easting, northing)
    return float(lat), float(lon)


def from_utm33(crs: str, easting: float, northing: float) -> tuple[float, float]:
    """The canonical point in another input system (east/lon, north/lat): for showing and for tests."""
    x, y = _transformer(25833, EPSG[crs]).transform(easting, northing)
    return float(x), float(y)


def _in_saxony(lat: float, lon: float) -> bool:
    from amtsweg.assisted.geo import in_saxony

    return bool(math.isfinite(lat) and math.isfinite(lon) and in_saxony(lat, lon))


def _plausible(crs: str, east: float, north: float) -> str | None:
    """A message when the numbers cannot be coordinates of that system at all (before any transformation)."""
    if crs == "wgs84":
        if not (-90 <= north <= 90 and -180 <= east <= 180):
            return _("Breite liegt zwischen −90 und 90 Grad, Länge zwischen −180 und 180 Grad.")
        return None
    if crs == "utm33":
        if not (100_000 <= east <= 900_000 and 5_000_000 <= north <= 6_000_000):
            return _(
                "UTM-Koordinaten in Sachsen haben einen sechsstelligen Ostwert (etwa 280 000 bis 500 "
                "000) und "
                "einen siebenstelligen Nordwert (etwa 5 560 000 bis 5 730 000)."
            )
        return None
    zone = "4" if crs == "gk4" else "5"
    if not (1_000_000 <= east <= 9_999_999 and 5_000_000 <= north <= 6_000_000):
        return _(
            "Gauß-Krüger-Koordinaten haben einen siebenstelligen Rechtswert, der mit der Zonenziffer "
            "beginnt, und "
            "einen siebenstelligen Hochwert (in Sachsen etwa 5 560 000 bis 5 730 000)."
        )
    first = str(int(east))[0]
    if first != zone:
        return _(
            "Der Rechtswert beginnt mit %(first)s, Sie haben aber Zone %(zone)s gewählt. Bitte wählen Sie "
            "Gauß-Krüger Zone %(first)s oder prüfen Sie den Rechtswert."
        ) % {"first": first, "zone": zone}
    return None


def locate(crs: str, east_value, north_value) -> Location:
    """Parse, check and transform typed coordinates. Raises LocationError with a German message."""
    if crs not in EPSG:
        raise LocationError("koord_system", _("Bitte wählen Sie das Koordinatensystem aus."))
    east = parse_number(east_value, "koord_ost")
    north = parse_number(north_value, "koord_nord")
    if crs == "utm33" and 33_000_000 <= east < 34_000_000:
        east -= 33_000_000  # written with the zone prefix ("33 411 500")
    problem = _plausible(crs, east, north)
    swapped_problem = _plausible(crs, north, east)
    if problem and not swapped_problem and _in_saxony(*_latlon(crs, north, east)):
        raise LocationError("koord_ost", _swapped_message(crs))
    if problem:
        raise LocationError("koord_ost", problem)
    lat, lon = _latlon(crs, east, north)
    if not _in_saxony(lat, lon):
        if not swapped_problem and _in_saxony(*_latlon(crs, north, east)):
            raise LocationError("koord_ost", _swapped_message(crs))
        raise LocationError(
            "koord_ost",
            _(
                "Der Punkt liegt nicht in Sachsen (umgerechnet %(lat).5f° N, %(lon).5f° O). Bohranzeigen für "
                "andere Länder nimmt amtsweg nicht an. Bitte prüfen Sie die Koordinaten und das "
                "Koordinatensystem."
            )
            % {"lat": lat, "lon": lon},
        )
    easting, northing = to_utm33(crs, east, north)
    place = nearest_place(lat, lon)
    return Location(
        crs=crs,
        easting=round(easting, 2),
        northing=round(northing, 2),
        lat=round(lat, 7),
        lon=round(lon, 7),
        district_ags=place["district"],
        district_name=place["district_name"],
        municipality=place["name"],
        cavity_area=cavity_area(lat, lon),
    )


def _latlon(crs: str, east: float, north: float) -> tuple[float, float]:
    if crs == "wgs84":
        return north, east
    try:
        easting, northing = to_utm33(crs, east, north)
        return utm33_to_wgs84(easting, northing)
    except Exception:  # pyproj returns inf for points far outside the zone
        return math.inf, math.inf


def _swapped_message(crs: str) -> str:
    if crs == "wgs84":
        return _(
            "Breite und Länge sind offenbar vertauscht: In Sachsen liegt die Breite bei etwa 50 bis 52 Grad "
            "Nord und die Länge bei etwa 12 bis 15 Grad Ost. Bitte tragen Sie die Werte in die "
            "richtigen Felder "
            "ein."
        )
    return _(
        "Rechtswert (Ost) und Hochwert (Nord) sind offenbar vertauscht. Der Hochwert ist in Sachsen die "
        "siebenstellige Zahl, die mit 55, 56 oder 57 beginnt."
    )


# --- places, districts, cavity areas ----------------------------------------------------------------------


@lru_cache(maxsize=1)
def _regions() -> dict:
    from amtsweg.regions.services import outline_geojson_path

    path = outline_geojson_path().with_name("saxony.json")
    return json.loads(path.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def places() -> tuple[dict, ...]:
    data = _regions()
    names = {d["ags"]: d["name"] for d in data["districts"]}
    return tuple(
        {
            "name": p["name"],
            "district": p["district"],
            "district_name": names.get(p["district"], ""),
            "lat": p["lat"],
            "lon": p["lon"],
        }
        for p in data["places"]
        if p.get("lat") is not None and p.get("lon") is not None
    )


def district_names() -> dict[str, str]:
    return {d["ags"]: d["name"] for d in _regions()["districts"]}


def nearest_place(lat: float, lon: float) -> dict:
    from amtsweg.assisted.geo import haversine_km

    return min(places(), key=lambda p: haversine_km((lat, lon), (p["lat"], p["lon"])))


@lru_cache(maxsize=4)
def _cavity_areas(path: str) -> tuple[dict, ...]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return tuple(
        {
            "name": str(a["name"]),
            "lat": float(a["lat"]),
            "lon": float(a["lon"]),
            "radius_m": float(a["radius_m"]),
        }
        for a in data.get("areas", [])
    )


def cavity_areas() -> tuple[dict, ...]:
    path = getattr(settings, "BOHRUNG_CAVITY_AREAS_FILE", "") or str(DATA_DIR / "hohlraumgebiete.json")
    return _cavity_areas(str(path))


def cavity_area(lat: float, lon: float) -> str:
    from amtsweg.assisted.geo import haversine_km

    for area in cavity_areas():
        if haversine_km((lat, lon), (area["lat"], area["lon"])) * 1000 <= area["radius_m"]:
            return area["name"]
    return ""


def base_layer() -> dict:
    """The offline base layer: Saxony's outline and the municipalities of the regions dataset (GeoJSON)."""
    from amtsweg.regions.services import outline_geojson_path

    outline = json.loads(outline_geojson_path().read_text(encoding="utf-8"))
    features = [{**f, "properties": {"kind": "outline"}} for f in outline["features"]]
    for place in places():
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [place["lon"], place["lat"]]},
                "properties": {"kind": "place", "name": place["name"], "district": place["district_name"]},
            }
        )
    return {
        "type": "FeatureCollection",
        "attribution": "Landesumriss: Natural Earth (gemeinfrei). Orte: GeoNames, CC BY 4.0; "
        "© OpenStreetMap contributors, ODbL 1.0.",
        "features": features,
    }
