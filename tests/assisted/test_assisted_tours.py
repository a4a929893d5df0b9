"""Tour planning: stops, ordering by distance, kit and team, publishing, cancelling; staff pages with
tenancy."""

from datetime import date, time, timedelta
from itertools import pairwise

import pytest
from django.urls import reverse

from accounts.factories import login_staff, make_staff
from amtsweg.assisted import booking, geo, mapdata, slots, tours
from amtsweg.assisted.models import Appointment, Event, Tour, TourStop
from assisted import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client):
    client.defaults["SERVER_NAME"] = "localhost"
    return client


def _planner(client, authority, roles=("assisted_operator",)):
    user, device, _membership = make_staff(authority, roles)
    login_staff(client, user, device)
    return user


def _names():
    return [location.name for location in mapdata.locations()]


# --- service ------------------------------------------------------------------------------------------------


def test_tour_on_a_holiday_or_in_the_past_is_refused(vogtland):
    next_year = date.today().year + 1
    with pytest.raises(tours.TourError) as error:
        tours.create_tour(
            vogtland, title="Weihnachten", day=date(next_year, 12, 25), start=time(8), end=time(16),
            depot_name="Plauen", depot_lat=50.49, depot_lon=12.13,
        )  # fmt: skip
    assert "Feiertag (1. Weihnachtsfeiertag)" in error.value.message
    with pytest.raises(tours.TourError) as error:
        tours.create_tour(
            vogtland, title="Gestern", day=date.today() - timedelta(days=1), start=time(8), end=time(16),
            depot_name="Plauen", depot_lat=50.49, depot_lon=12.13,
        )  # fmt: skip
    assert "in der Vergangenheit" in error.value.message
    assert not Tour.objects.exists()


def test_depot_or_stop_outside_saxony_is_refused(vogtland):
    with pytest.raises(tours.TourError) as error:
        tours.create_tour(
            vogtland, title="Berlin", day=factories.next_working_day(3), start=time(8), end=time(16),
            depot_name="Berlin", depot_lat=52.52, depot_lon=13.40,
        )  # fmt: skip
    assert "liegt nicht in Sachsen" in error.value.message
    tour = factories.tour(vogtland, publish=False, stops=())
    with pytest.raises(tours.TourError) as error:
        tours.add_stop(tour, name="Hof", city="Hof", district=factories.district(), lat=50.3167, lon=11.9167)
    assert "liegt nicht in Sachsen" in error.value.message
    assert not TourStop.objects.exists()


def test_optimise_orders_by_distance_and_reschedules(vogtland):
    # Deliberately zig-zag: far south, near Plauen, far north, near Plauen again.
    stops = (("A", "Bad Elster"), ("B", "Weischlitz"), ("C", "Elsterberg"), ("D", "Oelsnitz/Vogtland"))
    tour = factories.tour(vogtland, publish=False, stops=stops)
    before = tours.estimated_km(tour)
    after = tours.optimise(tour)
    assert after < before
    ordered = list(tour.stops.order_by("position"))
    points = [(s.lat, s.lon) for s in ordered]
    depot = (tour.depot_lat, tour.depot_lon)
    assert after == pytest.approx(geo.route_length_km(depot, points, range(4)) * 1.3)
    # Times follow the order without overlaps, starting after the first drive.
    for earlier, later in pairwise(ordered):
        assert earlier.ends_at <= later.starts_at
    assert factories.local(ordered[0].starts_at).time() >= time(8)
    assert Event.objects.filter(action="tour.optimised").exists()


def test_kit_cannot_be_on_two_overlapping_tours(vogtland):
    kit = factories.kit(vogtland, "Koffer 1")
    day = factories.next_working_day(4)
    first = factories.tour(vogtland, day=day, start=time(8), end=time(12), the_kit=kit)
    second = factories.tour(vogtland, day=day, start=time(11), end=time(15), publish=False)
    with pytest.raises(tours.TourError) as error:
        tours.assign(second, team=factories.team(vogtland), kit=kit)
    assert "Koffer 1" in error.value.message
    assert first.title in error.value.message
    assert "08:00 bis 12:00" in error.value.message
    second.refresh_from_db()
    assert second.kit is None
    # Back to back is fine.
    third = factories.tour(vogtland, day=day, start=time(12), end=time(16), publish=False)
    tours.assign(third, team=None, kit=kit)
    assert third.kit == kit


def test_kit_of_another_authority_is_refused(vogtland):
    foreign = factories.kit(factories.authority("14626"))
    tour = factories.tour(vogtland, publish=False)
    with pytest.raises(tours.TourError) as error:
        tours.assign(tour, team=None, kit=foreign)
    assert "anderen Behörde" in error.value.message


def test_publish_needs_team_and_kit_and_makes_stops_bookable(vogtland):
    tour = factories.tour(vogtland, publish=False)
    with pytest.raises(tours.TourError) as error:
        tours.publish(tour)
    assert "Team und einen Bürgerkoffer" in error.value.message
    stop = factories.first_stop(tour)
    assert stop.name not in _names()
    tours.assign(tour, team=factories.team(vogtland), kit=factories.kit(vogtland))
    tours.publish(tour)
    assert stop.name in _names()
    assert slots.offers(stop)
    with pytest.raises(tours.TourError):
        tours.optimise(tour)  # published times are fixed


def test_cancelling_a_stop_informs_the_booked_citizens(vogtland, mailoutbox):
    tour = factories.tour(vogtland, capacity=2)
    stop = factories.first_stop(tour)
    first = booking.book(stop, stop.starts_at, name="Erika", email="erika@example.org")
    booking.confirm(first)
    booking.book(stop, stop.starts_at, name="Max", email="max@example.org")
    factories.drain()
    mailoutbox.clear()
    with pytest.raises(tours.TourError) as error:
        tours.cancel_stop(stop, reason="  ")
    assert "Grund" in error.value.message
    assert tours.cancel_stop(stop, reason="Fahrzeug defekt") == 2
    assert set(Appointment.objects.values_list("status", flat=True)) == {Appointment.Status.CANCELLED}
    factories.drain()
    assert sorted(m.to[0] for m in mailoutbox) == ["erika@example.org", "max@example.org"]
    assert all("Grund: Fahrzeug defekt" in m.body for m in mailoutbox)
    assert stop.name not in _names()
    assert tours.cancel_stop(stop, reason="noch einmal") == 0


# --- staff pages --------------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_staff_login(client, vogtland):
    response = client.get(reverse("assisted_staff:tours"))
    assert response.status_code == 302
    assert "/anmelden" in response["Location"]


def test_staff_without_planning_role_is_refused(client, vogtland):
    _planner(client, vogtland, roles=("case_worker",))
    response = client.get(reverse("assisted_staff:tours"))
    assert response.status_code == 403
    assert "Tourenplanung" in response.text


def test_other_authoritys_tour_is_a_404(client, vogtland):
    goerlitz = factories.authority("14626")
    theirs = factories.tour(goerlitz, publish=False, stops=(("Rathaus Niesky", "Niesky"),))
    _planner(client, vogtland)
    assert client.get(reverse("assisted_staff:tour", args=[theirs.pk])).status_code == 404
    for name in ("assisted_staff:publish", "assisted_staff:optimise", "assisted_staff:assign"):
        assert client.post(reverse(name, args=[theirs.pk])).status_code == 404
    stop = factories.first_stop(theirs)
    response = client.post(reverse("assisted_staff:stop_cancel", args=[theirs.pk, stop.pk]), {"reason": "x"})
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Tour.Status.DRAFT
    assert theirs.title not in client.get(reverse("assisted_staff:tours")).text


def test_plan_a_tour_through_the_pages(client, vogtland):
    factories.kit(vogtland, "Koffer Vogtland")
    team = factories.team(vogtland, "Team A")
    _planner(client, vogtland)
    day = factories.next_working_day(5)
    response = client.post(
        reverse("assisted_staff:tour_create"),
        {
            "title": "Tour Nord",
            "date": day.isoformat(),
            "start_time": "08:00",
            "end_time": "16:00",
            "depot_name": "Plauen",
            "depot_lat": "50.4973",
            "depot_lon": "12.1378",
            "slot_minutes": "15",
            "capacity_per_slot": "1",
        },
    )
    assert response.status_code == 302
    tour = Tour.objects.get(title="Tour Nord")
    weischlitz = factories.place("Weischlitz")
    treuen = factories.place("Treuen")
    stop_url = reverse("assisted_staff:stop_add", args=[tour.pk])
    for place in (treuen, weischlitz):
        data = {"name": f"Rathaus {place.name}", "place": str(place.pk), "duration_minutes": "60",
                "kind": "oeffentlich"}  # fmt: skip
        assert client.post(stop_url, data).status_code == 302
    # Coordinates outside Saxony are refused with the German message.
    data = {"name": "Irgendwo", "place": str(treuen.pk), "lat": "52.52", "lon": "13.40",
            "duration_minutes": "60", "kind": "oeffentlich"}  # fmt: skip
    response = client.post(stop_url, data)
    assert response.status_code == 400
    assert "liegt nicht in Sachsen" in response.text
    assert tour.stops.count() == 2

    detail = client.get(reverse("assisted_staff:tour", args=[tour.pk]))
    assert "Schätzung: Luftlinie × 1,3" in detail.text
    assert client.post(reverse("assisted_staff:optimise", args=[tour.pk])).status_code == 302
    assert list(tour.stops.order_by("position").values_list("city", flat=True)) == ["Weischlitz", "Treuen"]

    response = client.post(reverse("assisted_staff:publish", args=[tour.pk]), follow=True)
    assert "Team und einen Bürgerkoffer" in response.text
    kit = tour.authority.assisted_kits.get()
    client.post(reverse("assisted_staff:assign", args=[tour.pk]), {"team": str(team.pk), "kit": str(kit.pk)})
    response = client.post(reverse("assisted_staff:publish", args=[tour.pk]), follow=True)
    assert "Die Tour ist veröffentlicht" in response.text
    tour.refresh_from_db()
    assert tour.status == Tour.Status.PUBLISHED
    assert "Rathaus Weischlitz" in client.get(reverse("assisted:map")).text


def test_resources_page_creates_kits_and_teams(client, vogtland):
    _planner(client, vogtland, roles=("authority_admin",))
    url = reverse("assisted_staff:resources")
    assert client.post(url, {"form": "kit", "kit-name": "Koffer Süd"}).status_code == 302
    response = client.post(url, {"form": "kit", "kit-name": "Koffer Süd"})
    assert response.status_code == 400
    assert "gibt es schon" in response.text
    assert vogtland.assisted_kits.count() == 1
