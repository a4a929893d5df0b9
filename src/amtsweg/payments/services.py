"""Public surface of the payments app. Other apps call these functions, never the models directly.

quote = services.quote_fee("gewerbe-anmeldung", authority)             # before submission
req = services.create_payment_request(reference="case:42", owner=user, authority=authority,
                                      quote=quote, purpose="Gewerbeanmeldung", case_number="GA-2026-17")
    services.is_paid("case:42")          # or listen to signals.payment_request_paid
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from amtsweg.payments import states
from amtsweg.payments.fees import FeeError, FeeQuote, compute_fee
from amtsweg.payments.models import (
    FeeRule,
    NotificationOutcome,
    PayeeAccount,
    Payment,
    PaymentRequest,
    PaymentState,
    ProviderNotification,
    RequestState,
)
from amtsweg.payments.money import cents_to_decimal, format_cents
from amtsweg.payments.providers.base import (
    InvalidNotification,
    PaymentProvider,
    ProviderError,
    ProviderStatus,
    RefundNotSupported,
    get_provider,
)

logger = logging.getLogger("amtsweg.payments")
security_log = logging.getLogger("amtsweg.payments.security")

BERLIN = ZoneInfo("Europe/Berlin")
S = PaymentState

__all__ = [
    "FeeError",
    "PaymentError",
    "PaymentPermissionDenied",
    "RefundError",
    "UnsafeReturnPath",
    "apply_status",
    "callback_base_url",
    "cancel_payment_request",
    "create_payment_request",
    "find_fee_rule",
    "handle_return",
    "is_paid",
    "payment_methods",
    "process_notification",
    "quote_fee",
    "reconcile_pending",
    "refund",
    "request_for_reference",
    "start_payment",
]


class PaymentError(Exception):
    """A payment action was refused; the message is German and shown to the user."""


class PaymentPermissionDenied(PaymentError):
    """Someone tried to act on another person's payment."""


class RefundError(PaymentError):
    pass


class UnsafeReturnPath(PaymentError):
    pass


# --- Fees -----------------------------------------------------------------------------------


def find_fee_rule(
    procedure_key: str, authority=None, variant: str = "", on: date | None = None
) -> FeeRule | None:
    """The authority's own rule, else the rule for all authorities; only rules valid on `on` (today)."""
    on = on or timezone.localdate()
    valid = (Q(valid_from__isnull=True) | Q(valid_from__lte=on)) & (
        Q(valid_until__isnull=True) | Q(valid_until__gte=on)
    )
    rules = FeeRule.objects.filter(valid, procedure_key=procedure_key, variant=variant or "")
    if authority is not None:
        own = rules.filter(authority=authority).first()
        if own:
            return own
    return rules.filter(authority__isnull=True).first()


def quote_fee(
    procedure_key: str, authority=None, variant: str = "", inputs=None, on: date | None = None
) -> FeeQuote:
    rule = find_fee_rule(procedure_key, authority, variant, on)
    if rule is None:
        raise FeeError(_("Für dieses Verfahren ist bei dieser Behörde keine Gebühr hinterlegt."))
    return compute_fee(rule, inputs or {})


# --- Payment requests -------------------------------------------------------------------------


def return_path_prefixes() -> tuple[str, ...]:
    return tuple(
        getattr(
            settings,
            "PAYMENTS_RETURN_PATH_PREFIXES",
            (
                "/konto/",
                "/antrag/",
                "/antraege/",
                "/meine-antraege/",
                "/vorgaenge/",
                "/zahlung/",
                "/leistungen/",
                "/postfach/",
            ),
        )
    )


def safe_continue_path(path: str) -> str:
    """Only relative paths under an allow-listed prefix: no scheme, no host, no '//' or backslash tricks."""
    path = (path or "").strip()
    if not path:
        return ""
    bad = (
        not path.startswith("/")
        or path.startswith("//")
        or "\\" in path
        or any(ord(ch) < 32 for ch in path)
        or len(path) > 300
        or ".." in path.split("?")[0]
        or not path.startswith(return_path_prefixes())
    )
    if bad:
        security_log.warning("unsafe continue path refused", extra={"path": path[:300]})
        raise UnsafeReturnPath(_("Die Rücksprungadresse ist nicht erlaubt."))
    return path


def create_payment_request(
    *,
    reference: str,
    owner,
    authority,
    purpose: str,
    quote: FeeQuote | None = None,
    amount_cents: int | None = None,
    procedure_key: str = "",
    case_number: str = "",
    organisation=None,
    continue_path: str = "",
) -> PaymentRequest:
    """Create what is owed for `reference` (idempotent: the same call twice returns the same request)."""
    if quote is None and amount_cents is None:
        raise PaymentError(_("Betrag fehlt."))
    amount = quote.total_cents if quote is not None else amount_cents
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise PaymentError(_("Der Betrag muss eine positive ganze Zahl in Cent sein."))
    if not reference or len(reference) > 200:
        raise PaymentError(_("Die Referenz fehlt oder ist zu lang."))
    continue_path = safe_continue_path(continue_path)
    existing = PaymentRequest.objects.filter(reference=reference).first()
    if existing:
        if (
            existing.owner_id != owner.pk
            or existing.authority_id != authority.pk
            or existing.amount_cents != amount
        ):
            security_log.warning(
                "payment request for an existing reference with other data refused",
                extra={"reference": reference, "owner": owner.pk},
            )
            raise PaymentPermissionDenied(
                _("Für diese Referenz besteht bereits eine andere Zahlungsanforderung.")
            )
        return existing
    try:
        with transaction.atomic():
            return PaymentRequest.objects.create(
                reference=reference,
                owner=owner,
                organisation=organisation,
                authority=authority,
                procedure_key=procedure_key,
                case_number=case_number,
                amount_cents=amount,
                purpose=purpose[:300],
                legal_basis=quote.legal_basis if quote else "",
                fee_lines=[line.as_dict() for line in quote.lines] if quote else [],
                continue_path=continue_path,
            )
    except IntegrityError:
        return create_payment_request(
            reference=reference,
            owner=owner,
            authority=authority,
            purpose=purpose,
            quote=quote,
            amount_cents=amount_cents,
            procedure_key=procedure_key,
            case_number=case_number,
            organisation=organisation,
            continue_path=continue_path,
        )


def request_for_reference(reference: str) -> PaymentRequest | None:
    return PaymentRequest.objects.filter(reference=reference).first()


def is_paid(reference: str) -> bool:
    return PaymentRequest.objects.filter(reference=reference, state=RequestState.PAID).exists()


def cancel_payment_request(reference: str) -> bool:
    """The case no longer needs the money (withdrawn). A payment arriving afterwards is refunded."""
    updated = PaymentRequest.objects.filter(reference=reference, state=RequestState.OPEN).update(
        state=RequestState.CANCELLED
    )
    return bool(updated)


# --- Providers and starting a payment ---------------------------------------------------------------


def callback_base_url() -> str:
    """Where providers reach us (return pages, notifications): AMTSWEG_PAYMENT_CALLBACK_URL or BASE_URL."""
    return (getattr(settings, "PAYMENTS_CALLBACK_BASE_URL", "") or settings.BASE_URL).rstrip("/")


def payment_methods() -> list[PaymentProvider]:
    from amtsweg.payments.providers.base import available_providers

    return available_providers()


def _new_booking_reference() -> str:
    return "AW-" + uuid.uuid4().hex[:12].upper()


def latest_payment(payment_request: PaymentRequest) -> Payment | None:
    return payment_request.payments.order_by("-created_at", "-pk").first()


def start_payment(payment_request: PaymentRequest, user, provider_key: str) -> tuple[Payment, str]:
    """Start a payment attempt; returns the attempt and the URL to send the citizen to."""
    if payment_request.owner_id != getattr(user, "pk", None):
        security_log.warning(
            "payment start for someone else's request refused",
            extra={"request": str(payment_request.public_id), "user": getattr(user, "pk", None)},
        )
        raise PaymentPermissionDenied(_("Diese Zahlung gehört zu einem anderen Konto."))
    if payment_request.state != RequestState.OPEN:
        raise PaymentError(_("Diese Zahlung ist bereits erledigt."))
    try:
        provider = get_provider(provider_key)
    except KeyError:
        raise PaymentError(_("Diese Zahlart gibt es nicht.")) from None
    if not provider.is_available():
        raise PaymentError(_("Diese Zahlart ist derzeit nicht verfügbar."))

    if provider_key == "ueberweisung":
        # One transfer reference per request: starting "transfer" again shows the same reference.
        existing = payment_request.payments.filter(provider=provider_key, state=S.PENDING).first()
        if existing:
            return existing, reverse("payments:request", args=[payment_request.public_id])

    payment = Payment.objects.create(
        request=payment_request,
        provider=provider_key,
        amount_cents=payment_request.amount_cents,
        currency=payment_request.currency,
        booking_reference=_new_booking_reference(),
    )
    states.note(
        payment, "created", source="citizen", amount=payment.amount_cents, detail={"provider": provider_key}
    )
    return_url = callback_base_url() + reverse("payments:return", args=[payment.public_id])
    try:
        result = provider.start(payment, return_url)
    except ProviderError as exc:
        logger.warning(
            "payment provider refused start", extra={"payment": str(payment.public_id), "error": str(exc)}
        )
        states.transition(payment, S.FAILED, source="start", detail={"error": str(exc)[:300]})
        raise PaymentError(
            _("Der Zahlungsdienst ist gerade nicht erreichbar. Bitte versuchen Sie es später erneut.")
        ) from exc
    Payment.objects.filter(pk=payment.pk).update(provider_reference=result.provider_reference[:200])
    payment.provider_reference = result.provider_reference[:200]
    states.transition(payment, S.PENDING, source="start", method=result.method)
    return payment, result.redirect_url


# --- Provider status, return, notifications ---------------------------------------------------------


def apply_status(payment: Payment, status: ProviderStatus, *, source: str, detail: dict | None = None) -> str:
    """Apply what the provider says; returns an outcome ('applied', 'ignored', 'rejected')."""
    detail = dict(detail or {})
    money_states = {S.PAID, S.PARTIALLY_REFUNDED, S.REFUNDED}
    if (
        status.state in money_states
        and status.amount_cents is not None
        and status.amount_cents != payment.amount_cents
    ):
        security_log.warning(
            "provider reported a different amount; ignored",
            extra={
                "payment": str(payment.public_id),
                "expected": payment.amount_cents,
                "got": status.amount_cents,
            },
        )
        states.note(
            payment,
            "amount_mismatch",
            source=source,
            amount=status.amount_cents,
            detail={**detail, "expected_cents": payment.amount_cents, "reported_state": status.state},
        )
        return NotificationOutcome.REJECTED
    if status.state not in PaymentState.values or status.state == S.CREATED:
        return NotificationOutcome.IGNORED
    changed = False
    with transaction.atomic():
        if status.state in (S.PARTIALLY_REFUNDED, S.REFUNDED):
            if payment.state not in money_states:
                # A refund proves the payment: the "paid" message may still be on its way.
                changed |= states.transition(
                    payment, S.PAID, source=source, detail=detail, method=status.method
                )
            changed |= states.transition(
                payment, status.state, source=source, detail=detail, refunded_cents=status.refunded_cents
            )
        else:
            changed = states.transition(
                payment, status.state, source=source, detail=detail, method=status.method
            )
    return NotificationOutcome.APPLIED if changed else NotificationOutcome.IGNORED


def handle_return(http_request, payment: Payment) -> str:
    """The citizen is back from the provider. Parameters of the return URL are never trusted."""
    provider = get_provider(payment.provider)
    try:
        status = provider.handle_return(http_request, payment)
    except ProviderError as exc:
        logger.warning(
            "status query on return failed", extra={"payment": str(payment.public_id), "error": str(exc)}
        )
        return NotificationOutcome.IGNORED
    if status is None:
        return NotificationOutcome.IGNORED
    Payment.objects.filter(pk=payment.pk).update(last_checked_at=timezone.now())
    return apply_status(payment, status, source="return")


def refresh_if_stale(payment: Payment, *, min_interval: timedelta = timedelta(seconds=10)) -> None:
    """While the citizen waits on the status page, ask the provider at most every `min_interval`."""
    provider = get_provider(payment.provider)
    if not provider.supports_status_query or not payment.provider_reference or not provider.is_available():
        return
    now = timezone.now()
    claimed = (
        Payment.objects.filter(pk=payment.pk)
        .filter(Q(last_checked_at__isnull=True) | Q(last_checked_at__lte=now - min_interval))
        .update(last_checked_at=now)
    )
    if not claimed:
        return
    try:
        status = provider.query_status(payment)
    except ProviderError:
        return
    apply_status(payment, status, source="status_poll")


@dataclass(frozen=True)
class NotificationResult:
    http_status: int
    outcome: str
    reason: str = ""


def process_notification(provider_key: str, http_request) -> NotificationResult:
    """Verify and apply a provider's server-to-server notification, once per notification id."""
    try:
        provider = get_provider(provider_key)
    except KeyError:
        return NotificationResult(404, "unknown_provider")
    if not provider.is_available():
        return NotificationResult(404, "unknown_provider")
    try:
        notification = provider.verify_notification(http_request)
    except InvalidNotification as exc:
        security_log.warning(
            "payment notification refused",
            extra={
                "provider": provider_key,
                "reason": exc.reason,
                "remote": http_request.META.get("REMOTE_ADDR"),
            },
        )
        return NotificationResult(exc.status, "invalid", exc.reason)

    payment = Payment.objects.filter(
        provider=provider_key, provider_reference=notification.provider_reference
    ).first()
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = ProviderNotification.objects.create(
                    provider=provider_key,
                    notification_id=notification.notification_id[:100],
                    payment=payment,
                    payload=notification.payload,
                    outcome=NotificationOutcome.IGNORED,
                )
        except IntegrityError:
            logger.info(
                "duplicate payment notification ignored",
                extra={"provider": provider_key, "notification": notification.notification_id},
            )
            return NotificationResult(200, "duplicate")
        if payment is None:
            security_log.warning(
                "notification for an unknown payment",
                extra={"provider": provider_key, "provider_reference": notification.provider_reference[:100]},
            )
            record.outcome = NotificationOutcome.REJECTED
            record.reason = "unbekannte Zahlung"
            record.save(update_fields=["outcome", "reason"])
            return NotificationResult(404, NotificationOutcome.REJECTED, "unbekannte Zahlung")
        outcome = apply_status(
            payment,
            notification.status,
            source="notification",
            detail={"notification": notification.notification_id},
        )
        record.outcome = outcome
        if outcome == NotificationOutcome.REJECTED:
            record.reason = "Betrag weicht ab"
        record.save(update_fields=["outcome", "reason"])
    if outcome == NotificationOutcome.REJECTED:
        return NotificationResult(422, outcome, "Betrag weicht ab")
    return NotificationResult(200, outcome)


# --- Refunds ---------------------------------------------------------------------------------------


def refund(
    payment: Payment, amount_cents, *, by=None, reason: str = "", refund_id: str | None = None
) -> Payment:
    """Pay back (part of) a payment through its provider. Refuses more than is left to refund."""
    payment.refresh_from_db()
    if isinstance(amount_cents, bool) or not isinstance(amount_cents, int):
        raise RefundError(_("Der Erstattungsbetrag muss eine ganze Zahl in Cent sein."))
    refundable = payment.amount_cents - payment.refunded_cents
    if payment.state not in (S.PAID, S.PARTIALLY_REFUNDED):
        raise RefundError(_("Nur bezahlte Zahlungen können erstattet werden."))
    if amount_cents <= 0 or amount_cents > refundable:
        security_log.warning(
            "refund refused: amount out of range",
            extra={"payment": str(payment.public_id), "requested": amount_cents, "refundable": refundable},
        )
        states.note(
            payment,
            "refund_refused",
            source="staff" if by else "system",
            amount=amount_cents if amount_cents < 2**31 else None,
            detail={"refundable_cents": refundable},
        )
        raise RefundError(
            _(
                "Der Erstattungsbetrag muss zwischen 0,01 € und dem noch erstattbaren Betrag "
                "von %(max)s liegen."
            )
            % {"max": format_cents(refundable)}
        )
    provider = get_provider(payment.provider)
    refund_id = refund_id or str(uuid.uuid4())
    try:
        status = provider.refund(payment, amount_cents, refund_id)
    except RefundNotSupported as exc:
        raise RefundError(str(exc)) from exc
    except ProviderError as exc:
        raise RefundError(
            _("Der Zahlungsdienst hat die Erstattung abgelehnt: %(error)s") % {"error": exc}
        ) from exc
    detail = {"refund_id": refund_id, "reason": reason[:300], "by": getattr(by, "pk", None)}
    states.transition(
        payment,
        S.REFUNDED if status.refunded_cents >= payment.amount_cents else S.PARTIALLY_REFUNDED,
        source="staff" if by else "system",
        refunded_cents=status.refunded_cents,
        detail=detail,
    )
    payment.refresh_from_db()
    return payment


# --- Reconciliation ------------------------------------------------------------------------------------


@dataclass
class ReconcileResult:
    checked: int = 0
    changed: int = 0
    expired: int = 0
    errors: int = 0


def reconcile_pending(now: datetime | None = None, *, limit: int = 500) -> ReconcileResult:
    """Ask the provider about every attempt left pending past the threshold; expire what is stale."""
    now = now or timezone.now()
    after = timedelta(minutes=getattr(settings, "PAYMENTS_RECONCILE_AFTER_MINUTES", 15))
    threshold = now - after
    recheck = now - after / 2
    result = ReconcileResult()
    candidates = (
        Payment.objects.filter(state__in=[S.CREATED, S.PENDING], created_at__lte=threshold)
        .filter(Q(last_checked_at__isnull=True) | Q(last_checked_at__lte=recheck))
        .order_by("created_at")[:limit]
    )
    for payment in candidates:
        try:
            provider = get_provider(payment.provider)
        except KeyError:
            continue
        result.checked += 1
        if provider.supports_status_query and payment.provider_reference and provider.is_available():
            try:
                status = provider.query_status(payment)
            except ProviderError as exc:
                result.errors += 1
                logger.warning(
                    "reconciliation: status query failed",
                    extra={"payment": str(payment.public_id), "error": str(exc)},
                )
            else:
                if apply_status(payment, status, source="reconciliation") == NotificationOutcome.APPLIED:
                    result.changed += 1
        Payment.objects.filter(pk=payment.pk).update(last_checked_at=now)
        payment.refresh_from_db()
        stale = (
            payment.state in (S.CREATED, S.PENDING) and payment.created_at <= now - provider.pending_expiry
        )
        if stale and states.transition(
            payment, S.EXPIRED, source="reconciliation", detail={"reason": "timeout"}
        ):
            result.expired += 1
    if result.checked:
        logger.info("payment reconciliation", extra=result.__dict__)
    return result


# --- Bank transfer: EPC QR code -----------------------------------------------------------------------


def epc_qr_svg(payment: Payment) -> bytes:
    """GiroCode (EPC QR) for a transfer payment, as SVG."""
    import io

    from segno import helpers as segno_helpers

    account = PayeeAccount.objects.filter(authority_id=payment.request.authority_id).first()
    if account is None or not payment.provider_reference:
        raise PaymentError(_("Für diese Behörde ist kein Empfängerkonto hinterlegt."))
    qr = segno_helpers.make_epc_qr(
        name=account.holder[:70],
        iban=account.iban,
        bic=account.bic or None,
        amount=cents_to_decimal(payment.amount_cents),
        reference=payment.provider_reference,
    )
    buffer = io.BytesIO()
    qr.save(buffer, kind="svg", scale=4, border=4, xmldecl=False, title=_("GiroCode für die Überweisung"))
    return buffer.getvalue()


# --- Cash office ---------------------------------------------------------------------------------------


def day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min, tzinfo=BERLIN)
    return start, datetime.combine(day + timedelta(days=1), time.min, tzinfo=BERLIN)


from amtsweg.payments.camt import import_camt053  # noqa: E402, F401
from amtsweg.payments.cashoffice import cash_office_csv, cash_office_rows, daily_summary  # noqa: E402, F401
