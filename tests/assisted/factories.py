"""Test data for amtsweg.assisted: plain functions, no fixture files."""

from __future__ import annotations

import itertools
from datetime import date, datetime, time, timedelta
from unittest import mock

from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from amtsweg.assisted import tours
from amtsweg.assisted.models import Kit, Site, SiteHours, SlotRule, StaffTeam, Tour, TourStop
from amtsweg.assisted.slots import TZ, local_datetime
from amtsweg.directory import services as directory
from amtsweg.directory.models import Authority
from amtsweg.regions.models import District, Place

_n = itertools.count(1)
PLAUEN = (50.4973, 12.13782)


def district(ags="14523") -> District:
    return District.objects.get(ags=ags)


def place(name="Plauen", ags="14523") -> Place:
    return Place.objects.get(name=name, district__ags=ags)


def authority(ags="14523", key=None) -> Authority:
    key = key or f"test-lra-{ags}-{next(_n)}"
    return Authority.objects.create(
        key=key,
        name=f"Landratsamt Test {key}",
        level=Authority.Level.KREIS,
        kind="landratsamt",
        district=district(ags),
        ags=ags,
    )


def next_working_day(offset=1, start: date | None = None) -> date:
    day = start or timezone.localdate()
    for _ in range(offset):
        day = directory.next_working_day(day)
    return day


def site(
    auth=None,
    *,
    slug=None,
    kind=Site.Kind.OFFICE,
    capacity=1,
    rules=True,
    lead_time_hours=2,
    window_days=60,
    lat=PLAUEN[0],
    lon=PLAUEN[1],
    **fields,
) -> Site:
    auth = auth or authority()
    created = Site.objects.create(
        authority=auth,
        kind=kind,
        name=fields.pop("name", f"Bürgerbüro Test {next(_n)}"),
        slug=slug or f"test-site-{next(_n)}",
        street="Markt 1",
        postal_code="08523",
        city="Plauen",
        district=district(auth.district.ags if auth.district_id else "14523"),
        place=Place.objects.filter(name="Plauen").first(),
        lat=lat,
        lon=lon,
        lead_time_hours=lead_time_hours,
        booking_window_days=window_days,
        **fields,
    )
    if rules:
        for weekday in range(5):
            SlotRule.objects.create(
                site=created,
                weekday=weekday,
                starts=time(9),
                ends=time(11),
                slot_minutes=30,
                capacity=capacity,
            )
            SiteHours.objects.create(site=created, weekday=weekday, opens=time(8), closes=time(16))
    return created


def kit(auth, name=None) -> Kit:
    return Kit.objects.create(authority=auth, name=name or f"Koffer {next(_n)}")


def team(auth, name=None) -> StaffTeam:
    return StaffTeam.objects.create(authority=auth, name=name or f"Team {next(_n)}")


def tour(
    auth=None,
    *,
    day: date | None = None,
    publish=True,
    stops=(("Gemeindeamt Weischlitz", "Weischlitz"),),
    capacity=1,
    slot_minutes=15,
    start=time(8),
    end=time(17),
    the_kit=None,
) -> Tour:
    auth = auth or authority()
    day = day or next_working_day(3)
    created = tours.create_tour(
        auth,
        title=f"Testtour {next(_n)}",
        day=day,
        start=start,
        end=end,
        depot_name="Landratsamt Plauen",
        depot_lat=PLAUEN[0],
        depot_lon=PLAUEN[1],
        slot_minutes=slot_minutes,
        capacity_per_slot=capacity,
    )
    for name, place_name in stops:
        where = place(place_name, auth.district.ags if auth.district_id else "14523")
        tours.add_stop(
            created,
            name=name,
            city=where.name,
            district=where.district,
            place=where,
            lat=where.lat,
            lon=where.lon,
            duration_minutes=60,
        )
    if publish:
        tours.assign(created, team=team(auth), kit=the_kit or kit(auth))
        tours.publish(created)
    created.refresh_from_db()
    return created


def first_stop(the_tour: Tour) -> TourStop:
    return the_tour.stops.order_by("position").first()


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return local_datetime(day, time(hour, minute))


def local(moment: datetime) -> datetime:
    return moment.astimezone(TZ)


def drain(rounds: int = 3) -> None:
    """Run every queued task with the real database worker (retries made due at once)."""
    from django_tasks_db.management.commands import db_worker
    from django_tasks_db.models import DBTaskResult

    patch = (
        mock.patch.object(db_worker, "close_old_connections", return_value=None)
        if connection.in_atomic_block
        else None
    )
    for _ in range(rounds):
        DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now() - timedelta(seconds=1))
        if patch:
            with patch:
                call_command(
                    "db_worker",
                    "--batch",
                    "--no-reload",
                    "--no-startup-delay",
                    "--queue-name",
                    "*",
                    verbosity=0,
                )
        else:
            call_command(
                "db_worker", "--batch", "--no-reload", "--no-startup-delay", "--queue-name", "*", verbosity=0
            )


def link_from(body: str, marker: str) -> str:
    for line in body.splitlines():
        if marker in line and line.strip().startswith("http"):
            return line.strip()
    raise AssertionError(f"no link with {marker!r} in mail:\n{body}")
