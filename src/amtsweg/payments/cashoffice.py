"""Cash-office export (Kassenschnittstelle) per authority and day, and the back-office daily summary."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from amtsweg.payments.models import BankEntry, BankEntryStatus, PaymentEvent
from amtsweg.payments.money import format_cents, format_plain

CSV_HEADER = [
    "Buchungsreferenz",
    "Buchungsart",
    "Betrag",
    "Waehrung",
    "Verfahren",
    "Aktenzeichen",
    "Referenz",
    "Zahlungsart",
    "Zeitpunkt",
]


@dataclass(frozen=True)
class CashRow:
    booking_reference: str
    kind: str  # "Zahlung" or "Erstattung"
    amount_cents: int  # negative for refunds
    currency: str
    procedure_key: str
    case_number: str
    reference: str
    method: str
    at: object

    @property
    def amount_display(self) -> str:
        return format_cents(self.amount_cents)

    @property
    def at_local(self):
        return timezone.localtime(self.at, timezone=_berlin())


def _berlin():
    from amtsweg.payments.services import BERLIN

    return BERLIN


def method_label(payment) -> str:
    from amtsweg.payments.providers.base import get_provider

    try:
        provider = str(get_provider(payment.provider).label)
    except KeyError:
        provider = payment.provider
    methods = {
        "card": _("Karte"),
        "paypal": _("PayPal-ähnlich"),
        "sepa": _("SEPA-Lastschrift"),
        "transfer": _("Überweisung"),
    }
    method = methods.get(payment.method, payment.method)
    return f"{provider} – {method}" if method and method != provider else provider


def cash_office_rows(authority, day: date) -> list[CashRow]:
    """Money in (paid) and out (refunds) booked on `day` (Europe/Berlin) for `authority`."""
    from amtsweg.payments.services import day_bounds

    start, end = day_bounds(day)
    events = (
        PaymentEvent.objects.filter(
            payment__request__authority=authority,
            at__gte=start,
            at__lt=end,
        )
        .filter(kind__in=["state", "refund"])
        .select_related("payment", "payment__request")
        .order_by("at", "pk")
    )
    rows = []
    for event in events:
        payment = event.payment
        if event.kind == "state" and event.to_state != "paid":
            continue
        is_refund = event.kind == "refund"
        amount = event.amount_cents or 0
        rows.append(
            CashRow(
                booking_reference=payment.booking_reference,
                kind=_("Erstattung") if is_refund else _("Zahlung"),
                amount_cents=-amount if is_refund else amount,
                currency=payment.currency,
                procedure_key=payment.request.procedure_key,
                case_number=payment.request.case_number,
                reference=payment.request.reference,
                method=method_label(payment),
                at=event.at,
            )
        )
    return rows


def _safe_cell(value: str) -> str:
    """No spreadsheet formula injection: cells starting with = + - @ are prefixed with an apostrophe."""
    text = str(value)
    if text and text[0] in "=+-@\t\r" and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    return text.lstrip("-").replace(",", "").isdigit()


def cash_office_csv(authority, day: date) -> str:
    """CSV (semicolon, German decimal comma, Europe/Berlin times) as cash-office software expects it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for row in cash_office_rows(authority, day):
        writer.writerow(
            [
                _safe_cell(row.booking_reference),
                row.kind,
                format_plain(row.amount_cents),
                row.currency,
                _safe_cell(row.procedure_key),
                _safe_cell(row.case_number),
                _safe_cell(row.reference),
                _safe_cell(row.method),
                row.at_local.strftime("%d.%m.%Y %H:%M:%S"),
            ]
        )
    return buffer.getvalue()


@dataclass
class DailySummary:
    authority: object
    day: date
    rows: list[CashRow]
    paid_count: int = 0
    paid_cents: int = 0
    refunded_cents: int = 0
    by_method: dict = field(default_factory=dict)
    unmatched: list = field(default_factory=list)

    @property
    def paid_display(self):
        return format_cents(self.paid_cents)

    @property
    def refunded_display(self):
        return format_cents(-self.refunded_cents)

    @property
    def net_display(self):
        return format_cents(self.paid_cents + self.refunded_cents)

    @property
    def by_method_display(self):
        return [
            (method, count, format_cents(cents)) for method, (count, cents) in sorted(self.by_method.items())
        ]


def daily_summary(authority, day: date) -> DailySummary:
    rows = cash_office_rows(authority, day)
    summary = DailySummary(authority=authority, day=day, rows=rows)
    by_method = defaultdict(lambda: [0, 0])
    for row in rows:
        if row.amount_cents >= 0:
            summary.paid_count += 1
            summary.paid_cents += row.amount_cents
            by_method[row.method][0] += 1
            by_method[row.method][1] += row.amount_cents
        else:
            summary.refunded_cents += row.amount_cents
    summary.by_method = {key: tuple(value) for key, value in by_method.items()}
    summary.unmatched = list(
        BankEntry.objects.filter(authority=authority, status=BankEntryStatus.UNMATCHED).order_by(
            "booked_on", "pk"
        )
    )
    return summary
