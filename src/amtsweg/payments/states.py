"""The payment state machine: the only place where Payment.state changes.

created → pending → paid | failed | cancelled | expired, then paid → partially_refunded → refunded.
A failed, cancelled or expired attempt may still become paid when the provider (or the bank
statement) proves the money arrived: the provider's word about money beats our timeout.
Nothing ever goes backwards, so notifications arriving late, twice or out of order can only
move a payment forward to where it belongs.
"""

from __future__ import annotations

import logging
import uuid

from django.db import transaction
from django.utils import timezone

from amtsweg.payments.models import Payment, PaymentEvent, PaymentRequest, PaymentState, RequestState
from amtsweg.payments.signals import payment_request_paid, payment_state_changed

logger = logging.getLogger(__name__)

S = PaymentState
ALLOWED: dict[str, set[str]] = {
    S.CREATED: {S.PENDING, S.PAID, S.FAILED, S.CANCELLED, S.EXPIRED},
    S.PENDING: {S.PAID, S.FAILED, S.CANCELLED, S.EXPIRED},
    S.FAILED: {S.PAID},
    S.CANCELLED: {S.PAID},
    S.EXPIRED: {S.PAID},
    S.PAID: {S.PARTIALLY_REFUNDED, S.REFUNDED},
    S.PARTIALLY_REFUNDED: {S.PARTIALLY_REFUNDED, S.REFUNDED},
    S.REFUNDED: set(),
}
REFUND_STATES = {S.PARTIALLY_REFUNDED, S.REFUNDED}
MONEY_RECEIVED = {S.PAID, S.PARTIALLY_REFUNDED, S.REFUNDED}


def can_transition(old: str, new: str) -> bool:
    return new in ALLOWED.get(old, set())


def _event(
    payment: Payment, kind: str, *, source: str, old: str = "", new: str = "", amount=None, detail=None
):
    return PaymentEvent.objects.create(
        payment=payment,
        kind=kind,
        from_state=old,
        to_state=new,
        amount_cents=amount,
        source=source[:50],
        detail=detail or {},
    )


def note(payment: Payment, kind: str, *, source: str, amount=None, detail=None) -> PaymentEvent:
    """Record something noteworthy without a state change (rejected input, duplicate detected …)."""
    return _event(
        payment, kind, source=source, old=payment.state, new=payment.state, amount=amount, detail=detail
    )


def transition(
    payment: Payment,
    new_state: str,
    *,
    source: str,
    detail: dict | None = None,
    refunded_cents: int | None = None,
    method: str = "",
) -> bool:
    """Move `payment` to `new_state` if the state machine allows it; returns whether anything changed.

    Runs in one transaction with the audit event and the signals. For refund states,
    `refunded_cents` is the cumulative amount refunded so far (never decreases).
    """
    with transaction.atomic():
        locked = Payment.objects.select_for_update(of=("self",)).select_related("request").get(pk=payment.pk)
        old = locked.state
        if new_state in REFUND_STATES:
            if refunded_cents is None:
                raise ValueError("refunded_cents is required for refund states")
            total = min(max(refunded_cents, locked.refunded_cents), locked.amount_cents)
            new_state = S.REFUNDED if total >= locked.amount_cents else S.PARTIALLY_REFUNDED
            if old in REFUND_STATES and total == locked.refunded_cents:
                _refresh(payment, locked)
                return False  # same refund reported again
        if old == new_state and new_state not in REFUND_STATES:
            _refresh(payment, locked)
            return False
        if not can_transition(old, new_state):
            logger.info(
                "payment transition ignored",
                extra={"payment": str(locked.public_id), "from": old, "to": new_state, "source": source},
            )
            _refresh(payment, locked)
            return False

        now = timezone.now()
        event_amount = None
        locked.state = new_state
        if method and not locked.method:
            locked.method = method[:50]
        if new_state == S.PENDING and not locked.pending_since:
            locked.pending_since = now
        if new_state == S.PAID:
            locked.paid_at = now
            event_amount = locked.amount_cents
        if new_state in REFUND_STATES:
            event_amount = total - locked.refunded_cents
            locked.refunded_cents = total
        locked.save()
        _event(
            locked,
            "refund" if new_state in REFUND_STATES else "state",
            source=source,
            old=old,
            new=new_state,
            amount=event_amount,
            detail=detail,
        )
        payment_state_changed.send(
            sender=Payment,
            payment=locked,
            reference=locked.request.reference,
            old_state=old,
            new_state=new_state,
        )
        if new_state == S.PAID:
            _settle_request(locked, source=source)
        _refresh(payment, locked)
        return True


def _refresh(target: Payment, source: Payment) -> None:
    for name in ("state", "method", "pending_since", "paid_at", "refunded_cents", "is_duplicate"):
        setattr(target, name, getattr(source, name))


def _settle_request(payment: Payment, *, source: str) -> None:
    """The first paid attempt settles the request; any further paid attempt is a duplicate and is refunded."""
    request = PaymentRequest.objects.select_for_update().get(pk=payment.request_id)
    if request.state == RequestState.OPEN:
        request.state = RequestState.PAID
        request.paid_payment = payment
        request.paid_at = payment.paid_at
        request.save(update_fields=["state", "paid_payment", "paid_at"])
        payment_request_paid.send(
            sender=PaymentRequest, payment_request=request, payment=payment, reference=request.reference
        )
        return
    if request.paid_payment_id == payment.pk:
        return
    # Paid twice (or paid after the request was cancelled): the money goes back automatically.
    Payment.objects.filter(pk=payment.pk).update(is_duplicate=True)
    payment.is_duplicate = True
    note(
        payment,
        "duplicate_detected",
        source=source,
        amount=payment.amount_cents,
        detail={
            "request_state": request.state,
            "paid_by": str(request.paid_payment.public_id) if request.paid_payment else "",
        },
    )
    logger.warning(
        "duplicate payment detected, refund scheduled",
        extra={"payment": str(payment.public_id), "reference": request.reference},
    )
    from amtsweg.payments.tasks import refund_duplicate_payment

    # Enqueued inside the transaction (database task backend): the job exists iff the payment is recorded.
    refund_duplicate_payment.enqueue(str(payment.public_id), str(uuid.uuid4()))
