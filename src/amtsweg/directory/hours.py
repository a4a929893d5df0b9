"""Opening hours: what an office's rules mean on a given day, and "open now / opens at …".

All reasoning happens in Europe/Berlin wall-clock time (date + time of day, as printed on the door);
results that are instants (closes_at, next_opening) are timezone-aware datetimes in Europe/Berlin, built
with zoneinfo, so they are right on the days clocks change (last Sunday of March and of October).

Precedence on a day: special days of the office > special days of the whole authority > public holidays
(Saxony, plus Corpus Christi where it applies to the office's municipality) > weekly rules. Weekly rules
with a validity period replace the unlimited rules on every day of their period.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from amtsweg.directory import holidays

TZ = ZoneInfo("Europe/Berlin")
# How far ahead "opens at …" looks. An office closed longer than this shows only "closed".
LOOKAHEAD_DAYS = 62
# Special days are read in windows of this many days (one query covers a week view plus "opens at").
SPECIAL_DAY_WINDOW = 75


@dataclass(frozen=True, order=True)
class Interval:
    opens: time
    closes: time
    note: str = ""


@dataclass(frozen=True)
class DayHours:
    """The opening hours of one office on one date."""

    day: date
    intervals: tuple[Interval, ...] = ()
    # "regular" (weekly rules), "special" (a special day), "holiday" (public holiday), "none" (no rules)
    source: str = "regular"
    # Why the day differs from the usual week: holiday name (German source text) or special-day reason.
    reason: str = ""

    @property
    def closed(self) -> bool:
        return not self.intervals

    @property
    def is_holiday(self) -> bool:
        return self.source == "holiday"

    @property
    def weekday(self) -> int:
        return self.day.weekday()


@dataclass(frozen=True)
class OpenStatus:
    is_open: bool
    closes_at: datetime | None
    next_opening: datetime | None
    today_hours: DayHours
    reason: str
    at: datetime = field(repr=False)

    @property
    def text(self) -> str:
        return status_text(self)


class HoursError(ValueError):
    """Bad input to the opening-hours functions; the message is German and safe to show."""


def local_datetime(day: date, at: time) -> datetime:
    """The instant of wall-clock time `at` on `day` in Europe/Berlin.

    A wall-clock time that does not exist (02:30 on the last Sunday of March) is moved forward by the
    gap, as the clock on the wall would be; an ambiguous one (02:30 in late October) is the first.
    """
    naive = datetime.combine(day, at)
    return naive.replace(tzinfo=TZ).astimezone(UTC).astimezone(TZ)


def to_local(at: datetime) -> datetime:
    if not isinstance(at, datetime):
        raise HoursError(_("Der Zeitpunkt muss ein Datum mit Uhrzeit sein."))
    if timezone.is_naive(at):
        # A naive datetime is read as Berlin wall-clock time (what a user types).
        return local_datetime(at.date(), at.time())
    return at.astimezone(TZ)


def _check_day(day) -> date:
    if isinstance(day, datetime) or not isinstance(day, date):
        raise HoursError(_("Bitte ein Datum angeben."))
    return day


def holiday_region(office) -> tuple[str | None, str | None]:
    """(ags8, locality) used for the office's local holidays (Corpus Christi in some Sorbian parishes)."""
    authority = office.authority
    place = (
        office.place if office.place_id else (authority.municipality if authority.municipality_id else None)
    )
    ags8 = None
    locality = office.city or None
    if place is not None:
        ags8 = getattr(place, "ags8", None)
        if not ags8:
            district = getattr(place, "district", None)
            ags8 = holidays.corpus_christi_ags8(place.name, getattr(district, "ags", "") or "")
        locality = locality or place.name
    if not ags8 and authority.ags and len(authority.ags) == 8:
        ags8 = authority.ags
    return ags8, locality


class OfficeCalendar:
    """An office's rules loaded once (weekly rules, special days in windows, holiday region)."""

    def __init__(self, office, start: date | None = None):
        self.office = office
        self.rules = list(office.weekly_hours.all())
        self.ags8, self.locality = holiday_region(office)
        self._special: dict[date, list] = {}
        self._loaded: list[tuple[date, date]] = []
        if start is not None:
            self._load_special(start)

    def _load_special(self, day: date) -> None:
        from amtsweg.directory.models import SpecialDay

        start, end = day, day + timedelta(days=SPECIAL_DAY_WINDOW)
        rows = SpecialDay.objects.filter(
            Q(office_id=self.office.pk) | Q(office__isnull=True, authority_id=self.office.authority_id),
            date__gte=start,
            date__lte=end,
        ).order_by("date", "pk")
        for row in rows:
            self._special.setdefault(row.date, []).append(row)
        self._loaded.append((start, end))

    def special_days(self, day: date) -> list:
        if not any(start <= day <= end for start, end in self._loaded):
            self._load_special(day)
        return self._special.get(day, [])

    def hours(self, day: date) -> DayHours:
        specials = self.special_days(day)
        own = [s for s in specials if s.office_id == self.office.pk]
        chosen = own or [s for s in specials if s.office_id is None]
        if chosen:
            closing = [s for s in chosen if s.closed]
            if closing:
                # The reason for the closure, not the cancelled special hours.
                return DayHours(
                    day, (), "special", ", ".join(dict.fromkeys(s.reason for s in closing if s.reason))
                )
            reason = ", ".join(dict.fromkeys(s.reason for s in chosen if s.reason))
            intervals = tuple(sorted(Interval(s.opens, s.closes) for s in chosen))
            return DayHours(day, _merge(intervals), "special", reason)

        name = holidays.holiday_name(day, self.ags8, locality=self.locality)
        if name:
            return DayHours(day, (), "holiday", name)

        if not self.rules:
            return DayHours(day, (), "none", "")
        limited = [r for r in self.rules if r.is_limited and r.covers(day)]
        active = limited or [r for r in self.rules if not r.is_limited]
        intervals = tuple(
            sorted(Interval(r.opens, r.closes, r.note) for r in active if r.weekday == day.weekday())
        )
        return DayHours(day, _merge(intervals), "regular", "")


def _merge(intervals: tuple[Interval, ...]) -> tuple[Interval, ...]:
    """Join overlapping or touching intervals (08:00–12:00 + 12:00–15:00 = 08:00–15:00)."""
    merged: list[Interval] = []
    for interval in intervals:
        if merged and interval.opens <= merged[-1].closes:
            last = merged[-1]
            note = (
                last.note
                if last.note == interval.note
                else "; ".join(n for n in (last.note, interval.note) if n)
            )
            merged[-1] = Interval(last.opens, max(last.closes, interval.closes), note)
        else:
            merged.append(interval)
    return tuple(merged)


def _calendar(office_or_calendar) -> OfficeCalendar:
    if isinstance(office_or_calendar, OfficeCalendar):
        return office_or_calendar
    return OfficeCalendar(office_or_calendar)


def hours_for_day(office, day: date) -> DayHours:
    """The opening hours of `office` on `day` (office or OfficeCalendar)."""
    return _calendar(office).hours(_check_day(day))


def week_overview(office, week_start: date) -> list[DayHours]:
    """Seven consecutive days from `week_start` (pass a Monday for a calendar week)."""
    calendar = _calendar(office)
    start = _check_day(week_start)
    return [calendar.hours(start + timedelta(days=offset)) for offset in range(7)]


def open_status(office, at: datetime | None = None) -> OpenStatus:
    """Whether `office` is open at `at` (default: now), until when, or when it opens next."""
    calendar = _calendar(office)
    local = to_local(at if at is not None else timezone.now())
    today = local.date()
    now = local.time().replace(tzinfo=None)
    today_hours = calendar.hours(today)

    for interval in today_hours.intervals:
        if interval.opens <= now < interval.closes:
            return OpenStatus(True, local_datetime(today, interval.closes), None, today_hours, "", local)

    next_opening = None
    later_today = [i for i in today_hours.intervals if i.opens > now]
    if later_today:
        next_opening = local_datetime(today, later_today[0].opens)
    else:
        for offset in range(1, LOOKAHEAD_DAYS + 1):
            day = today + timedelta(days=offset)
            hours = calendar.hours(day)
            if hours.intervals:
                next_opening = local_datetime(day, hours.intervals[0].opens)
                break

    if today_hours.reason:
        reason = today_hours.reason
    elif today_hours.source == "none":
        reason = _("Keine Öffnungszeiten hinterlegt")
    elif today_hours.intervals:
        reason = _("Außerhalb der Öffnungszeiten")
    else:
        reason = _("Heute keine Sprechzeiten")
    return OpenStatus(False, None, next_opening, today_hours, reason, local)


def weekday_name(weekday: int) -> str:
    names = [
        _("Montag"),
        _("Dienstag"),
        _("Mittwoch"),
        _("Donnerstag"),
        _("Freitag"),
        _("Samstag"),
        _("Sonntag"),
    ]
    return names[weekday]


def status_text(status: OpenStatus) -> str:
    """ "Jetzt geöffnet bis 15:00" / "Geschlossen – öffnet Montag, 08:00" (in the active language)."""
    if status.is_open:
        return _("Jetzt geöffnet bis %(time)s") % {"time": f"{status.closes_at:%H:%M}"}
    if status.next_opening is None:
        return _("Geschlossen")
    opening = status.next_opening
    today = status.at.date()
    clock = f"{opening:%H:%M}"
    days_ahead = (opening.date() - today).days
    if days_ahead == 0:
        return _("Geschlossen – öffnet heute um %(time)s") % {"time": clock}
    if days_ahead == 1:
        return _("Geschlossen – öffnet morgen, %(time)s") % {"time": clock}
    if days_ahead < 7:
        return _("Geschlossen – öffnet %(weekday)s, %(time)s") % {
            "weekday": weekday_name(opening.weekday()),
            "time": clock,
        }
    return _("Geschlossen – öffnet am %(date)s, %(time)s") % {
        "date": f"{opening:%d.%m.%Y}",
        "time": clock,
    }


def upcoming_closures(office, start: date, days: int = 60) -> list[DayHours]:
    """Holidays and special days (closures or special hours) on working days in the next `days` days."""
    calendar = _calendar(office)
    start = _check_day(start)
    result = []
    for offset in range(max(0, min(days, 366))):
        day = start + timedelta(days=offset)
        hours = calendar.hours(day)
        if hours.source == "special" or (hours.source == "holiday" and day.weekday() < 5):
            result.append(hours)
    return result
