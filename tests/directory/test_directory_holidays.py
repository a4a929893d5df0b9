"""Saxony's public holidays, computed per year (no database)."""

import json
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from amtsweg.directory import holidays
from amtsweg.directory.holidays import (
    HolidayError,
    add_working_days,
    buss_und_bettag,
    easter_sunday,
    holidays_in_year,
    is_holiday,
    is_working_day,
    next_working_day,
)
from amtsweg.regions.loader import DATASET_PATH

# Easter Sunday from published church calendars, spread over the range, including the earliest (22 March)
# and latest (25 April) possible dates.
KNOWN_EASTER = {
    1818: date(1818, 3, 22),
    1943: date(1943, 4, 25),
    1993: date(1993, 4, 11),
    2000: date(2000, 4, 23),
    2008: date(2008, 3, 23),
    2011: date(2011, 4, 24),
    2019: date(2019, 4, 21),
    2024: date(2024, 3, 31),
    2025: date(2025, 4, 20),
    2026: date(2026, 4, 5),
    2027: date(2027, 3, 28),
    2028: date(2028, 4, 16),
    2029: date(2029, 4, 1),
    2030: date(2030, 4, 21),
    2038: date(2038, 4, 25),
    2285: date(2285, 3, 22),
}

BUSS_UND_BETTAG = {
    2024: date(2024, 11, 20),
    2025: date(2025, 11, 19),
    2026: date(2026, 11, 18),
    2027: date(2027, 11, 17),
    2028: date(2028, 11, 22),
    2029: date(2029, 11, 21),
    2030: date(2030, 11, 20),
}

CROSTWITZ = "14625080"  # whole municipality
BAUTZEN = "14625020"  # only the Ortsteile Bolbritz and Salzenforst
KOENIGSWARTHA = "14625280"  # all Ortsteile except Wartha
ANNABERG = "14521020"  # not in the list


@pytest.mark.parametrize(("year", "expected"), sorted(KNOWN_EASTER.items()))
def test_easter_sunday_matches_published_dates(year, expected):
    assert easter_sunday(year) == expected


@given(st.integers(min_value=1583, max_value=9999))
def test_easter_is_a_sunday_between_22_march_and_25_april(year):
    easter = easter_sunday(year)
    assert easter.weekday() == 6
    assert date(year, 3, 22) <= easter <= date(year, 4, 25)


@given(st.integers(min_value=holidays.MIN_YEAR, max_value=holidays.MAX_YEAR))
def test_buss_und_bettag_is_the_wednesday_between_16_and_22_november(year):
    day = buss_und_bettag(year)
    assert day.weekday() == 2
    assert date(year, 11, 16) <= day <= date(year, 11, 22)
    # "Wednesday before the last Sunday of the church year" = 11 days before the first Advent Sunday
    christmas = date(year, 12, 25)
    fourth_advent = christmas - timedelta(days=(christmas.weekday() + 1) % 7 or 7)
    first_advent = fourth_advent - timedelta(weeks=3)
    assert day == first_advent - timedelta(days=11)


@pytest.mark.parametrize(("year", "expected"), sorted(BUSS_UND_BETTAG.items()))
def test_buss_und_bettag_known_dates(year, expected):
    assert buss_und_bettag(year) == expected
    assert holidays_in_year(year)[expected] == "Buß- und Bettag"


@pytest.mark.parametrize("year", range(2024, 2031))
def test_saxon_holidays_2024_to_2030(year):
    easter = KNOWN_EASTER[year]
    expected = {
        date(year, 1, 1): "Neujahr",
        easter - timedelta(days=2): "Karfreitag",
        easter + timedelta(days=1): "Ostermontag",
        date(year, 5, 1): "Tag der Arbeit",
        easter + timedelta(days=39): "Christi Himmelfahrt",
        easter + timedelta(days=50): "Pfingstmontag",
        date(year, 10, 3): "Tag der Deutschen Einheit",
        date(year, 10, 31): "Reformationstag",
        BUSS_UND_BETTAG[year]: "Buß- und Bettag",
        date(year, 12, 25): "1. Weihnachtsfeiertag",
        date(year, 12, 26): "2. Weihnachtsfeiertag",
    }
    assert holidays_in_year(year) == expected
    assert list(holidays_in_year(year)) == sorted(expected)  # ordered by date
    # Not holidays in Saxony: Epiphany, Assumption, All Saints, Christmas Eve, New Year's Eve, Easter Sunday
    for day in (
        date(year, 1, 6),
        date(year, 8, 15),
        date(year, 11, 1),
        date(year, 12, 24),
        date(year, 12, 31),
    ):
        assert not is_holiday(day)
    assert date(year, 10, 31) in holidays_in_year(year, ANNABERG)


def test_known_dates_of_2026():
    h = holidays_in_year(2026)
    assert h[date(2026, 4, 3)] == "Karfreitag"
    assert h[date(2026, 4, 6)] == "Ostermontag"
    assert h[date(2026, 5, 14)] == "Christi Himmelfahrt"
    assert h[date(2026, 5, 25)] == "Pfingstmontag"
    assert h[date(2026, 10, 31)] == "Reformationstag"
    assert h[date(2026, 11, 18)] == "Buß- und Bettag"


def test_corpus_christi_only_in_configured_municipalities():
    corpus_christi_2026 = date(2026, 6, 4)  # Easter 5 April + 60 days
    assert holidays_in_year(2026, CROSTWITZ)[corpus_christi_2026] == "Fronleichnam"
    assert len(holidays_in_year(2026, CROSTWITZ)) == 12
    assert corpus_christi_2026 not in holidays_in_year(2026)
    assert corpus_christi_2026 not in holidays_in_year(2026, ANNABERG)
    assert len(holidays_in_year(2026, ANNABERG)) == 11
    assert is_holiday(date(2025, 6, 19), CROSTWITZ)
    assert not is_holiday(date(2025, 6, 19), "14612000")  # Dresden


def test_corpus_christi_in_partly_covered_municipalities_needs_the_locality():
    day = date(2026, 6, 4)
    assert not is_holiday(day, BAUTZEN)  # the town of Bautzen itself: no
    assert not is_holiday(day, BAUTZEN, locality="Bautzen")
    assert is_holiday(day, BAUTZEN, locality="Salzenforst")
    assert is_holiday(day, BAUTZEN, locality="  bolbritz ")
    assert is_holiday(day, KOENIGSWARTHA, locality="Königswartha")
    assert not is_holiday(day, KOENIGSWARTHA, locality="Wartha")
    assert not is_holiday(day, KOENIGSWARTHA)  # unknown locality: never declared on a guess
    assert is_holiday(day, CROSTWITZ, locality="Caseritz")  # whole municipality: every locality


def test_corpus_christi_list_is_marked_for_verification_and_consistent():
    raw = json.loads(holidays.CORPUS_CHRISTI_FILE.read_text(encoding="utf-8"))
    assert raw["status"] == "verify"
    areas = holidays.corpus_christi_areas()
    assert len(areas) == len(raw["gemeinden"]) == 14
    assert all(a.district == "14625" for a in areas.values())  # Landkreis Bautzen only
    whole = {a.name for a in areas.values() if a.scope == holidays.WHOLE}
    assert whole == {
        "Crostwitz",
        "Nebelschütz",
        "Panschwitz-Kuckau",
        "Puschwitz",
        "Räckelwitz",
        "Radibor",
        "Ralbitz-Rosenthal",
        "Wittichenau",
    }
    # Every configured municipality exists under that name in the shipped regions data.
    regions = json.loads(DATASET_PATH.read_text(encoding="utf-8"))
    names = {(p["district"], p["name"]) for p in regions["places"]}
    for area in areas.values():
        assert (area.district, area.name) in names, area.name
        assert holidays.corpus_christi_ags8(area.name, area.district) == area.ags8
    assert holidays.corpus_christi_ags8("Crostwitz", "14521") is None
    assert holidays.corpus_christi_ags8("Annaberg-Buchholz", "14521") is None


def test_next_working_day_over_easter_christmas_and_weekends():
    # Thursday -> Good Friday, weekend, Easter Monday
    assert next_working_day(date(2026, 4, 2)) == date(2026, 4, 7)
    assert next_working_day(date(2026, 12, 24)) == date(2026, 12, 28)  # Christmas on Fri/Sat
    assert next_working_day(date(2026, 10, 30)) == date(2026, 11, 2)  # Reformation Day on Saturday
    assert next_working_day(date(2026, 11, 17)) == date(2026, 11, 19)  # Buß- und Bettag
    assert next_working_day(date(2026, 6, 3), CROSTWITZ) == date(2026, 6, 5)  # Corpus Christi
    assert next_working_day(date(2026, 6, 3)) == date(2026, 6, 4)
    assert next_working_day(date(2026, 3, 27)) == date(2026, 3, 30)  # over the DST weekend


def test_next_working_day_inclusive_is_the_rule_of_section_193_bgb():
    assert next_working_day(date(2026, 3, 31), inclusive=True) == date(2026, 3, 31)  # a Tuesday stays
    assert next_working_day(date(2026, 3, 31)) == date(2026, 4, 1)
    assert next_working_day(date(2026, 4, 4), inclusive=True) == date(2026, 4, 7)  # Easter Saturday
    assert next_working_day(date(2026, 10, 31), inclusive=True) == date(2026, 11, 2)


def test_working_days():
    assert is_working_day(date(2026, 11, 17))
    assert not is_working_day(date(2026, 11, 18))  # Buß- und Bettag
    assert not is_working_day(date(2026, 11, 21))  # Saturday
    assert not is_working_day(date(2026, 11, 22))  # Sunday
    assert add_working_days(date(2026, 4, 2), 1) == date(2026, 4, 7)
    assert add_working_days(date(2026, 4, 2), 0) == date(2026, 4, 2)
    assert add_working_days(date(2026, 4, 4), 0) == date(2026, 4, 7)
    assert add_working_days(date(2026, 12, 21), 5) == date(2026, 12, 29)  # 25.12. is a Friday


@pytest.mark.parametrize("year", [1992, 2200, -1, 0, 10**9, "2026", 2026.0, None, True])
def test_years_outside_the_law_or_of_the_wrong_type_are_refused_in_german(year):
    with pytest.raises(HolidayError, match="Jahr"):
        holidays_in_year(year)


@pytest.mark.parametrize("ags8", ["1462508", "146250800", "abcdefgh", "1" * 10_000, 14625080, "14625O80"])
def test_malformed_municipality_keys_are_refused_in_german(ags8):
    with pytest.raises(HolidayError, match="Gemeindeschlüssel"):
        holidays_in_year(2026, ags8)


def test_unknown_but_wellformed_key_gets_the_state_wide_holidays():
    assert holidays_in_year(2026, "14999999") == holidays_in_year(2026)


def test_bad_working_day_counts():
    for count in (-1, 3661, "3", None):
        with pytest.raises(HolidayError):
            add_working_days(date(2026, 1, 5), count)
