"""Which appointment slots exist, and which are free.

A site's slots come from its weekly `SlotRule`s, day by day, minus closures (the site's own or the
authority's) and Saxony's public holidays at the site (Corpus Christi only where the Fronleichnamsverordnung
applies). A tour stop's slots divide its time window into `tour.slot_minutes` pieces. Both are bookable only
from `now + lead time` and up to `booking window` days ahead.

Nothing here writes: the counters live in `Slot` rows, created at the first booking (`assisted.booking`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from amtsweg.assisted.models import Closure, Site, Slot, Tour, TourStop
from amtsweg.directory import services as directory

TZ = ZoneInfo("Europe/Berlin")
MAX_DAYS_SCANNED = 366


class BookingError(ValueError):
    """A booking that cannot be made; `message` is text for the citizen in the active language."""

    code = "booking_error"

    def __init__(self, message: str, *, alternatives: list | None = None):
        super().__init__(message)
        self.message = message
        self.alternatives = alternatives or []


class SlotInPast(BookingError):
    code = "slot_in_past"


class SlotTooSoon(BookingError):
    code = "slot_too_soon"


class SlotOutsideWindow(BookingError):
    code = "slot_outside_window"


class NoSuchSlot(BookingError):
    code = "no_such_slot"


class SlotTaken(BookingError):
    code = "slot_taken"


class NotBookable(BookingError):
    code = "not_bookable"


@dataclass(frozen=True)
class SlotOffer:
    starts_at: datetime
    ends_at: datetime
    capacity: int
    free: int

    @property
    def local_start(self) -> datetime:
        return self.starts_at.astimezone(TZ)

    @property
    def local_end(self) -> datetime:
        return self.ends_at.astimezone(TZ)

    @property
    def value(self) -> str:
        """The form value of this slot: local ISO time without offset, e.g. 2026-12-03T09:15."""
        return self.local_start.strftime("%Y-%m-%dT%H:%M")

    @property
    def label(self) -> str:
        return f"{self.local_start:%H:%M}–{self.local_end:%H:%M}"


def local_datetime(day: date, at: time) -> datetime:
    """Wall-clock time in Berlin as an aware datetime (a time in the spring-forward gap moves forward)."""
    return datetime.combine(day, at).replace(tzinfo=TZ).astimezone(UTC).astimezone(TZ)


def fmt_day(value: datetime | date) -> str:
    if isinstance(value, datetime):
        value = value.astimezone(TZ).date()
    return date_format(value, "l, d.m.Y")


def fmt_when(value: datetime) -> str:
    local = value.astimezone(TZ)
    return f"{date_format(local.date(), 'l, d.m.Y')}, {local:%H:%M}"


# --- rules --------------------------------------------------------------------------------------------------


def lead_time(target) -> timedelta:
    hours = target.lead_time_hours if isinstance(target, Site) else target.tour.lead_time_hours
    return timedelta(hours=hours)


def window_days(target) -> int:
    return target.booking_window_days if isinstance(target, Site) else target.tour.booking_window_days


def holiday_region(site: Site) -> tuple[str | None, str | None]:
    from amtsweg.directory.holidays import corpus_christi_ags8

    place = site.place
    ags8 = None
    if place is not None:
        ags8 = place.ags8 or corpus_christi_ags8(place.name, site.district.ags)
    return ags8, site.city or None


def closure_reason(site: Site, day: date, closures: list[Closure] | None = None) -> str | None:
    """Why the site takes no appointments on `day` (a closure or a public holiday), or None."""
    if closures is None:
        closures = list(
            Closure.objects.filter(authority_id=site.authority_id, starts_on__lte=day, ends_on__gte=day)
        )
    for closure in closures:
        if closure.starts_on <= day <= closure.ends_on and closure.site_id in (None, site.pk):
            return closure.reason
    ags8, locality = holiday_region(site)
    return directory.holiday_name(day, ags8, locality=locality)


def _site_candidates(site: Site, day: date, rules, closures) -> list[tuple[datetime, datetime, int]]:
    if closure_reason(site, day, closures):
        return []
    result = []
    for rule in rules:
        if rule.weekday != day.weekday() or not rule.covers(day):
            continue
        start = local_datetime(day, rule.starts)
        end_of_rule = local_datetime(day, rule.ends)
        step = timedelta(minutes=rule.slot_minutes)
        while start + step <= end_of_rule:
            result.append((start, start + step, rule.capacity))
            start += step
    return sorted(result)


def _stop_candidates(stop: TourStop) -> list[tuple[datetime, datetime, int]]:
    step = timedelta(minutes=stop.tour.slot_minutes)
    result = []
    start = stop.starts_at.astimezone(TZ)
    end = stop.ends_at.astimezone(TZ)
    while start + step <= end:
        result.append((start, start + step, stop.tour.capacity_per_slot))
        start += step
    return result


def is_bookable_target(target, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    if isinstance(target, Site):
        return target.is_public and target.slot_rules.exists()
    return (
        target.tour.status == Tour.Status.PUBLISHED
        and target.status == TourStop.Status.PLANNED
        and target.is_public
        and target.ends_at > now
    )


def _booked_counts(target, start: datetime, end: datetime) -> dict[datetime, tuple[int, int]]:
    field = "site" if isinstance(target, Site) else "stop"
    rows = Slot.objects.filter(**{field: target}, starts_at__gte=start, starts_at__lt=end).values_list(
        "starts_at", "capacity", "booked"
    )
    return {starts_at: (capacity, booked) for starts_at, capacity, booked in rows}


def offers(
    target,
    *,
    now: datetime | None = None,
    start_day: date | None = None,
    days: int | None = None,
    only_free: bool = True,
    limit: int | None = None,
) -> list[SlotOffer]:
    """Bookable slots of a site or stop, earliest first, within lead time and booking window."""
    now = now or timezone.now()
    if not is_bookable_target(target, now):
        return []
    earliest = now + lead_time(target)
    latest = now + timedelta(days=window_days(target))
    if isinstance(target, Site):
        first_day = max(start_day or earliest.astimezone(TZ).date(), earliest.astimezone(TZ).date())
        last_day = latest.astimezone(TZ).date()
        if days is not None:
            last_day = min(last_day, first_day + timedelta(days=days - 1))
        rules = list(target.slot_rules.all())
        closures = list(
            Closure.objects.filter(
                authority_id=target.authority_id, starts_on__lte=last_day, ends_on__gte=first_day
            )
        )
        candidates = []
        day = first_day
        scanned = 0
        while day <= last_day and scanned < MAX_DAYS_SCANNED:
            candidates.extend(_site_candidates(target, day, rules, closures))
            if limit and len(candidates) >= limit * 4:
                break
            day += timedelta(days=1)
            scanned += 1
    else:
        candidates = _stop_candidates(target)
    candidates = [c for c in candidates if earliest <= c[0] <= latest]
    if not candidates:
        return []
    counts = _booked_counts(target, candidates[0][0], candidates[-1][0] + timedelta(seconds=1))
    result = []
    for start, end, capacity in candidates:
        stored_capacity, booked = counts.get(start, (capacity, 0))
        free = max(0, stored_capacity - booked)
        if only_free and free <= 0:
            continue
        result.append(SlotOffer(start, end, stored_capacity, free))
        if limit and len(result) >= limit:
            break
    return result


def next_free(target, *, after: datetime | None = None, now: datetime | None = None, limit: int = 5):
    """The next free slots (after `after`, if given): offered when a slot was just taken."""
    found = offers(target, now=now, limit=None if after else limit)
    if after is not None:
        found = [o for o in found if o.starts_at > after]
    return found[:limit]


def parse_slot_value(value: object) -> datetime:
    """A form value like "2026-12-03T09:15" (Berlin wall-clock time) as an aware datetime."""
    if not isinstance(value, str) or not 10 <= len(value) <= 32:
        raise NoSuchSlot(_("Bitte wählen Sie einen Termin aus der Liste."))
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise NoSuchSlot(_("Bitte wählen Sie einen Termin aus der Liste.")) from None
    if timezone.is_naive(parsed):
        parsed = local_datetime(parsed.date(), parsed.time())
    return parsed


def check_slot(target, starts_at: datetime, now: datetime | None = None) -> tuple[datetime, datetime, int]:
    """(start, end, capacity) of the slot at `starts_at`, or a BookingError saying exactly what is wrong."""
    now = now or timezone.now()
    if not is_bookable_target(target, now):
        raise NotBookable(_("An diesem Ort können zurzeit keine Termine gebucht werden."))
    if starts_at <= now:
        raise SlotInPast(
            _("Der gewählte Termin (%(when)s) liegt in der Vergangenheit. Bitte wählen Sie einen anderen.")
            % {"when": fmt_when(starts_at)},
            alternatives=next_free(target, now=now),
        )
    if starts_at < now + lead_time(target):
        hours = int(lead_time(target).total_seconds() // 3600)
        raise SlotTooSoon(
            _("Termine müssen mindestens %(hours)s Stunden vorher gebucht werden.") % {"hours": hours},
            alternatives=next_free(target, now=now),
        )
    if starts_at > now + timedelta(days=window_days(target)):
        raise SlotOutsideWindow(
            _("Termine können höchstens %(days)s Tage im Voraus gebucht werden.")
            % {"days": window_days(target)},
            alternatives=next_free(target, now=now),
        )
    if isinstance(target, Site):
        day = starts_at.astimezone(TZ).date()
        reason = closure_reason(target, day)
        if reason:
            raise NoSuchSlot(
                _("Am %(day)s finden keine Termine statt (%(reason)s).")
                % {"day": fmt_day(day), "reason": reason},
                alternatives=next_free(target, now=now),
            )
        candidates = _site_candidates(target, day, list(target.slot_rules.all()), [])
    else:
        candidates = _stop_candidates(target)
    for start, end, capacity in candidates:
        if start == starts_at:
            return start, end, capacity
    raise NoSuchSlot(
        _("Zu dieser Zeit gibt es keinen Termin. Bitte wählen Sie einen Termin aus der Liste."),
        alternatives=next_free(target, now=now),
    )


def group_by_day(slot_offers: list[SlotOffer]) -> list[tuple[date, list[SlotOffer]]]:
    days: dict[date, list[SlotOffer]] = {}
    for offer in slot_offers:
        days.setdefault(offer.local_start.date(), []).append(offer)
    return list(days.items())
