"""Notification dates (§ 9 OZG / § 2a SächsVwVfZG, § 41 Abs. 2 and 2a VwVfG) and the objection period
(§§ 187, 188, 193 BGB) around weekends, Saxon holidays, month ends and leap years."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from amtsweg.postbox import dates

BERLIN = ZoneInfo("Europe/Berlin")
D = dt.date


def at(year, month, day, hour=10, minute=0, second=0):
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=BERLIN)


# --- account postbox: 4th day after provision
# ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("provided", "expected"),
    [
        (at(2026, 10, 23), D(2026, 10, 27)),  # Friday -> Tuesday
        (at(2026, 10, 27), D(2026, 10, 31)),  # -> Saturday and Reformation Day: the fiction day stays
        (at(2025, 10, 27), D(2025, 10, 31)),  # -> Friday, Reformation Day: stays
        (at(2026, 12, 22), D(2026, 12, 26)),  # -> Boxing Day: stays
        (at(2028, 2, 26), D(2028, 3, 1)),  # leap year: 26 Feb + 4 = 1 Mar
        (at(2027, 2, 26), D(2027, 3, 2)),
        (at(2026, 12, 30), D(2027, 1, 3)),  # over the year end
    ],
)
def test_account_postbox_fourth_day_after_provision(provided, expected):
    outcome = dates.notification(dates.POSTBOX_ACCOUNT, provided_at=provided, notice_at=provided)
    assert outcome.date == expected
    assert outcome.rule == dates.POSTBOX_ACCOUNT
    assert not outcome.failed
    assert outcome.legal_basis == "§ 9 Abs. 1 OZG i. V. m. § 2a SächsVwVfZG"


def test_account_postbox_uses_the_day_in_saxony_not_utc():
    provided = dt.datetime(2026, 10, 23, 22, 30, tzinfo=dt.UTC)  # 00:30 on 24 Oct in Dresden
    assert dates.notification(dates.POSTBOX_ACCOUNT, provided_at=provided, notice_at=provided).date == D(
        2026, 10, 28
    )


def test_account_postbox_counts_from_a_late_notice():
    outcome = dates.notification(
        dates.POSTBOX_ACCOUNT, provided_at=at(2026, 10, 23), notice_at=at(2026, 10, 26)
    )
    assert outcome.date == D(2026, 10, 30)


def test_account_postbox_waits_for_the_notice():
    outcome = dates.notification(dates.POSTBOX_ACCOUNT, provided_at=at(2026, 10, 23))
    assert outcome.pending
    assert outcome.date is None


# --- portal retrieval: day after retrieval, failed after ten days
# ------------------------------------------------


def test_portal_retrieval_day_after_retrieval():
    notice = at(2026, 11, 2)
    assert dates.notification(
        dates.PORTAL_RETRIEVAL, notice_at=notice, retrieved_at=at(2026, 11, 5, 23, 30)
    ).date == D(2026, 11, 6)
    # retrieved on a Friday: notified on Saturday
    assert dates.notification(
        dates.PORTAL_RETRIEVAL, notice_at=notice, retrieved_at=at(2026, 11, 6)
    ).date == D(2026, 11, 7)


def test_portal_retrieval_window_is_ten_days_after_the_notice():
    notice = at(2026, 11, 2, 16)
    assert dates.retrieval_deadline(notice) == at(2026, 11, 13, 0, 0)
    last_minute = dates.notification(
        dates.PORTAL_RETRIEVAL, notice_at=notice, retrieved_at=at(2026, 11, 12, 23, 59, 59)
    )
    assert last_minute.date == D(2026, 11, 13)
    too_late = dates.notification(
        dates.PORTAL_RETRIEVAL, notice_at=notice, retrieved_at=at(2026, 11, 13, 0, 0, 1)
    )
    assert too_late.failed
    assert too_late.date is None
    assert "zehn Tagen" in too_late.reason


def test_portal_retrieval_pending_then_failed_without_retrieval():
    notice = at(2026, 11, 2)
    assert dates.notification(dates.PORTAL_RETRIEVAL, notice_at=notice, now=at(2026, 11, 12, 23)).pending
    assert dates.notification(dates.PORTAL_RETRIEVAL, notice_at=notice, now=at(2026, 11, 13, 0)).failed
    assert dates.notification(dates.PORTAL_RETRIEVAL).pending  # no notice yet


# --- post: 4th day after posting (3rd day before 2025)
# -----------------------------------------------------------


@pytest.mark.parametrize(
    ("posted", "expected"),
    [
        (D(2026, 11, 26), D(2026, 11, 30)),  # Thursday -> Monday
        (D(2026, 11, 24), D(2026, 11, 28)),  # -> Saturday: stays
        (D(2026, 11, 14), D(2026, 11, 18)),  # -> Buß- und Bettag: stays
        (D(2025, 1, 2), D(2025, 1, 6)),  # first acts under the PostModG rule
        (D(2024, 12, 31), D(2025, 1, 3)),  # posted before 2025: third day
        (D(2028, 2, 25), D(2028, 2, 29)),
    ],
)
def test_post_fourth_day_after_posting(posted, expected):
    outcome = dates.notification(dates.POST, posted_on=posted)
    assert outcome.date == expected
    assert outcome.legal_basis == "§ 41 Abs. 2 VwVfG"


def test_post_waits_for_posting():
    assert dates.notification(dates.POST).pending


# --- objection period: one month, §§ 187-193 BGB
# ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("notified", "expected"),
    [
        (D(2026, 9, 30), D(2026, 10, 30)),  # ordinary: same day number
        (D(2026, 10, 1), D(2026, 11, 2)),  # 1 Nov 2026 is a Sunday -> Monday
        (D(2026, 10, 31), D(2026, 11, 30)),  # notified on Reformation Day (Saturday) -> 30 Nov (Monday)
        (
            D(2027, 9, 30),
            D(2027, 11, 1),
        ),  # 30 Oct 2027 Saturday, 31 Oct Sunday + Reformation Day -> Monday 1 Nov
        (D(2026, 10, 18), D(2026, 11, 19)),  # ends on Buß- und Bettag 2026 (Wed 18 Nov) -> Thursday
        (D(2026, 11, 25), D(2026, 12, 28)),  # Christmas Day (Fri), Boxing Day (Sat), Sunday -> Monday 28 Dec
        (D(2026, 3, 3), D(2026, 4, 7)),  # Good Friday 3 Apr 2026 ... Easter Monday 6 Apr -> Tuesday
        (D(2026, 1, 31), D(2026, 3, 2)),  # 28 Feb 2026 is a Saturday -> Monday 2 Mar
        (D(2027, 1, 31), D(2027, 3, 1)),  # 28 Feb 2027 is a Sunday -> Monday 1 Mar
        (D(2028, 1, 31), D(2028, 2, 29)),  # leap year: 29 Feb 2028, a Tuesday
        (D(2026, 3, 31), D(2026, 4, 30)),  # April has no 31st -> last day
        (D(2026, 12, 15), D(2027, 1, 15)),  # over the year end
        (D(2025, 11, 30), D(2025, 12, 30)),
    ],
)
def test_objection_period_end(notified, expected):
    assert dates.objection_period_end(notified) == expected


def test_corpus_christi_counts_only_where_it_is_a_holiday():
    # Corpus Christi 2026 is Thursday 4 June; notified 4 May -> period ends 4 June.
    assert dates.objection_period_end(D(2026, 5, 4)) == D(2026, 6, 4)
    from amtsweg.directory.holidays import corpus_christi_areas

    whole = next((a for a in corpus_christi_areas().values() if a.scope == "gemeinde"), None)
    if whole is None:
        pytest.skip("keine Gemeinde mit Fronleichnam im ganzen Gebiet konfiguriert")
    assert dates.objection_period_end(D(2026, 5, 4), ags8=whole.ags8) == D(2026, 6, 5)


def test_add_months_rules():
    assert dates.add_months(D(2026, 1, 31), 1) == D(2026, 2, 28)
    assert dates.add_months(D(2026, 1, 31), 13) == D(2027, 2, 28)
    assert dates.add_months(D(2026, 11, 15), 2) == D(2027, 1, 15)


@pytest.mark.parametrize("months", [0, -1, 121, 1.5, True, "1"])
def test_add_months_rejects_bad_input(months):
    with pytest.raises(dates.DateRuleError):
        dates.add_months(D(2026, 1, 1), months)


def test_bad_inputs_are_rejected_in_german():
    with pytest.raises(dates.DateRuleError, match="Zeitzone"):
        dates.notification(
            dates.POSTBOX_ACCOUNT, provided_at=dt.datetime(2026, 1, 1), notice_at=dt.datetime(2026, 1, 1)
        )
    with pytest.raises(dates.DateRuleError, match="Unbekannte Bekanntgaberegel"):
        dates.notification("einschreiben")
    with pytest.raises(dates.DateRuleError, match="Bereitstellung"):
        dates.notification(dates.POSTBOX_ACCOUNT)
    with pytest.raises(dates.DateRuleError):
        dates.objection_period_end(at(2026, 1, 1))
    with pytest.raises(dates.DateRuleError):
        dates.objection_period_end("2026-01-01")
