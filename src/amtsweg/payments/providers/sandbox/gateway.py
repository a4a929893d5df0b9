"""SANDBOX gateway: the stand-in provider's business logic (its side of the wire, not ours).

Test data on the hosted page:
  cards  4242 4242 4242 4242 → paid · 5555 5555 5555 4444 → paid · 4000 0000 0000 0002 → declined
         4000 0000 0000 9995 → declined (insufficient funds); any future expiry, any 3-digit CVC
  SEPA   DE89 3704 0044 0532 0130 00 → paid after settlement · DE62 3704 0044 0532 0130 01 → returned (failed)
  PayPal-like "SandboxPay": approve → paid, cancel → cancelled
"""

from __future__ import annotations

import logging
import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from amtsweg.payments.providers.sandbox import conf
from amtsweg.payments.providers.sandbox.models import SandboxNotification, SandboxTransaction
from amtsweg.payments.references import normalise

logger = logging.getLogger("amtsweg.payments.sandbox")

CARDS = {
    "4242424242424242": ("paid", ""),
    "5555555555554444": ("paid", ""),
    "4000000000000002": ("failed", "Karte abgelehnt"),
    "4000000000009995": ("failed", "Deckung nicht ausreichend"),
}
SEPA_FAILING_IBAN = "DE62370400440532013001"
FINAL = {"paid", "failed", "cancelled", "expired", "partially_refunded", "refunded"}
MAX_AMOUNT_CENTS = 10_000_000


class GatewayError(ValueError):
    pass


def luhn_ok(number: str) -> bool:
    digits = [int(d) for d in number]
    checksum = 0
    for i, digit in enumerate(reversed(digits)):
        if i % 2:
            digit *= 2
            if digit > 9:
                digit -= 9
        checksum += digit
    return checksum % 10 == 0


def create_transaction(data) -> SandboxTransaction:
    if not isinstance(data, dict):
        raise GatewayError("JSON-Objekt erwartet")
    amount = data.get("amount_cents")
    if isinstance(amount, bool) or not isinstance(amount, int) or not 0 < amount <= MAX_AMOUNT_CENTS:
        raise GatewayError("amount_cents ungültig")
    if data.get("currency", "EUR") != "EUR":
        raise GatewayError("nur EUR")
    base = conf.platform_base_url() + "/"
    urls = {}
    for name in ("return_url", "notify_url"):
        value = data.get(name)
        # Like a real provider: only URLs under the merchant's registered address (no open redirects).
        if not isinstance(value, str) or not value.startswith(base) or len(value) > 500:
            raise GatewayError(f"{name} liegt nicht unter der hinterlegten Händleradresse")
        urls[name] = value
    reference = data.get("merchant_reference")
    if not isinstance(reference, str) or not 0 < len(reference) <= 200:
        raise GatewayError("merchant_reference ungültig")
    purpose = str(data.get("purpose", ""))[:300]
    return SandboxTransaction.objects.create(
        merchant_reference=reference, amount_cents=amount, purpose=purpose, **urls
    )


def current_status(tx: SandboxTransaction) -> str:
    """Open transactions time out after the TTL, as hosted payment sessions do."""
    if tx.status == "open" and tx.created_at < timezone.now() - timedelta(
        minutes=conf.transaction_ttl_minutes()
    ):
        with transaction.atomic():
            updated = SandboxTransaction.objects.filter(pk=tx.pk, status="open").update(status="expired")
            if updated:
                tx.status = "expired"
                emit(tx, ["expired"])
        tx.refresh_from_db()
    return tx.status


def as_json(tx: SandboxTransaction) -> dict:
    return {
        "id": str(tx.id),
        "merchant_reference": tx.merchant_reference,
        "status": current_status(tx),
        "amount_cents": tx.amount_cents,
        "refunded_cents": tx.refunded_cents,
        "currency": tx.currency,
        "method": tx.method,
    }


def _finish(tx: SandboxTransaction, status: str, method: str, detail: str, sequence: list[str]) -> None:
    with transaction.atomic():
        updated = SandboxTransaction.objects.filter(pk=tx.pk, status="open").update(
            status=status, method=method, detail=detail[:200], updated_at=timezone.now()
        )
        if not updated:
            raise GatewayError("Diese Zahlung ist bereits abgeschlossen.")
        tx.refresh_from_db()
        emit(tx, sequence)


def pay_card(tx: SandboxTransaction, number: str) -> str:
    status, detail = CARDS[number]
    _finish(tx, status, "card", detail, ["pending", status])
    return status


def pay_paypal(tx: SandboxTransaction, approve: bool) -> str:
    status = "paid" if approve else "cancelled"
    _finish(tx, status, "paypal", "", [status])
    return status


def pay_sepa(tx: SandboxTransaction, iban: str) -> str:
    """The mandate is accepted at once; the debit settles (or is returned) a little later."""
    _finish(tx, "pending", "sepa", normalise(iban)[-4:], ["pending"])
    from amtsweg.payments.providers.sandbox.tasks import settle_sepa

    run_after = timezone.now() + timedelta(seconds=conf.sepa_settle_seconds())
    settle_sepa.using(run_after=run_after).enqueue(str(tx.id), normalise(iban) == SEPA_FAILING_IBAN)
    return "pending"


def settle(tx_id: str, fail: bool) -> None:
    with transaction.atomic():
        tx = SandboxTransaction.objects.select_for_update().get(pk=tx_id)
        if tx.status != "pending":
            return
        tx.status = "failed" if fail else "paid"
        tx.detail = "Rücklastschrift" if fail else tx.detail
        tx.save(update_fields=["status", "detail", "updated_at"])
        emit(tx, [tx.status])


def cancel(tx: SandboxTransaction) -> None:
    _finish(tx, "cancelled", tx.method, "vom Zahler abgebrochen", ["cancelled"])


def refund(tx: SandboxTransaction, amount: int, refund_id: str) -> SandboxTransaction:
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise GatewayError("amount_cents ungültig")
    if not isinstance(refund_id, str) or not 0 < len(refund_id) <= 100:
        raise GatewayError("refund_id ungültig")
    with transaction.atomic():
        tx = SandboxTransaction.objects.select_for_update().get(pk=tx.pk)
        if refund_id in tx.refunds:
            return tx  # same refund asked again: idempotent
        if tx.status not in {"paid", "partially_refunded"}:
            raise GatewayError("Nur bezahlte Transaktionen können erstattet werden.")
        if tx.refunded_cents + amount > tx.amount_cents:
            raise GatewayError("Erstattung übersteigt den Zahlbetrag.")
        tx.refunded_cents += amount
        tx.refunds[refund_id] = amount
        tx.status = "refunded" if tx.refunded_cents == tx.amount_cents else "partially_refunded"
        tx.save(update_fields=["refunded_cents", "refunds", "status", "updated_at"])
        emit(tx, [tx.status])
    return tx


def emit(tx: SandboxTransaction, statuses: list[str]) -> list[SandboxNotification]:
    """Queue notifications for `statuses` (in order), with the configured misbehaviour."""
    from amtsweg.payments.providers.sandbox.tasks import deliver_notification

    chaos = conf.chaos()
    rnd = random.random
    created = []
    for status in statuses:
        tx.sequence += 1
        created.append(
            SandboxNotification.objects.create(
                transaction=tx, status=status, refunded_cents=tx.refunded_cents, sequence=tx.sequence
            )
        )
    SandboxTransaction.objects.filter(pk=tx.pk).update(sequence=tx.sequence)
    order = list(created)
    if len(order) > 1 and chaos.reorder and rnd() < chaos.reorder:
        order.reverse()
    now = timezone.now()
    for position, note in enumerate(order):
        if chaos.drop and rnd() < chaos.drop:
            logger.info("SANDBOX: notification dropped (chaos)", extra={"notification": str(note.id)})
            continue
        delay = position * 2  # keep the chosen order between the notifications of one batch
        if chaos.late and rnd() < chaos.late:
            delay += chaos.delay
        deliver_notification.using(run_after=now + timedelta(seconds=delay) if delay else None).enqueue(
            str(note.id)
        )
        if chaos.duplicate and rnd() < chaos.duplicate:
            deliver_notification.using(run_after=now + timedelta(seconds=delay + 1)).enqueue(str(note.id))
    return created
