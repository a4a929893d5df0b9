"""Coordinates in Saxony, distances and tour ordering (no database needed except for model validation)."""

import math
import random

import pytest
from django.core.exceptions import ValidationError

from amtsweg.assisted import geo

PLAUEN = (50.4973, 12.13782)
DRESDEN = (51.0504, 13.7373)
LEIPZIG = (51.3397, 12.3731)


@pytest.mark.parametrize(
    ("name", "lat", "lon"),
    [
        ("Plauen", 50.4973, 12.13782),
        ("Dresden", 51.0504, 13.7373),
        # The simplified outline runs west of the Neiße here; the tolerance keeps Görlitz in Saxony.
        ("Görlitz", 51.15518, 14.98853),
        ("Bad Brambach", 50.2167, 12.3167),
        ("Markneukirchen", 50.31144, 12.32951),
    ],
)
def test_saxon_places_are_in_saxony(name, lat, lon):
    assert geo.in_saxony(lat, lon), name
    assert geo.saxony_error(lat, lon) is None


@pytest.mark.parametrize(
    ("name", "lat", "lon"),
    [
        ("Berlin", 52.52, 13.405),
        ("Hof (Bayern)", 50.3167, 11.9167),
        ("Prag", 50.0755, 14.4378),
        ("Erfurt", 50.9787, 11.0328),
        ("swapped Plauen (lon, lat)", 12.13782, 50.4973),
        ("Null Island", 0.0, 0.0),
    ],
)
def test_places_outside_saxony_are_refused_in_german(name, lat, lon):
    assert not geo.in_saxony(lat, lon), name
    assert "liegt nicht in Sachsen" in geo.saxony_error(lat, lon)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), "50.5", None, True])
def test_non_numbers_are_not_coordinates(bad):
    assert not geo.in_saxony(bad, 12.0)
    assert geo.saxony_error(bad, 12.0) == "Bitte geben Sie Breiten- und Längengrad als Zahlen an."


def test_impossible_coordinates_get_their_own_message():
    assert "gibt es nicht" in geo.saxony_error(123.0, 12.0)


def test_point_in_ring_by_ray_casting():
    square = [(0.0, 0.0), (0.0, 1.0), (1.0, 1.0), (1.0, 0.0), (0.0, 0.0)]
    assert geo.point_in_ring(0.5, 0.5, square)
    assert not geo.point_in_ring(1.5, 0.5, square)
    assert not geo.point_in_ring(0.5, -0.1, square)


def test_haversine_and_road_estimate():
    km = geo.haversine_km(DRESDEN, LEIPZIG)
    assert 99 < km < 102  # Dresden–Leipzig ≈ 100 km as the crow flies
    assert geo.road_km(DRESDEN, LEIPZIG) == pytest.approx(km * 1.3)
    assert geo.travel_minutes(50) == 60
    assert geo.travel_minutes(1) == 5


def test_order_route_visits_every_point_once_and_beats_the_given_order():
    rng = random.Random(7)
    points = [(50.3 + rng.random() * 0.4, 12.0 + rng.random() * 0.5) for _ in range(9)]
    order = geo.order_route(PLAUEN, points)
    assert sorted(order) == list(range(9))
    given = geo.route_length_km(PLAUEN, points, list(range(9)))
    planned = geo.route_length_km(PLAUEN, points, order)
    assert planned <= given


def test_two_opt_removes_a_crossing():
    # Corners of a square visited crosswise; the optimum goes round the edge.
    depot = (50.0, 12.0)
    points = [(50.0, 12.1), (50.1, 12.0), (50.1, 12.1)]
    order = geo.order_route(depot, points)
    assert order in ([0, 2, 1], [1, 2, 0])
    crossing = geo.route_length_km(depot, points, [0, 1, 2])
    assert geo.route_length_km(depot, points, order) < crossing


def test_order_route_edge_cases():
    assert geo.order_route(PLAUEN, []) == []
    assert geo.order_route(PLAUEN, [DRESDEN]) == [0]


@pytest.mark.django_db
def test_site_outside_saxony_fails_validation(regions):
    from assisted import factories

    site = factories.site(lat=52.52, lon=13.405, rules=False)
    with pytest.raises(ValidationError) as error:
        site.full_clean()
    assert "liegt nicht in Sachsen" in str(error.value)
    assert math.isclose(site.lat, 52.52)
