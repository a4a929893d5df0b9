"""Statistics of the back office: per authority, and across authorities for state-level users.

What is counted (each authority's share of a case, `cases.CasePart`, is one unit of work):

* incoming: parts whose case was submitted in the month (Europe/Berlin);
* decided: parts decided (or rejected) in the month (`CasePart.decided_at`);
* automatic share: decided parts with an automatic decision (`cases.Decision.automatic`) / decided parts;
* processing time: calendar days from submission to decision, median and 90th percentile of the parts decided
  in the month (linear interpolation, the same as PostgreSQL's `percentile_cont`);
* backlog: parts submitted before the end of the month and neither decided nor ended (withdrawn, closed) by
  then;
* overdue (today): undecided parts whose processing target (`CasePart.due_on`) lies before today.

Counting runs as grouped SQL (one query per figure, months as conditional aggregates) and works the same on
SQLite and PostgreSQL. The percentiles run inside PostgreSQL (`percentile_cont`, two grouped queries); on
SQLite, which has no such aggregate, the durations of the decided parts are streamed (two timestamps per row,
`.iterator()`) and the same percentile is computed in Python.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import Aggregate, Count, Exists, F, FloatField, Func, OuterRef, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from amtsweg.accounts.models import StaffMembership
from amtsweg.accounts.tenancy import authorities_for
from amtsweg.directory.models import Authority

BERLIN = ZoneInfo("Europe/Berlin")
UNDECIDED_STATES = ("submitted", "payment_pending", "in_review", "information_requested")
MAX_MONTHS = 24
ALL = "*"


# --- who may see what -------------------------------------------------------------------------------------


def report_authorities(user):
    """Authorities whose statistics `user` may see: those where they are authority administrator or
    auditor."""
    return Authority.objects.filter(
        Q(pk__in=authorities_for(user, "authority_admin")) | Q(pk__in=authorities_for(user, "auditor"))
    )


def is_state_level(user) -> bool:
    """State-level users see every authority: an active membership with the role authority administrator or
    auditor at an authority of level "land" (e.g. the Landesdirektion or a state ministry). Superusers are
    platform operators and work in Django's admin, not here."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return (
        StaffMembership.objects.filter(user=user, is_active=True, authority__level=Authority.Level.LAND)
        .filter(Q(authority_admin=True) | Q(auditor=True))
        .exists()
    )


# --- months -----------------------------------------------------------------------------------------------


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def months_back(today: dt.date, count: int) -> list[dt.date]:
    """The first days of the last `count` months up to and including today's month, oldest first."""
    count = max(1, min(int(count), MAX_MONTHS))
    current = month_start(today)
    return [add_months(current, -offset) for offset in range(count - 1, -1, -1)]


def _local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=BERLIN)


def _month_key(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.astimezone(BERLIN).date().replace(day=1) if timezone.is_aware(value) else value.date()
    return value.replace(day=1)


# --- percentiles ------------------------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float | None:
    """Linear-interpolation percentile (PostgreSQL percentile_cont); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = fraction * (len(ordered) - 1)
    low, high = math.floor(rank), math.ceil(rank)
    if low == high:
        return ordered[low]
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


# --- the report -------------------------------------------------------------------------------------------


@dataclass
class Cell:
    incoming: int = 0
    decided: int = 0
    automatic: int = 0
    backlog: int = 0
    median_days: float | None = None
    p90_days: float | None = None

    @property
    def automatic_share(self) -> float | None:
        return self.automatic / self.decided if self.decided else None


@dataclass
class Report:
    months: list[dt.date]
    procedures: list[str]
    cells: dict[tuple[str, dt.date], Cell]  # (procedure or ALL, month)
    overdue: dict[str, int]  # procedure or ALL -> undecided parts past their target today
    backlog_now: dict[str, int]
    today: dt.date
    per_authority: list[dict] = field(default_factory=list)

    def cell(self, procedure: str, month: dt.date) -> Cell:
        return self.cells.get((procedure, month)) or Cell()

    def series(self, procedure: str = ALL) -> list[tuple[dt.date, Cell]]:
        return [(month, self.cell(procedure, month)) for month in self.months]

    def rows(self):
        """Table rows (procedure, month, cell), procedures in order, then the total."""
        for procedure in [*self.procedures, ALL]:
            for month in self.months:
                yield procedure, month, self.cell(procedure, month)


def _parts(authorities):
    from amtsweg.cases.models import CasePart

    parts = CasePart.objects.all()
    if authorities is not None:
        parts = parts.filter(authority__in=authorities)
    return parts


def build_report(authorities=None, *, months: int = 12, today: dt.date | None = None, procedure: str = "",
                 per_authority: bool = False) -> Report:  # fmt: skip
    """Figures for `authorities` (queryset or list; None = every authority) over the last `months` months."""
    today = today or timezone.localdate()
    month_list = months_back(today, months)
    start = _local_midnight(month_list[0])
    end = _local_midnight(add_months(month_list[-1], 1))
    parts = _parts(authorities)
    if procedure:
        parts = parts.filter(case__procedure_key=procedure)
    cells: dict[tuple[str, dt.date], Cell] = defaultdict(Cell)

    # incoming per procedure and month (one grouped query)
    incoming = (
        parts.filter(case__submitted_at__gte=start, case__submitted_at__lt=end)
        .annotate(month=TruncMonth("case__submitted_at", tzinfo=BERLIN))
        .values("case__procedure_key", "month")
        .annotate(n=Count("pk"))
    )
    for row in incoming:
        month = _month_key(row["month"])
        cells[(row["case__procedure_key"], month)].incoming += row["n"]
        cells[(ALL, month)].incoming += row["n"]

    # decided: counts, automatic decisions and the percentiles of the processing time
    if _percentiles_in_database():
        _decided_in_database(parts, start, end, cells)
    else:
        _decided_in_python(parts, start, end, cells)

    # backlog at the end of each month: one aggregate per month, grouped by procedure
    aggregates = {}
    for index, month in enumerate(month_list):
        month_end = min(_local_midnight(add_months(month, 1)), timezone.now())
        aggregates[f"m{index}"] = Count(
            "pk",
            filter=Q(case__submitted_at__lt=month_end)
            & (Q(decided_at__isnull=True) | Q(decided_at__gte=month_end))
            & (Q(closed_at__isnull=True) | Q(closed_at__gte=month_end)),
        )
    backlog_rows = (
        parts.filter(case__submitted_at__lt=end)
        .filter(Q(decided_at__isnull=True) | Q(decided_at__gte=start))
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=start))
        .values("case__procedure_key")
        .annotate(**aggregates)
    )
    procedures = set()
    for row in backlog_rows:
        key = row["case__procedure_key"]
        procedures.add(key)
        for index, month in enumerate(month_list):
            count = row[f"m{index}"]
            if count:
                cells[(key, month)].backlog += count
                cells[(ALL, month)].backlog += count

    # today: undecided and overdue
    overdue: dict[str, int] = defaultdict(int)
    backlog_now: dict[str, int] = defaultdict(int)
    now_rows = (
        parts.filter(state__in=UNDECIDED_STATES)
        .values("case__procedure_key")
        .annotate(open=Count("pk"), late=Count("pk", filter=Q(due_on__lt=today)))
    )
    for row in now_rows:
        key = row["case__procedure_key"]
        procedures.add(key)
        for group in (key, ALL):
            overdue[group] += row["late"]
            backlog_now[group] += row["open"]
    procedures |= {key for key, _month in cells if key != ALL}
    report = Report(
        months=month_list,
        procedures=sorted(procedures),
        cells=dict(cells),
        overdue=dict(overdue),
        backlog_now=dict(backlog_now),
        today=today,
    )
    if per_authority:
        report.per_authority = authority_summary(parts, start, end, today)
    return report


def _automatic():
    from amtsweg.cases.models import Decision

    return Exists(Decision.objects.filter(part=OuterRef("pk"), automatic=True))


def _decided_in_python(parts, start, end, cells) -> None:
    """Portable path (SQLite): stream two timestamps per decided part, percentiles in Python."""
    durations: dict[tuple[str, dt.date], list[float]] = defaultdict(list)
    decided = (
        parts.filter(decided_at__gte=start, decided_at__lt=end)
        .annotate(auto=_automatic())
        .values_list("case__procedure_key", "decided_at", "case__submitted_at", "auto")
    )
    for key, decided_at, submitted_at, auto in decided.iterator(chunk_size=5000):
        month = _month_key(decided_at)
        days = max(0.0, (decided_at - submitted_at).total_seconds() / 86400)
        for group in (key, ALL):
            cell = cells[(group, month)]
            cell.decided += 1
            cell.automatic += bool(auto)
            durations[(group, month)].append(days)
    for group, values in durations.items():
        cells[group].median_days = _round(percentile(values, 0.5))
        cells[group].p90_days = _round(percentile(values, 0.9))


class _DaysBetween(Func):
    """Calendar days between two timestamps as a float (PostgreSQL)."""

    template = "GREATEST(EXTRACT(EPOCH FROM (%(expressions)s)) / 86400.0, 0)"
    arg_joiner = " - "
    output_field = FloatField()


class _PercentileCont(Aggregate):
    """PostgreSQL's ordered-set aggregate percentile_cont(fraction) WITHIN GROUP (ORDER BY expression)."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, fraction: float, **extra):
        if not 0 <= fraction <= 1:
            raise ValueError("fraction must lie between 0 and 1")
        super().__init__(expression, fraction=repr(float(fraction)), **extra)


def _percentiles_in_database() -> bool:
    return connection.vendor == "postgresql"


def _decided_in_database(parts, start, end, cells) -> None:
    """PostgreSQL path: counts and percentile_cont per (procedure, month) and per month, two grouped queries;
    no rows leave the database."""
    days = _DaysBetween(F("decided_at"), F("case__submitted_at"))
    base = parts.filter(decided_at__gte=start, decided_at__lt=end).annotate(
        month=TruncMonth("decided_at", tzinfo=BERLIN)
    )
    figures = {
        "n": Count("pk"),
        "auto": Count("pk", filter=_automatic()),
        "median": _PercentileCont(days, 0.5),
        "p90": _PercentileCont(days, 0.9),
    }
    per_procedure = base.values("case__procedure_key", "month").annotate(**figures).order_by()
    per_month = base.values("month").annotate(**figures).order_by()
    for rows, grouped in ((per_procedure, True), (per_month, False)):
        for row in rows:
            key = row["case__procedure_key"] if grouped else ALL
            cell = cells[(key, _month_key(row["month"]))]
            cell.decided += row["n"]
            cell.automatic += row["auto"]
            cell.median_days = _round(row["median"])
            cell.p90_days = _round(row["p90"])


def authority_summary(parts, start, end, today) -> list[dict]:
    """Totals per authority over the period (for the state-level view), busiest first."""
    rows = (
        parts.values("authority", "authority__name")
        .annotate(
            incoming=Count("pk", filter=Q(case__submitted_at__gte=start, case__submitted_at__lt=end)),
            decided=Count("pk", filter=Q(decided_at__gte=start, decided_at__lt=end)),
            open=Count("pk", filter=Q(state__in=UNDECIDED_STATES)),
            overdue=Count("pk", filter=Q(state__in=UNDECIDED_STATES, due_on__lt=today)),
        )
        .order_by("-open", "authority__name")
    )
    return [
        {
            "authority_id": row["authority"],
            "name": row["authority__name"],
            "incoming": row["incoming"],
            "decided": row["decided"],
            "open": row["open"],
            "overdue": row["overdue"],
        }
        for row in rows
        if row["incoming"] or row["decided"] or row["open"]
    ]


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


# --- CSV --------------------------------------------------------------------------------------------------

CSV_HEADER = [
    "Verfahren",
    "Monat",
    "Eingang",
    "Entschieden",
    "davon automatisch",
    "Anteil automatisch (%)",
    "Rückstand am Monatsende",
    "Bearbeitungsdauer Median (Tage)",
    "Bearbeitungsdauer 90. Perzentil (Tage)",
]


def _decimal(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}".replace(".", ",")


def csv_rows(report: Report, procedure_label=lambda key: key):
    """Rows for a semicolon-separated CSV (German spreadsheets): header, one row per procedure and month,
    the totals ("alle Verfahren"), then the overdue count of today."""
    yield CSV_HEADER
    for procedure, month, cell in report.rows():
        share = None if cell.automatic_share is None else cell.automatic_share * 100
        yield [
            "alle Verfahren" if procedure == ALL else procedure_label(procedure),
            month.strftime("%m.%Y"),
            cell.incoming,
            cell.decided,
            cell.automatic,
            _decimal(share),
            cell.backlog,
            _decimal(cell.median_days),
            _decimal(cell.p90_days),
        ]
    yield []
    yield ["Stand", report.today.strftime("%d.%m.%Y"), "offen", report.backlog_now.get(ALL, 0), "überfällig",
           report.overdue.get(ALL, 0)]  # fmt: skip
