"""Geometry without a GIS stack: "is this point in Saxony?", great-circle distances, and tour ordering.

* `in_saxony(lat, lon)`: ray casting against the shipped outline (`regions`, Natural Earth, 646 points). That
  outline is simplified: along the Neiße it runs a few hundred metres west of the real border, so Görlitz's
  town centre falls just outside it. A point therefore counts as Saxon when it lies inside the polygon *or*
  within `BORDER_TOLERANCE_KM` of its edge. Hof (Bavaria, 6 km beyond the border) stays outside.
* `haversine_km`: distance on the sphere (R = 6371.0088 km). Road distance is estimated as `ROAD_FACTOR` ×
  that; pages always call it an estimate.
* `order_route`: nearest neighbour from the depot, then 2-opt, for a round trip depot → stops → depot. Exact
  for the tour sizes here is not needed (a day has 3–10 stops); 2-opt removes every crossing.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from functools import lru_cache

from django.utils.translation import gettext as _

EARTH_RADIUS_KM = 6371.0088
ROAD_FACTOR = 1.3
AVERAGE_SPEED_KMH = 50.0
BORDER_TOLERANCE_KM = 5.0

Point = tuple[float, float]  # (lat, lon)


@lru_cache(maxsize=1)
def outline_rings() -> tuple[tuple[Point, ...], ...]:
    """The outer rings of Saxony's outline as (lat, lon) tuples."""
    from amtsweg.regions.services import outline_geojson_path

    data = json.loads(outline_geojson_path().read_text(encoding="utf-8"))
    rings = []
    for feature in data["features"]:
        geometry = feature["geometry"]
        polygons = (
            geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        )
        for polygon in polygons:
            rings.append(tuple((lat, lon) for lon, lat in polygon[0]))
    return tuple(rings)


@lru_cache(maxsize=1)
def outline_bbox() -> tuple[float, float, float, float]:
    points = [p for ring in outline_rings() for p in ring]
    return (
        min(p[0] for p in points),
        min(p[1] for p in points),
        max(p[0] for p in points),
        max(p[1] for p in points),
    )


def point_in_ring(lat: float, lon: float, ring: Sequence[Point]) -> bool:
    """Ray casting (even-odd rule) with a ray towards +longitude."""
    inside = False
    count = len(ring)
    for index in range(count):
        lat1, lon1 = ring[index]
        lat2, lon2 = ring[(index + 1) % count]
        if (lat1 > lat) != (lat2 > lat):
            crossing = lon1 + (lat - lat1) * (lon2 - lon1) / (lat2 - lat1)
            if lon < crossing:
                inside = not inside
    return inside


def distance_to_ring_km(lat: float, lon: float, ring: Sequence[Point]) -> float:
    """Shortest distance from the point to the ring's edges (local flat projection, fine at this scale)."""
    scale_x = 111.32 * math.cos(math.radians(lat))
    scale_y = 110.574
    best = math.inf
    for index in range(len(ring) - 1):
        ax, ay = (ring[index][1] - lon) * scale_x, (ring[index][0] - lat) * scale_y
        bx, by = (ring[index + 1][1] - lon) * scale_x, (ring[index + 1][0] - lat) * scale_y
        dx, dy = bx - ax, by - ay
        length = dx * dx + dy * dy
        t = 0.0 if length == 0 else max(0.0, min(1.0, -(ax * dx + ay * dy) / length))
        best = min(best, math.hypot(ax + t * dx, ay + t * dy))
    return best


def _valid_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def in_saxony(lat: float, lon: float) -> bool:
    if not (_valid_number(lat) and _valid_number(lon)):
        return False
    south, west, north, east = outline_bbox()
    margin = 0.1  # degrees, more than the tolerance
    if not (south - margin <= lat <= north + margin and west - margin <= lon <= east + margin):
        return False
    for ring in outline_rings():
        if point_in_ring(lat, lon, ring) or distance_to_ring_km(lat, lon, ring) <= BORDER_TOLERANCE_KM:
            return True
    return False


def saxony_error(lat, lon) -> str | None:
    """None if the point is usable, else a German message that can be shown as it is."""
    if not (_valid_number(lat) and _valid_number(lon)):
        return _("Bitte geben Sie Breiten- und Längengrad als Zahlen an.")
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return _("Diese Koordinaten gibt es nicht (Breite −90 bis 90, Länge −180 bis 180).")
    if not in_saxony(lat, lon):
        return _(
            "Der Punkt %(lat).5f, %(lon).5f liegt nicht in Sachsen. Bitte prüfen Sie die Koordinaten "
            "(Breitengrad zuerst, z. B. 50.4973, 12.1378 für Plauen)."
        ) % {"lat": lat, "lon": lon}
    return None


def haversine_km(a: Point, b: Point) -> float:
    lat1, lon1 = map(math.radians, a)
    lat2, lon2 = map(math.radians, b)
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def road_km(a: Point, b: Point) -> float:
    """Estimated driving distance: great-circle distance × ROAD_FACTOR."""
    return haversine_km(a, b) * ROAD_FACTOR


def travel_minutes(km: float) -> int:
    """Estimated driving time at AVERAGE_SPEED_KMH, rounded up to 5 minutes."""
    minutes = km / AVERAGE_SPEED_KMH * 60
    return int(math.ceil(minutes / 5.0) * 5)


def route_length_km(depot: Point, points: Sequence[Point], order: Sequence[int]) -> float:
    """Great-circle length of depot → points in `order` → depot."""
    path = [depot, *(points[i] for i in order), depot]
    return sum(haversine_km(path[i], path[i + 1]) for i in range(len(path) - 1))


def order_route(depot: Point, points: Sequence[Point]) -> list[int]:
    """Indexes of `points` in visiting order: nearest neighbour from the depot, improved by 2-opt."""
    count = len(points)
    if count <= 1:
        return list(range(count))
    nodes = [depot, *points]  # node 0 is the depot
    dist = [[haversine_km(a, b) for b in nodes] for a in nodes]

    unvisited = set(range(1, count + 1))
    tour = [0]
    while unvisited:
        last = tour[-1]
        nearest = min(unvisited, key=lambda n: (dist[last][n], n))
        tour.append(nearest)
        unvisited.remove(nearest)
    tour.append(0)

    improved = True
    while improved:
        improved = False
        for i in range(1, len(tour) - 2):
            for j in range(i + 1, len(tour) - 1):
                a, b, c, d = tour[i - 1], tour[i], tour[j], tour[j + 1]
                if dist[a][c] + dist[b][d] < dist[a][b] + dist[c][d] - 1e-9:
                    tour[i : j + 1] = reversed(tour[i : j + 1])
                    improved = True
    return [node - 1 for node in tour[1:-1]]
