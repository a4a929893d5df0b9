"""Coordinates: transformations checked against independently computed reference values, the Saxony
check, swapped axes, district and municipality, cavity areas.

Reference point: Dresden, Frauenkirche, 51°03′07″ N, 13°44′30″ E (WGS 84; Wikipedia article "Frauenkirche
(Dresden)", coordinates template), i.e. 51.051944° N, 13.741667° E. Its ETRS89/UTM 33N and Gauß-Krüger
values are computed here **without pyproj**: with the Krüger n-series of the transverse Mercator
projection (as given in the Wikipedia article "Universal Transverse Mercator coordinate system", accurate
to well below a millimetre inside a zone) on GRS 80 for UTM, and on the Bessel ellipsoid after the
published seven-parameter Helmert transformation DHDN → WGS 84 (EPSG:1777, "DHDN to WGS 84 (2)", position
vector: tx 598.1 m, ty 73.7 m, tz 418.2 m, rx 0.202″, ry 0.045″, rz −2.455″, s 6.7 ppm) for Gauß-Krüger.
Result here: pyproj agrees within 1 cm for all three systems (canonical values are stored to the
centimetre). Gauß-Krüger is compared with a 1 m tolerance because an installation with PROJ grids
(BeTA2007) would use a different, more accurate DHDN transformation; UTM with 1 cm.
"""

from __future__ import annotations

import math

import pytest

from amtsweg.procedures.bohrung import geo

FRAUENKIRCHE = (51.0 + 3 / 60 + 7 / 3600, 13.0 + 44 / 60 + 30 / 3600)  # (lat, lon)
GRS80 = (6378137.0, 1 / 298.257222101)
BESSEL = (6377397.155, 1 / 299.1528128)
WGS84 = (6378137.0, 1 / 298.257223563)


def transverse_mercator(lat, lon, lon0, k0, false_easting, ellipsoid):
    a, f = ellipsoid
    n = f / (2 - f)
    big_a = a / (1 + n) * (1 + n**2 / 4 + n**4 / 64)
    alpha = (n / 2 - 2 / 3 * n**2 + 5 / 16 * n**3, 13 / 48 * n**2 - 3 / 5 * n**3, 61 / 240 * n**3)
    phi, lam = math.radians(lat), math.radians(lon - lon0)
    c = 2 * math.sqrt(n) / (1 + n)
    t = math.sinh(math.atanh(math.sin(phi)) - c * math.atanh(c * math.sin(phi)))
    xi = math.atan(t / math.cos(lam))
    eta = math.atanh(math.sin(lam) / math.sqrt(1 + t * t))
    east = false_easting + k0 * big_a * (
        eta + sum(al * math.cos(2 * j * xi) * math.sinh(2 * j * eta) for j, al in enumerate(alpha, 1))
    )
    north = (
        k0
        * big_a
        * (xi + sum(al * math.sin(2 * j * xi) * math.cosh(2 * j * eta) for j, al in enumerate(alpha, 1)))
    )
    return east, north


def _to_ecef(lat, lon, ellipsoid):
    a, f = ellipsoid
    e2 = f * (2 - f)
    phi, lam = math.radians(lat), math.radians(lon)
    nu = a / math.sqrt(1 - e2 * math.sin(phi) ** 2)
    return (
        nu * math.cos(phi) * math.cos(lam),
        nu * math.cos(phi) * math.sin(lam),
        nu * (1 - e2) * math.sin(phi),
    )


def _from_ecef(x, y, z, ellipsoid):
    a, f = ellipsoid
    e2 = f * (2 - f)
    lon = math.atan2(y, x)
    p = math.hypot(x, y)
    phi = math.atan2(z, p * (1 - e2))
    for _ in range(10):
        nu = a / math.sqrt(1 - e2 * math.sin(phi) ** 2)
        phi = math.atan2(z + e2 * nu * math.sin(phi), p)
    return math.degrees(phi), math.degrees(lon)


def wgs84_to_dhdn(lat, lon):
    """Inverse of EPSG:1777 (DHDN → WGS 84, position vector), by subtracting the small rotations and scale."""
    x, y, z = _to_ecef(lat, lon, WGS84)
    tx, ty, tz = 598.1, 73.7, 418.2
    rx, ry, rz = (math.radians(v / 3600) for v in (0.202, 0.045, -2.455))
    s = 6.7e-6
    x, y, z = x - tx, y - ty, z - tz
    # inverse of X' = (1+s) R X with R = [[1, -rz, ry], [rz, 1, -rx], [-ry, rx, 1]] (small angles)
    xs, ys, zs = x / (1 + s), y / (1 + s), z / (1 + s)
    x0 = xs + rz * ys - ry * zs
    y0 = -rz * xs + ys + rx * zs
    z0 = ry * xs - rx * ys + zs
    return _from_ecef(x0, y0, z0, BESSEL)


def test_utm33_reference_point_matches_independent_computation():
    lat, lon = FRAUENKIRCHE
    expected = transverse_mercator(lat, lon, 15.0, 0.9996, 500_000.0, GRS80)
    location = geo.locate("wgs84", f"{lon:.7f}", f"{lat:.7f}")
    assert abs(location.easting - expected[0]) < 0.01
    assert abs(location.northing - expected[1]) < 0.01
    # Plausibility of the reference itself: Dresden's centre lies near E 411 km, N 5 656 km in UTM 33.
    assert 410_000 < expected[0] < 413_000
    assert 5_655_000 < expected[1] < 5_658_000
    assert location.district_name == "Dresden"
    assert location.municipality == "Dresden"


@pytest.mark.parametrize(("crs", "lon0", "zone"), [("gk4", 12.0, 4), ("gk5", 15.0, 5)])
def test_gauss_krueger_reference_point_matches_independent_computation(crs, lon0, zone):
    lat, lon = FRAUENKIRCHE
    dlat, dlon = wgs84_to_dhdn(lat, lon)
    right, high = transverse_mercator(dlat, dlon, lon0, 1.0, zone * 1_000_000 + 500_000.0, BESSEL)
    canonical = geo.locate("wgs84", f"{lon:.7f}", f"{lat:.7f}")
    east, north = geo.from_utm33(crs, canonical.easting, canonical.northing)
    assert abs(east - right) < 1
    assert abs(north - high) < 1
    # Typed in Gauß-Krüger, the point comes back to the same canonical UTM position (same tolerance).
    back = geo.locate(crs, f"{right:.2f}", f"{high:.2f}")
    assert abs(back.easting - canonical.easting) < 1
    assert abs(back.northing - canonical.northing) < 1
    assert back.crs == crs
    assert back.epsg == {"gk4": 31468, "gk5": 31469}[crs]
    assert back.district_name == "Dresden"


def test_round_trip_between_all_systems_is_exact():
    start = geo.locate("wgs84", "13,3428", "50,9119")
    for crs in ("utm33", "gk4", "gk5"):
        east, north = geo.from_utm33(crs, start.easting, start.northing)
        again = geo.locate(crs, f"{east:.3f}", f"{north:.3f}")
        assert abs(again.easting - start.easting) < 0.01
        assert abs(again.northing - start.northing) < 0.01


def test_freiberg_lies_in_mittelsachsen_and_in_the_demo_cavity_area():
    location = geo.locate("wgs84", "13.3428", "50.9119")
    assert (location.district_ags, location.district_name, location.municipality) == (
        "14522",
        "Mittelsachsen",
        "Freiberg",
    )
    assert location.cavity_area.startswith("Altbergbau Freiberg")
    assert geo.locate("wgs84", "12.9786", "50.9856").cavity_area == ""


def test_utm_with_zone_prefix_is_accepted():
    plain = geo.locate("utm33", "383498", "5641336")
    prefixed = geo.locate("utm33", "33383498", "5641336")
    assert plain.easting == prefixed.easting


@pytest.mark.parametrize(
    ("crs", "east", "north", "field", "text"),
    [
        ("wgs84", "50.9119", "13.3428", "koord_ost", "vertauscht"),  # latitude typed as longitude
        ("utm33", "5641336", "383498", "koord_ost", "vertauscht"),
        ("gk4", "5642703", "4594543", "koord_ost", "vertauscht"),
        ("wgs84", "11.0", "50.0", "koord_ost", "nicht in Sachsen"),  # Bavaria
        ("wgs84", "13.40", "52.52", "koord_ost", "nicht in Sachsen"),  # Berlin
        ("utm33", "500000", "5800000", "koord_ost", "nicht in Sachsen"),
        ("wgs84", "13.3", "95", "koord_ost", "zwischen −90 und 90"),
        ("utm33", "38", "51", "koord_ost", "sechsstelligen Ostwert"),
        ("gk4", "5383588", "5643147", "koord_ost", "Zone 5"),  # zone 5 value with zone 4 chosen
        ("wgs84", "13,3,4", "50.9", "koord_ost", "eine Zahl"),
        ("wgs84", "", "50.9", "koord_ost", "Bitte geben Sie"),
        ("wgs84", "13.3", "nan", "koord_nord", "eine Zahl"),
        ("wgs84", "13.3", "1e400", "koord_nord", "eine Zahl"),
        ("epsg:3857", "13.3", "50.9", "koord_system", "Koordinatensystem"),
    ],
)
def test_bad_coordinates_get_clear_messages(crs, east, north, field, text):
    with pytest.raises(geo.LocationError) as info:
        geo.locate(crs, east, north)
    assert info.value.field == field
    assert text in info.value.message


def test_base_layer_has_outline_and_places_without_people():
    data = geo.base_layer()
    kinds = {f["properties"]["kind"] for f in data["features"]}
    assert kinds == {"outline", "place"}
    assert sum(1 for f in data["features"] if f["properties"]["kind"] == "place") > 300
    assert "Natural Earth" in data["attribution"]
