"""When is a document legally notified (bekannt gegeben), and when does the objection period end?

Plain functions without database access (domain.md § 5):

* `postbox_account` – § 9 Abs. 1 OZG, § 2a SächsVwVfZG: notified on the 4th day after provision in the
  account postbox. Saxony applies this instead of § 41 Abs. 2a VwVfG for account postboxes. The user must be
  alerted no later than on the provision day; if the alert went out later, we count from the alert (the
  conservative reading, in the citizen's favour).
* `portal_retrieval` – § 41 Abs. 2a VwVfG: notified on the day after retrieval; if not retrieved within ten
  days after the notice was sent, provision ends and notification has failed.
* `post` – § 41 Abs. 2 VwVfG: notified on the 4th day after posting (acts posted after 31 Dec 2024; before:
  the 3rd day).

The fiction day itself may be a Saturday, Sunday or holiday (it is not a period end, § 193 BGB does not
apply).
The objection period (one month, § 70 VwGO) is computed with §§ 187 Abs. 1, 188 Abs. 2 and 3, 193 BGB
(via § 31 VwVfG / § 57 VwGO, § 222 ZPO) and Saxony's public holidays.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")

POSTBOX_ACCOUNT = "postbox_account"
PORTAL_RETRIEVAL = "portal_retrieval"
POST = "post"
RULES = (POSTBOX_ACCOUNT, PORTAL_RETRIEVAL, POST)
LEGAL_BASIS = {
    POSTBOX_ACCOUNT: "§ 9 Abs. 1 OZG i. V. m. § 2a SächsVwVfZG",
    PORTAL_RETRIEVAL: "§ 41 Abs. 2a VwVfG",
    POST: "§ 41 Abs. 2 VwVfG",
}
RULE_LABELS = {
    POSTBOX_ACCOUNT: "Bereitstellung im Postfach des Nutzerkontos (4. Tag nach Bereitstellung)",
    PORTAL_RETRIEVAL: "Abruf über das Portal (Tag nach dem Abruf)",
    POST: "Versand mit der Post (4. Tag nach Aufgabe zur Post)",
}
FICTION_DAYS_POST = 4
FICTION_DAYS_POST_BEFORE_2025 = 3
POSTMODG_CUTOFF = dt.date(2024, 12, 31)  # acts posted after this day: 4th day (PostModG of 15 Jul 2024)
FICTION_DAYS_ACCOUNT = 4
RETRIEVAL_WINDOW_DAYS = 10


class DateRuleError(ValueError):
    """Inputs that the rule cannot work with; German message."""


@dataclass(frozen=True)
class Notification:
    rule: str
    date: dt.date | None  # the day the document counts as notified (None: pending or failed)
    failed: bool = False
    pending: bool = False
    reason: str = ""

    @property
    def legal_basis(self) -> str:
        return LEGAL_BASIS[self.rule]


def local_date(moment: dt.datetime | dt.date) -> dt.date:
    """The calendar day in Saxony (Europe/Berlin) of a moment; naive datetimes are rejected."""
    if isinstance(moment, dt.datetime):
        if moment.tzinfo is None:
            raise DateRuleError("Zeitpunkte brauchen eine Zeitzone.")
        return moment.astimezone(BERLIN).date()
    if isinstance(moment, dt.date):
        return moment
    raise DateRuleError("Ein Datum oder Zeitpunkt wird erwartet.")


def post_fiction_date(posted_on: dt.date) -> dt.date:
    days = FICTION_DAYS_POST if posted_on > POSTMODG_CUTOFF else FICTION_DAYS_POST_BEFORE_2025
    return posted_on + dt.timedelta(days=days)


def retrieval_deadline(notice_at: dt.datetime) -> dt.datetime:
    """End of the retrieval window (§ 41 Abs. 2a S. 4 VwVfG): end of the 10th day after the notice day."""
    last_day = local_date(notice_at) + dt.timedelta(days=RETRIEVAL_WINDOW_DAYS)
    return dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time(0, 0), tzinfo=BERLIN)


def notification(
    rule: str,
    *,
    provided_at: dt.datetime | None = None,
    notice_at: dt.datetime | None = None,
    retrieved_at: dt.datetime | None = None,
    posted_on: dt.date | None = None,
    now: dt.datetime | None = None,
) -> Notification:
    """The legal notification date by `rule` from the recorded facts."""
    if rule == POSTBOX_ACCOUNT:
        if provided_at is None:
            raise DateRuleError("Für die Bereitstellung im Postfach fehlt der Zeitpunkt der Bereitstellung.")
        if notice_at is None:
            return Notification(rule, None, pending=True, reason="Die Benachrichtigung steht noch aus.")
        start = max(local_date(provided_at), local_date(notice_at))
        return Notification(rule, start + dt.timedelta(days=FICTION_DAYS_ACCOUNT))
    if rule == PORTAL_RETRIEVAL:
        if notice_at is None:
            return Notification(rule, None, pending=True, reason="Die Benachrichtigung steht noch aus.")
        deadline = retrieval_deadline(notice_at)
        if retrieved_at is not None and retrieved_at < deadline:
            return Notification(rule, local_date(retrieved_at) + dt.timedelta(days=1))
        if retrieved_at is not None or (now is not None and now >= deadline):
            return Notification(
                rule,
                None,
                failed=True,
                reason="Das Dokument wurde nicht innerhalb von zehn Tagen nach der Benachrichtigung "
                "abgerufen.",
            )
        return Notification(rule, None, pending=True, reason="Der Abruf steht noch aus.")
    if rule == POST:
        if posted_on is None:
            return Notification(rule, None, pending=True, reason="Der Brief ist noch nicht zur Post gegeben.")
        return Notification(rule, post_fiction_date(local_date(posted_on)))
    raise DateRuleError(f"Unbekannte Bekanntgaberegel: {rule!r}")


def add_months(start: dt.date, months: int) -> dt.date:
    """§ 188 Abs. 2 and 3 BGB: the day of the later month with the same number, or that month's last day."""
    if isinstance(months, bool) or not isinstance(months, int) or not 0 < months <= 120:
        raise DateRuleError("Die Frist muss zwischen 1 und 120 Monaten liegen.")
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def is_working_day(day: dt.date, ags8: str | None = None, locality: str | None = None) -> bool:
    """Monday to Friday and not a public holiday in Saxony (at the municipality `ags8`, if given)."""
    from amtsweg.directory.services import is_holiday  # the directory's calendar (SächsSFG)

    return day.weekday() < 5 and not is_holiday(day, ags8, locality=locality)


def period_end(
    notified_on: dt.date, *, months: int = 1, ags8: str | None = None, locality: str | None = None
) -> dt.date:
    """Last day of a period of `months` months that starts with notification on `notified_on`.

    § 187 Abs. 1 BGB: the day of notification is not counted; § 188 Abs. 2: the period ends with the day
    of the
    last month that has the same number as the notification day; § 188 Abs. 3: if that month has no such day,
    with its last day; § 193: a period ending on a Saturday, Sunday or public holiday ends on the next
    working day.
    """
    if not isinstance(notified_on, dt.date) or isinstance(notified_on, dt.datetime):
        raise DateRuleError("Ein Datum wird erwartet.")
    end = add_months(notified_on, months)
    for _ in range(14):
        if is_working_day(end, ags8, locality):
            return end
        end += dt.timedelta(days=1)
    raise DateRuleError("Kein Arbeitstag innerhalb von 14 Tagen gefunden.")  # pragma: no cover


def objection_period_end(
    notified_on: dt.date, *, ags8: str | None = None, locality: str | None = None
) -> dt.date:
    """End of the one-month objection period (§ 70 Abs. 1 VwGO) after notification on `notified_on`."""
    return period_end(notified_on, months=1, ags8=ags8, locality=locality)
