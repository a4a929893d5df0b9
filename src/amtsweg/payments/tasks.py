"""Background jobs of the payments app (django.tasks; retries and schedule from amtsweg.core.jobs)."""

from __future__ import annotations

import logging
from datetime import timedelta

from amtsweg.core.jobs import periodic, retrying_task

logger = logging.getLogger("amtsweg.payments")


@periodic(every=timedelta(minutes=5), name="payments.reconcile")
@retrying_task(max_attempts=1)
def reconcile_pending_payments():
    """Users who never came back: ask the provider about every payment pending past the threshold."""
    from amtsweg.payments.services import reconcile_pending

    result = reconcile_pending()
    return result.__dict__


@retrying_task(max_attempts=8, base_delay=30)
def refund_duplicate_payment(payment_public_id: str, refund_id: str):
    """Pay back a second successful payment for the same request. Idempotent: the refund id is fixed."""
    from amtsweg.payments import states
    from amtsweg.payments.models import Payment, PaymentState
    from amtsweg.payments.providers.base import RefundNotSupported, get_provider
    from amtsweg.payments.services import refund

    payment = Payment.objects.get(public_id=payment_public_id)
    if payment.state == PaymentState.REFUNDED:
        return "already refunded"
    remaining = payment.amount_cents - payment.refunded_cents
    try:
        if not get_provider(payment.provider).supports_refund:
            raise RefundNotSupported("manual")
        refund(payment, remaining, reason="Doppelzahlung", refund_id=refund_id)
    except Exception as exc:
        cause = exc.__cause__ or exc
        if isinstance(cause, RefundNotSupported):
            # A transfer has to be paid back by a person; the bank entry is on the review list.
            states.note(
                payment,
                "refund_manual",
                source="system",
                amount=remaining,
                detail={"reason": "Doppelzahlung"},
            )
            return "manual refund needed"
        raise
    return "refunded"
