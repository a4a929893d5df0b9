"""The demo data: pilot towns, clearly marked, upcoming, idempotent."""

import pytest
from django.utils import timezone

from amtsweg.assisted import demo, geo, mapdata
from amtsweg.assisted.models import Kit, Site, Tour, TourStop

pytestmark = pytest.mark.django_db

PLAUEN = (50.4973, 12.13782)


@pytest.fixture
def demo_world(regions):
    from amtsweg.directory.loader import load_authorities

    load_authorities()
    demo.load_assisted()


def test_pilot_towns_and_marking(demo_world):
    cities = set(Site.objects.values_list("city", flat=True))
    for town in ("Auerbach/Vogtland", "Lengenfeld", "Markneukirchen", "Treuen", "Reuth", "Görlitz", "Niesky"):
        assert town in cities
    stop_cities = set(TourStop.objects.values_list("city", flat=True))
    assert {"Limbach-Oberfrohna", "Schkeuditz", "Sebnitz", "Weischlitz"} <= stop_cities
    assert all(site.is_demo and "(Demo)" in site.name for site in Site.objects.all())
    assert all(tour.is_demo and "(Demo)" in tour.title for tour in Tour.objects.all())
    assert all("(Demo)" in kit.name for kit in Kit.objects.all())
    for site in Site.objects.all():
        assert geo.in_saxony(site.lat, site.lon), site.name


def test_there_is_an_upcoming_bookable_stop_near_plauen(demo_world):
    stops = [loc for loc in mapdata.locations(mapdata.Filters(kind="buergerkoffer", near=PLAUEN))]
    assert stops, "published demo stops are on the map"
    nearest = stops[0]
    assert nearest.distance_km < 15
    assert nearest.district_ags == "14523"
    assert nearest.starts_at > timezone.now()
    assert nearest.is_demo
    assert nearest.booking_url


def test_loader_is_idempotent(demo_world):
    counts = (Site.objects.count(), Tour.objects.count(), TourStop.objects.count(), Kit.objects.count())
    demo.load_assisted()
    assert (
        Site.objects.count(),
        Tour.objects.count(),
        TourStop.objects.count(),
        Kit.objects.count(),
    ) == counts
    assert Tour.objects.filter(status=Tour.Status.DRAFT).count() == 1
