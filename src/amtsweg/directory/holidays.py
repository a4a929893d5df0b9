"""Public holidays of the Free State of Saxony, computed per year (nothing is typed in per year).

Legal basis: Gesetz über Sonn- und Feiertage im Freistaat Sachsen (SächsSFG, 10 Nov 1992), § 1:
New Year, Good Friday, Easter Monday, 1 May, Ascension Day, Whit Monday, 3 October, Reformation Day
(31 October), Buß- und Bettag (the Wednesday before the last Sunday of the church year, i.e. the Wednesday
between 16 and 22 November), Christmas Day and Boxing Day. Corpus Christi is a holiday only in the
municipalities (or parts of them) named by the Fronleichnamsverordnung of 1993; that list is data
(`data/fronleichnam.json`, marked "verify"), not code.

Easter Sunday is computed with the anonymous Gregorian algorithm (Meeus/Jones/Butcher).

Pure functions without database access: the deadline engine (BGB §§ 187–193 via § 31 VwVfG) and the
opening-hours logic call them many times, so results are cached per (year, region).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

from django.utils.translation import gettext_noop

# The SächsSFG took effect in November 1992; the Fronleichnamsverordnung in May 1993. Before that the
# rules differ, and far in the future nobody can promise them, so the calculation refuses both.
MIN_YEAR = 1993
MAX_YEAR = 2199

CORPUS_CHRISTI_FILE = Path(__file__).resolve().parent / "data" / "fronleichnam.json"

WHOLE = "gemeinde"
ONLY_PARTS = "nur_ortsteile"
EXCEPT_PARTS = "ausser_ortsteile"


class HolidayError(ValueError):
    """Input the holiday calendar cannot answer; the message is German and safe to show."""


@dataclass(frozen=True)
class CorpusChristiArea:
    ags8: str
    name: str
    district: str
    scope: str  # WHOLE, ONLY_PARTS or EXCEPT_PARTS
    localities: tuple[str, ...]

    def applies(self, locality: str | None) -> bool:
        """Whether Corpus Christi is a holiday at `locality` (an Ortsteil name) in this municipality.

        Without a locality only whole-municipality entries count: for a partly covered municipality we
        cannot tell, and we never declare a holiday we are not sure of.
        """
        if self.scope == WHOLE:
            return True
        if not locality:
            return False
        folded = _fold(locality)
        listed = any(_fold(part) == folded for part in self.localities)
        return listed if self.scope == ONLY_PARTS else not listed


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


@lru_cache(maxsize=1)
def corpus_christi_areas() -> dict[str, CorpusChristiArea]:
    """The configured Corpus Christi municipalities by 8-digit AGS (data file, status "verify")."""
    raw = json.loads(CORPUS_CHRISTI_FILE.read_text(encoding="utf-8"))
    areas = {}
    for entry in raw["gemeinden"]:
        scope = entry["umfang"]
        if scope not in (WHOLE, ONLY_PARTS, EXCEPT_PARTS):
            raise ValueError(f"fronleichnam.json: unbekannter Umfang {scope!r} bei {entry['name']}")
        ags8 = entry["ags8"]
        if not (len(ags8) == 8 and ags8.isdigit() and ags8.startswith(entry["district"])):
            raise ValueError(f"fronleichnam.json: Gemeindeschlüssel {ags8!r} passt nicht zu {entry['name']}")
        areas[ags8] = CorpusChristiArea(
            ags8, entry["name"], entry["district"], scope, tuple(entry["ortsteile"])
        )
    return areas


def corpus_christi_ags8(name: str, district_ags: str) -> str | None:
    """The configured key for a municipality given by name and district (the regions data has no keys)."""
    folded = _fold(name)
    for area in corpus_christi_areas().values():
        if area.district == district_ags and _fold(area.name) == folded:
            return area.ags8
    return None


def easter_sunday(year: int) -> date:
    """Gregorian Easter Sunday (anonymous Gregorian algorithm, valid for every year from 1583)."""
    if not isinstance(year, int) or isinstance(year, bool) or year < 1583:
        raise HolidayError("Ostern wird nur für Jahre ab 1583 (gregorianischer Kalender) berechnet.")
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l = (32 + 2 * e + 2 * i - h - k) % 7  # noqa: E741 (the algorithm's own name)
    m = (a + 11 * h + 22 * l) // 451
    month, day = divmod(h + l - 7 * m + 114, 31)
    return date(year, month, day + 1)


def buss_und_bettag(year: int) -> date:
    """The Wednesday before 23 November (always between 16 and 22 November)."""
    november_22 = date(year, 11, 22)
    return november_22 - timedelta(days=(november_22.weekday() - 2) % 7)


def _check_year(year) -> int:
    if not isinstance(year, int) or isinstance(year, bool):
        raise HolidayError("Das Jahr muss eine ganze Zahl sein.")
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise HolidayError(f"Feiertage werden nur für die Jahre {MIN_YEAR} bis {MAX_YEAR} berechnet.")
    return year


def _check_ags8(ags8) -> str | None:
    if ags8 is None or ags8 == "":
        return None
    if not isinstance(ags8, str) or len(ags8) != 8 or not ags8.isdigit():
        raise HolidayError("Der Gemeindeschlüssel muss aus acht Ziffern bestehen.")
    return ags8


@lru_cache(maxsize=1024)
def _holidays(year: int, ags8: str | None, locality: str | None) -> tuple[tuple[date, str], ...]:
    easter = easter_sunday(year)
    days = {
        date(year, 1, 1): gettext_noop("Neujahr"),
        easter - timedelta(days=2): gettext_noop("Karfreitag"),
        easter + timedelta(days=1): gettext_noop("Ostermontag"),
        date(year, 5, 1): gettext_noop("Tag der Arbeit"),
        easter + timedelta(days=39): gettext_noop("Christi Himmelfahrt"),
        easter + timedelta(days=50): gettext_noop("Pfingstmontag"),
        date(year, 10, 3): gettext_noop("Tag der Deutschen Einheit"),
        date(year, 10, 31): gettext_noop("Reformationstag"),
        buss_und_bettag(year): gettext_noop("Buß- und Bettag"),
        date(year, 12, 25): gettext_noop("1. Weihnachtsfeiertag"),
        date(year, 12, 26): gettext_noop("2. Weihnachtsfeiertag"),
    }
    area = corpus_christi_areas().get(ags8) if ags8 else None
    if area and area.applies(locality):
        days[easter + timedelta(days=60)] = gettext_noop("Fronleichnam")
    return tuple(sorted(days.items()))


def holidays_in_year(year: int, ags8: str | None = None, *, locality: str | None = None) -> dict[date, str]:
    """Saxony's public holidays of `year` as {date: German name}, sorted by date.

    `ags8` (8-digit municipality key) adds Corpus Christi where the Fronleichnamsverordnung applies;
    `locality` (Ortsteil name) decides it for municipalities where only some parts are covered.
    Raises HolidayError (German message) for years outside 1993–2199 or a malformed key.
    """
    return dict(_holidays(_check_year(year), _check_ags8(ags8), locality or None))


def holiday_name(day: date, ags8: str | None = None, *, locality: str | None = None) -> str | None:
    """The holiday's German name, or None if `day` is no public holiday there."""
    return holidays_in_year(day.year, ags8, locality=locality).get(day)


def is_holiday(day: date, ags8: str | None = None, *, locality: str | None = None) -> bool:
    return holiday_name(day, ags8, locality=locality) is not None


def is_working_day(day: date, ags8: str | None = None, *, locality: str | None = None) -> bool:
    """Monday to Friday and no public holiday (Saturday counts as non-working, as in § 193 BGB)."""
    return day.weekday() < 5 and not is_holiday(day, ags8, locality=locality)


def next_working_day(
    day: date, ags8: str | None = None, *, locality: str | None = None, inclusive: bool = False
) -> date:
    """The first working day after `day` (or `day` itself when `inclusive` and it is a working day).

    `inclusive=True` is the rule of § 193 BGB: a period ending on a Saturday, Sunday or public holiday
    ends on the next working day instead.
    """
    current = day if inclusive else day + timedelta(days=1)
    # At most 4 days in a row are non-working (e.g. Good Friday to Easter Monday); 14 is a safe bound.
    for _ in range(14):
        if is_working_day(current, ags8, locality=locality):
            return current
        current += timedelta(days=1)
    raise HolidayError("Kein Arbeitstag innerhalb von 14 Tagen gefunden.")  # pragma: no cover


def add_working_days(day: date, count: int, ags8: str | None = None, *, locality: str | None = None) -> date:
    """The date `count` working days after `day` (count >= 0; 0 returns `day` moved to a working day)."""
    if not isinstance(count, int) or count < 0 or count > 3660:
        raise HolidayError("Die Anzahl der Arbeitstage muss zwischen 0 und 3660 liegen.")
    current = next_working_day(day, ags8, locality=locality, inclusive=True)
    for _ in range(count):
        current = next_working_day(current, ags8, locality=locality)
    return current
