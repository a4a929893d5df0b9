"""Tour planning for staff: create a tour, add stops, order them by distance, assign team and kit, publish,
cancel.

The stops' times follow from their order: the tour leaves the depot at `start_time`; each leg takes the
estimated driving time (great-circle distance × 1.3 at 50 km/h, rounded up to 5 minutes), each stop its
`duration_minutes` (arrival rounded up to the next quarter hour). Ordering and times may change only while
the tour is a draft; a published stop keeps its time because citizens have booked it.

A kit can be on one tour at a time: a tour whose time overlaps another active tour of the same kit is
refused. Every function takes the acting staff member for the audit trail; tenancy (which tours a person may
touch) is decided by the views through `Tour.objects.for_staff(...)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import pairwise

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from amtsweg.assisted import audit, booking, geo
from amtsweg.assisted.models import Appointment, Kit, StaffTeam, Tour, TourStop
from amtsweg.assisted.slots import TZ, fmt_day, local_datetime
from amtsweg.directory import services as directory

QUARTER = 15


class TourError(ValueError):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Leg:
    from_name: str
    to_name: str
    road_km: float
    minutes: int


def _round_up(moment: datetime, minutes: int = QUARTER) -> datetime:
    local = moment.astimezone(TZ).replace(second=0, microsecond=0)
    extra = (-local.minute) % minutes
    return local + timedelta(minutes=extra)


def _check_date(day: date, start: time, end: time, *, today: date | None = None) -> None:
    today = today or timezone.localdate()
    if day < today:
        raise TourError(_("Das Datum %(day)s liegt in der Vergangenheit.") % {"day": fmt_day(day)})
    if start >= end:
        raise TourError(_("Die Rückkehr muss nach der Abfahrt liegen."))
    holiday = directory.holiday_name(day)
    if holiday:
        raise TourError(
            _("Der %(day)s ist in Sachsen ein Feiertag (%(holiday)s). Bitte wählen Sie einen anderen Tag.")
            % {"day": fmt_day(day), "holiday": holiday}
        )


def _check_point(lat, lon) -> None:
    error = geo.saxony_error(lat, lon)
    if error:
        raise TourError(error)


def create_tour(
    authority,
    *,
    title: str,
    day: date,
    start: time,
    end: time,
    depot_name: str,
    depot_lat,
    depot_lon,
    actor=None,
    slot_minutes: int = 15,
    capacity_per_slot: int = 1,
    is_demo: bool = False,
) -> Tour:
    if not title or not title.strip() or len(title) > 200:
        raise TourError(_("Bitte geben Sie der Tour einen Titel (höchstens 200 Zeichen)."))
    _check_date(day, start, end)
    _check_point(depot_lat, depot_lon)
    with transaction.atomic():
        tour = Tour.objects.create(
            authority=authority,
            title=title.strip(),
            date=day,
            start_time=start,
            end_time=end,
            depot_name=depot_name.strip() or authority.name,
            depot_lat=depot_lat,
            depot_lon=depot_lon,
            slot_minutes=slot_minutes,
            capacity_per_slot=capacity_per_slot,
            is_demo=is_demo,
        )
        audit.record("tour.created", tour, authority=authority, actor=actor)
    return tour


def _editable(tour: Tour) -> None:
    if tour.status == Tour.Status.CANCELLED:
        raise TourError(_("Die Tour ist abgesagt und kann nicht mehr geändert werden."))


def _draft_only(tour: Tour) -> None:
    if tour.status != Tour.Status.DRAFT:
        raise TourError(
            _("Die Tour ist veröffentlicht; Reihenfolge und Zeiten der Halte bleiben deshalb unverändert.")
        )


def add_stop(
    tour: Tour,
    *,
    name: str,
    city: str,
    district,
    lat,
    lon,
    street: str = "",
    postal_code: str = "",
    place=None,
    duration_minutes: int = 90,
    kind: str = TourStop.Kind.PUBLIC,
    services=(),
    accessibility: str = "",
    actor=None,
) -> TourStop:
    _editable(tour)
    _draft_only(tour)
    _check_point(lat, lon)
    if not name or not name.strip():
        raise TourError(_("Bitte geben Sie an, wo die Sprechstunde stattfindet."))
    if not 15 <= int(duration_minutes) <= 600:
        raise TourError(_("Ein Halt dauert zwischen 15 und 600 Minuten."))
    with transaction.atomic():
        position = tour.stops.count()
        start = local_datetime(tour.date, tour.start_time)
        stop = TourStop(
            tour=tour,
            position=position,
            kind=kind,
            name=name.strip(),
            street=street.strip(),
            postal_code=postal_code.strip(),
            city=city.strip(),
            district=district,
            place=place,
            lat=lat,
            lon=lon,
            duration_minutes=duration_minutes,
            starts_at=start,
            ends_at=start + timedelta(minutes=duration_minutes),
            is_public=kind == TourStop.Kind.PUBLIC,
            accessibility=accessibility,
        )
        stop.full_clean(exclude=["tour", "district", "place"])
        stop.save()
        if services:
            stop.services.set(services)
        schedule(tour)
        audit.record(
            "tour.stop_added", tour, authority=tour.authority, actor=actor, stop=stop.pk, name=stop.name
        )
    stop.refresh_from_db()
    return stop


def remove_stop(stop: TourStop, *, actor=None) -> None:
    tour = stop.tour
    _draft_only(tour)
    with transaction.atomic():
        stop.delete()
        for index, other in enumerate(tour.stops.order_by("position", "pk")):
            if other.position != index:
                TourStop.objects.filter(pk=other.pk).update(position=index)
        schedule(tour)
        audit.record("tour.stop_removed", tour, authority=tour.authority, actor=actor, name=stop.name)


def legs(tour: Tour, stops: list[TourStop] | None = None) -> list[Leg]:
    """Depot → stops → depot with estimated road distance and driving time."""
    stops = stops if stops is not None else list(tour.stops.order_by("position", "pk"))
    if not stops:
        return []
    points = [(tour.depot_name, (tour.depot_lat, tour.depot_lon))]
    points += [(f"{s.name}, {s.city}", (s.lat, s.lon)) for s in stops]
    points.append((tour.depot_name, (tour.depot_lat, tour.depot_lon)))
    result = []
    for (from_name, a), (to_name, b) in pairwise(points):
        km = geo.road_km(a, b)
        result.append(Leg(from_name, to_name, km, geo.travel_minutes(km)))
    return result


def estimated_km(tour: Tour) -> float:
    return sum(leg.road_km for leg in legs(tour))


def schedule(tour: Tour) -> list[TourStop]:
    """Set the stops' times from their order (drafts only); returns the stops in order."""
    stops = list(tour.stops.order_by("position", "pk"))
    if tour.status != Tour.Status.DRAFT:
        return stops
    moment = local_datetime(tour.date, tour.start_time)
    for stop, leg in zip(stops, legs(tour, stops), strict=False):
        arrival = _round_up(moment + timedelta(minutes=leg.minutes))
        stop.starts_at = arrival
        stop.ends_at = arrival + timedelta(minutes=stop.duration_minutes)
        TourStop.objects.filter(pk=stop.pk).update(starts_at=stop.starts_at, ends_at=stop.ends_at)
        moment = stop.ends_at
    return stops


def returns_at(tour: Tour) -> datetime | None:
    """Estimated return to the depot."""
    stops = list(tour.stops.order_by("position", "pk"))
    if not stops:
        return None
    last_leg = legs(tour, stops)[-1]
    return stops[-1].ends_at + timedelta(minutes=last_leg.minutes)


def overruns(tour: Tour) -> bool:
    back = returns_at(tour)
    return back is not None and back > local_datetime(tour.date, tour.end_time)


def optimise(tour: Tour, *, actor=None) -> float:
    """Reorder the stops (nearest neighbour + 2-opt) and reschedule; returns the new estimated road km."""
    _editable(tour)
    _draft_only(tour)
    stops = list(tour.stops.order_by("position", "pk"))
    before = estimated_km(tour)
    order = geo.order_route((tour.depot_lat, tour.depot_lon), [(s.lat, s.lon) for s in stops])
    with transaction.atomic():
        for position, index in enumerate(order):
            TourStop.objects.filter(pk=stops[index].pk).update(position=position)
        schedule(tour)
        after = estimated_km(tour)
        audit.record(
            "tour.optimised",
            tour,
            authority=tour.authority,
            actor=actor,
            km_before=round(before, 1),
            km_after=round(after, 1),
        )
    return after


def window(tour: Tour) -> tuple[datetime, datetime]:
    return local_datetime(tour.date, tour.start_time), local_datetime(tour.date, tour.end_time)


def kit_conflict(tour: Tour, kit: Kit) -> Tour | None:
    """Another active tour of the kit whose time overlaps this one, or None."""
    return (
        Tour.objects.filter(kit=kit, date=tour.date)
        .exclude(pk=tour.pk)
        .exclude(status=Tour.Status.CANCELLED)
        .filter(Q(start_time__lt=tour.end_time) & Q(end_time__gt=tour.start_time))
        .order_by("start_time")
        .first()
    )


def _conflict_message(kit: Kit, other: Tour) -> str:
    return _(
        "Der Bürgerkoffer „%(kit)s“ ist am %(day)s von %(start)s bis %(end)s schon für die Tour „%(tour)s“ "
        "eingeplant. Bitte wählen Sie einen anderen Koffer oder eine andere Zeit."
    ) % {
        "kit": kit.name,
        "day": fmt_day(other.date),
        "start": f"{other.start_time:%H:%M}",
        "end": f"{other.end_time:%H:%M}",
        "tour": other.title,
    }


def assign(tour: Tour, *, team: StaffTeam | None, kit: Kit | None, actor=None) -> Tour:
    _editable(tour)
    if team is not None and team.authority_id != tour.authority_id:
        raise TourError(_("Dieses Team gehört zu einer anderen Behörde."))
    if kit is not None and kit.authority_id != tour.authority_id:
        raise TourError(_("Dieser Bürgerkoffer gehört zu einer anderen Behörde."))
    if kit is not None and not kit.is_active:
        raise TourError(_("Der Bürgerkoffer „%(kit)s“ ist nicht einsatzbereit.") % {"kit": kit.name})
    with transaction.atomic():
        if kit is not None:
            # Serialise assignments of one kit: lock its row (SQLite: the IMMEDIATE transaction already does).
            Kit.objects.select_for_update().filter(pk=kit.pk).first()
            other = kit_conflict(tour, kit)
            if other is not None:
                raise TourError(_conflict_message(kit, other))
        Tour.objects.filter(pk=tour.pk).update(team=team, kit=kit)
        audit.record(
            "tour.assigned",
            tour,
            authority=tour.authority,
            actor=actor,
            team=getattr(team, "pk", None),
            kit=getattr(kit, "pk", None),
        )
    tour.refresh_from_db()
    return tour


def publish(tour: Tour, *, actor=None, now: datetime | None = None) -> Tour:
    now = now or timezone.now()
    _editable(tour)
    if tour.status == Tour.Status.PUBLISHED:
        return tour
    stops = list(tour.stops.all())
    if not stops:
        raise TourError(_("Eine Tour ohne Halte kann nicht veröffentlicht werden."))
    if tour.kit_id is None or tour.team_id is None:
        raise TourError(_("Bitte weisen Sie vor dem Veröffentlichen ein Team und einen Bürgerkoffer zu."))
    if min(s.starts_at for s in stops) <= now:
        raise TourError(_("Die Tour hat schon begonnen oder liegt in der Vergangenheit."))
    with transaction.atomic():
        Kit.objects.select_for_update().filter(pk=tour.kit_id).first()
        other = kit_conflict(tour, tour.kit)
        if other is not None:
            raise TourError(_conflict_message(tour.kit, other))
        Tour.objects.filter(pk=tour.pk, status=Tour.Status.DRAFT).update(
            status=Tour.Status.PUBLISHED, published_at=now
        )
        audit.record("tour.published", tour, authority=tour.authority, actor=actor, stops=len(stops))
    tour.refresh_from_db()
    return tour


def cancel_stop(stop: TourStop, *, reason: str, actor=None, now: datetime | None = None) -> int:
    """Cancel a stop; every active booking there is cancelled and its citizen informed. Returns that count."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise TourError(_("Bitte geben Sie einen Grund an; er wird den gebuchten Personen mitgeteilt."))
    if len(reason) > 500:
        raise TourError(_("Der Grund ist zu lang (höchstens 500 Zeichen)."))
    if stop.status == TourStop.Status.CANCELLED:
        return 0
    with transaction.atomic():
        changed = TourStop.objects.filter(pk=stop.pk, status=TourStop.Status.PLANNED).update(
            status=TourStop.Status.CANCELLED, cancel_reason=reason, cancelled_at=now
        )
        if not changed:
            return 0
        audit.record(
            "tour.stop_cancelled", stop, authority=stop.tour.authority, actor=actor, reason=reason[:200]
        )
        count = 0
        for appointment in Appointment.objects.filter(slot__stop=stop).active().select_related("slot"):
            if booking.cancel(appointment, by_staff=True, reason=reason, actor=actor, now=now):
                count += 1
    stop.refresh_from_db()
    return count


def cancel_tour(tour: Tour, *, reason: str, actor=None) -> int:
    if not (reason or "").strip():
        raise TourError(_("Bitte geben Sie einen Grund an; er wird den gebuchten Personen mitgeteilt."))
    count = 0
    with transaction.atomic():
        for stop in tour.stops.filter(status=TourStop.Status.PLANNED):
            count += cancel_stop(stop, reason=reason, actor=actor)
        Tour.objects.filter(pk=tour.pk).update(status=Tour.Status.CANCELLED)
        audit.record("tour.cancelled", tour, authority=tour.authority, actor=actor, reason=reason[:200])
    tour.refresh_from_db()
    return count
