"""Opening hours and "open now / opens at …" across weekends, holidays, special days and DST switches."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import directory_factories as f
import pytest
from django.utils import translation

from amtsweg.directory import hours
from amtsweg.directory.hours import HoursError, hours_for_day, local_datetime, open_status, week_overview

BERLIN = ZoneInfo("Europe/Berlin")
pytestmark = pytest.mark.django_db


def berlin(*args) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


@pytest.fixture(autouse=True)
def german():
    with translation.override("de"):
        yield


@pytest.fixture
def office():
    return f.office()


# --- ordinary weeks ------------------------------------------------------------------------------


def test_open_during_hours_with_closing_time(office):
    status = open_status(office, berlin(2026, 11, 24, 10, 0))  # Tuesday
    assert status.is_open
    assert status.closes_at == berlin(2026, 11, 24, 12, 0)
    assert status.next_opening is None
    assert status.text == "Jetzt geöffnet bis 12:00"
    assert [(i.opens, i.closes) for i in status.today_hours.intervals] == [
        (time(8), time(12)),
        (time(13), time(18)),
    ]


def test_lunch_break_opens_again_today(office):
    status = open_status(office, berlin(2026, 11, 24, 12, 0))  # closing time itself is closed
    assert not status.is_open
    assert status.next_opening == berlin(2026, 11, 24, 13, 0)
    assert status.text == "Geschlossen – öffnet heute um 13:00"
    assert status.reason == "Außerhalb der Öffnungszeiten"


def test_before_opening_and_tomorrow(office):
    assert open_status(office, berlin(2026, 11, 24, 7, 59)).next_opening == berlin(2026, 11, 24, 8, 0)
    status = open_status(office, berlin(2026, 11, 24, 18, 0))
    assert status.next_opening == berlin(2026, 11, 25, 8, 0)
    assert status.text == "Geschlossen – öffnet morgen, 08:00"


def test_weekend_opens_monday(office):
    status = open_status(office, berlin(2026, 11, 27, 12, 30))  # Friday after closing
    assert not status.is_open
    assert status.next_opening == berlin(2026, 11, 30, 8, 0)
    assert status.text == "Geschlossen – öffnet Montag, 08:00"
    saturday = open_status(office, berlin(2026, 11, 28, 10, 0))
    assert saturday.today_hours.closed
    assert saturday.reason == "Heute keine Sprechzeiten"
    assert saturday.next_opening == berlin(2026, 11, 30, 8, 0)


def test_english_status_text(office):
    with translation.override("en"):
        assert open_status(office, berlin(2026, 11, 24, 10, 0)).text == "Open now until 12:00"
        assert open_status(office, berlin(2026, 11, 27, 12, 30)).text == "Closed – opens Monday, 08:00"


def test_week_overview_and_hours_for_day(office):
    week = week_overview(office, date(2026, 11, 23))
    assert [d.day for d in week] == [date(2026, 11, 23) + timedelta(days=i) for i in range(7)]
    assert [len(d.intervals) for d in week] == [1, 2, 1, 1, 1, 0, 0]
    assert hours_for_day(office, date(2026, 11, 28)).closed


# --- holidays --------------------------------------------------------------------------------------


def test_holiday_closes_and_next_opening_skips_easter_weekend(office):
    good_friday = open_status(office, berlin(2026, 4, 3, 10, 0))
    assert not good_friday.is_open
    assert good_friday.reason == "Karfreitag"
    assert good_friday.today_hours.source == "holiday"
    status = open_status(office, berlin(2026, 4, 2, 12, 30))  # Maundy Thursday after closing
    assert status.next_opening == berlin(2026, 4, 7, 8, 0)  # Tuesday after Easter Monday
    assert status.text == "Geschlossen – öffnet Dienstag, 08:00"


def test_christmas_with_a_closure_on_christmas_eve(office):
    f.special_day(office, date(2026, 12, 24), reason="Heiligabend", whole_authority=True)
    status = open_status(office, berlin(2026, 12, 24, 9, 0))  # Thursday
    assert not status.is_open
    assert status.reason == "Heiligabend"
    assert status.next_opening == berlin(2026, 12, 28, 8, 0)  # 25 Fri and 26 Sat are holidays
    assert hours_for_day(office, date(2026, 12, 25)).reason == "1. Weihnachtsfeiertag"


def test_reformation_day_and_buss_und_bettag(office):
    assert open_status(office, berlin(2030, 10, 31, 9, 0)).reason == "Reformationstag"  # a Thursday
    status = open_status(office, berlin(2026, 11, 18, 9, 0))
    assert not status.is_open
    assert status.reason == "Buß- und Bettag"
    assert status.next_opening == berlin(2026, 11, 19, 8, 0)


def test_corpus_christi_only_for_offices_in_the_sorbian_parishes():
    bautzen_district = f.district()
    crostwitz = f.place("Crostwitz", bautzen_district)
    bautzen = f.place("Bautzen", bautzen_district)
    local = f.office(
        f.authority(level="gemeinde", kind="gemeindeverwaltung", municipality=crostwitz), city="Crostwitz"
    )
    town = f.office(f.authority(), city="Bautzen", place=bautzen)
    part = f.office(f.authority(), city="Salzenforst", place=bautzen)
    corpus_christi = berlin(2026, 6, 4, 9, 0)  # Thursday
    status = open_status(local, corpus_christi)
    assert not status.is_open
    assert status.reason == "Fronleichnam"
    assert open_status(town, corpus_christi).is_open
    assert not open_status(part, corpus_christi).is_open  # Ortsteil Salzenforst of Bautzen


# --- special days ----------------------------------------------------------------------------------


def test_special_closure_with_reason(office):
    f.special_day(office, date(2026, 5, 15), reason="Brückentag")  # Friday after Ascension
    status = open_status(office, berlin(2026, 5, 15, 9, 0))
    assert not status.is_open
    assert status.reason == "Brückentag"
    assert status.next_opening == berlin(2026, 5, 18, 8, 0)
    # from Wednesday: Ascension Thursday, bridge day Friday, weekend
    assert open_status(office, berlin(2026, 5, 13, 12, 0)).next_opening == berlin(2026, 5, 18, 8, 0)


def test_office_special_hours_win_over_authority_wide_closure(office):
    f.special_day(office, date(2026, 11, 25), reason="Personalversammlung", whole_authority=True)
    other = f.office(office.authority, name="Außenstelle", is_main=False)
    f.special_day(other, date(2026, 11, 25), closed=False, opens="10:00", closes="11:00", reason="Notdienst")
    assert not open_status(office, berlin(2026, 11, 25, 10, 30)).is_open
    status = open_status(other, berlin(2026, 11, 25, 10, 30))
    assert status.is_open
    assert status.closes_at == berlin(2026, 11, 25, 11, 0)
    assert status.today_hours.reason == "Notdienst"


def test_special_hours_open_on_a_holiday_and_touching_intervals_merge(office):
    f.special_day(
        office, date(2026, 10, 3), closed=False, opens="09:00", closes="12:00", reason="Tag der offenen Tür"
    )
    f.special_day(
        office, date(2026, 10, 3), closed=False, opens="12:00", closes="14:00", reason="Tag der offenen Tür"
    )
    status = open_status(office, berlin(2026, 10, 3, 11, 0))  # a Saturday and a holiday
    assert status.is_open
    assert status.closes_at == berlin(2026, 10, 3, 14, 0)
    assert len(status.today_hours.intervals) == 1


def test_any_closed_row_closes_the_day(office):
    f.special_day(office, date(2026, 11, 26), closed=False, opens="08:00", closes="10:00", reason="verkürzt")
    f.special_day(office, date(2026, 11, 26), reason="Stromausfall")
    day = hours_for_day(office, date(2026, 11, 26))
    assert day.closed
    assert day.reason == "Stromausfall"


def test_limited_rules_replace_the_regular_week_in_their_period(office):
    # Summer: Monday 07:00–13:00 only; every other day closed.
    f.add_week(office, {0: [("07:00", "13:00")]}, valid_from=date(2026, 7, 1), valid_until=date(2026, 8, 31))
    assert open_status(office, berlin(2026, 7, 6, 12, 30)).is_open  # Monday in summer
    assert not open_status(office, berlin(2026, 7, 7, 10, 0)).is_open  # Tuesday in summer: closed
    assert open_status(office, berlin(2026, 7, 7, 10, 0)).next_opening == berlin(2026, 7, 13, 7, 0)
    assert open_status(office, berlin(2026, 9, 1, 10, 0)).is_open  # regular again
    assert open_status(office, berlin(2026, 8, 31, 12, 30)).closes_at == berlin(2026, 8, 31, 13, 0)


def test_appointment_note_travels_with_the_interval():
    office = f.office(week={})
    f.add_week(office, {2: [("14:00", "18:00")]}, note="nur mit Termin")
    day = hours_for_day(office, date(2026, 11, 25))
    assert day.intervals[0].note == "nur mit Termin"


def test_office_without_rules_and_long_closure():
    office = f.office(week={})
    status = open_status(office, berlin(2026, 11, 24, 10, 0))
    assert not status.is_open
    assert status.next_opening is None
    assert status.reason == "Keine Öffnungszeiten hinterlegt"
    assert status.text == "Geschlossen"


def test_far_next_opening_shows_the_date():
    office = f.office()
    for offset in range(10):
        f.special_day(office, date(2026, 11, 23) + timedelta(days=offset), reason="Umzug")
    status = open_status(office, berlin(2026, 11, 23, 9, 0))
    assert status.next_opening == berlin(2026, 12, 3, 8, 0)
    assert status.text == "Geschlossen – öffnet am 03.12.2026, 08:00"


# --- daylight saving time ----------------------------------------------------------------------------
# 2026: CEST starts Sunday 29 March (02:00 -> 03:00) and ends Sunday 25 October (03:00 -> 02:00).
# 2027: Easter Sunday and the start of CEST fall on the same day, 28 March.


@pytest.fixture
def sunday_office():
    """An office open on Sundays 10:00–18:00 (e.g. a Bürgerbüro on election Sundays)."""
    return f.office(week={6: [("10:00", "18:00")], 0: [("08:00", "12:00")]})


@pytest.mark.parametrize(
    ("day", "utc_offset"),
    [(date(2026, 3, 29), timedelta(hours=2)), (date(2026, 10, 25), timedelta(hours=1))],
    ids=["spring-forward", "fall-back"],
)
def test_open_until_18_at_17_30_on_dst_switch_days(sunday_office, day, utc_offset):
    at = berlin(day.year, day.month, day.day, 17, 30)
    assert at.utcoffset() == utc_offset
    status = open_status(sunday_office, at)
    assert status.is_open
    assert status.text == "Jetzt geöffnet bis 18:00"
    assert status.closes_at.utcoffset() == utc_offset
    assert status.closes_at.astimezone(UTC) - at.astimezone(UTC) == timedelta(minutes=30)
    # The same instants given in UTC
    utc = at.astimezone(UTC)
    assert open_status(sunday_office, utc).is_open
    assert not open_status(sunday_office, utc + timedelta(minutes=30)).is_open
    # Opening time 10:00 local on the switch day
    early = open_status(sunday_office, berlin(day.year, day.month, day.day, 9, 0))
    assert early.next_opening == berlin(day.year, day.month, day.day, 10, 0)
    assert early.next_opening.utcoffset() == utc_offset


def test_utc_instants_on_switch_days_map_to_the_right_wall_clock(sunday_office):
    # 15:30 UTC is 17:30 CEST on 29 March but 16:30 CET on 25 October; 17:00 UTC is 18:00 CET (closed).
    assert open_status(sunday_office, datetime(2026, 3, 29, 15, 30, tzinfo=UTC)).closes_at == datetime(
        2026, 3, 29, 16, 0, tzinfo=UTC
    )
    assert open_status(sunday_office, datetime(2026, 10, 25, 16, 30, tzinfo=UTC)).is_open
    assert not open_status(sunday_office, datetime(2026, 10, 25, 17, 0, tzinfo=UTC)).is_open


def test_next_opening_across_the_spring_switch(office):
    status = open_status(office, berlin(2026, 3, 27, 18, 0))  # Friday, CET
    assert status.at.utcoffset() == timedelta(hours=1)
    assert status.next_opening == berlin(2026, 3, 30, 8, 0)
    assert status.next_opening.utcoffset() == timedelta(hours=2)
    assert status.next_opening.astimezone(UTC) == datetime(2026, 3, 30, 6, 0, tzinfo=UTC)
    # 62 wall-clock hours but only 61 real hours (subtract in UTC: Python ignores offsets for one tzinfo)
    assert status.next_opening.astimezone(UTC) - status.at.astimezone(UTC) == timedelta(hours=61)


def test_next_opening_across_the_autumn_switch(office):
    status = open_status(office, berlin(2026, 10, 23, 12, 0))  # Friday, CEST
    assert status.next_opening.astimezone(UTC) == datetime(2026, 10, 26, 7, 0, tzinfo=UTC)
    assert status.next_opening.astimezone(UTC) - status.at.astimezone(UTC) == timedelta(hours=69)


def test_easter_2027_holiday_weekend_and_dst_switch_together(office):
    status = open_status(office, berlin(2027, 3, 25, 12, 0))  # Maundy Thursday, CET
    assert status.next_opening == berlin(2027, 3, 30, 8, 0)  # Tuesday after Easter Monday
    assert status.next_opening.utcoffset() == timedelta(hours=2)
    assert status.next_opening.astimezone(UTC) == datetime(2027, 3, 30, 6, 0, tzinfo=UTC)


def test_nonexistent_and_ambiguous_wall_clock_times():
    gap = local_datetime(date(2026, 3, 29), time(2, 30))
    assert gap.astimezone(UTC) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert (gap.hour, gap.minute) == (3, 30)
    ambiguous = local_datetime(date(2026, 10, 25), time(2, 30))
    assert ambiguous.astimezone(UTC) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # first occurrence (CEST)


def test_naive_datetime_is_berlin_wall_clock(office):
    status = open_status(office, datetime(2026, 11, 24, 11, 59))
    assert status.is_open
    assert status.at == berlin(2026, 11, 24, 11, 59)


@pytest.mark.parametrize("bad", ["2026-11-24T10:00", 1_700_000_000, date(2026, 11, 24), object()])
def test_bad_instants_are_refused_in_german(office, bad):
    with pytest.raises(HoursError, match="Zeitpunkt"):
        open_status(office, bad)


@pytest.mark.parametrize("bad", ["2026-11-24", datetime(2026, 11, 24, 10, 0), None])
def test_bad_days_are_refused_in_german(office, bad):
    with pytest.raises(HoursError, match="Datum"):
        hours_for_day(office, bad)
    with pytest.raises(HoursError, match="Datum"):
        week_overview(office, bad)


def test_calendar_loads_special_days_in_windows(office, django_assert_max_num_queries):
    f.special_day(office, date(2027, 1, 20), reason="Inventur")
    calendar = hours.OfficeCalendar(office)
    with django_assert_max_num_queries(3):
        days = [calendar.hours(date(2026, 11, 23) + timedelta(days=i)) for i in range(90)]
    assert [d.reason for d in days if d.source == "special"] == ["Inventur"]
