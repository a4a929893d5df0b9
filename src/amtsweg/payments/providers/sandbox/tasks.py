"""SANDBOX gateway background jobs: deliver signed notifications over HTTP, settle SEPA debits."""

from __future__ import annotations

import logging

from django.utils import timezone

from amtsweg.core.jobs import retrying_task

logger = logging.getLogger("amtsweg.payments.sandbox")


class DeliveryFailed(Exception):
    pass


@retrying_task(max_attempts=6, base_delay=15)
def deliver_notification(notification_id: str):
    """POST one notification to the merchant, signed afresh (timestamp) for every attempt."""
    from amtsweg.payments import http, signing
    from amtsweg.payments.providers.sandbox import conf
    from amtsweg.payments.providers.sandbox.models import SandboxNotification

    note = SandboxNotification.objects.select_related("transaction").get(pk=notification_id)
    tx = note.transaction
    body = http.dumps(
        {
            "notification_id": str(note.id),
            "transaction_id": str(tx.id),
            "merchant_reference": tx.merchant_reference,
            "status": note.status,
            "amount_cents": tx.amount_cents,
            "refunded_cents": note.refunded_cents,
            "currency": tx.currency,
            "method": tx.method,
            "sequence": note.sequence,
        }
    )
    headers = signing.signed_headers(conf.secret(), body, prefix=conf.SIGNATURE_PREFIX)
    SandboxNotification.objects.filter(pk=note.pk).update(deliveries=note.deliveries + 1)
    try:
        response = http.send("POST", tx.notify_url, body=body, headers=headers)
    except http.TransportError as exc:
        SandboxNotification.objects.filter(pk=note.pk).update(last_response=str(exc)[:300])
        raise DeliveryFailed(str(exc)) from exc
    SandboxNotification.objects.filter(pk=note.pk).update(
        last_response=f"{response.status} {response.body[:200].decode('utf-8', 'replace')}"[:300],
        delivered_at=timezone.now() if response.ok else None,
    )
    if response.status >= 500:
        raise DeliveryFailed(f"HTTP {response.status}")
    if not response.ok:
        # 4xx: the merchant refused (e.g. amount mismatch); retrying would not change that.
        logger.warning(
            "SANDBOX: notification refused",
            extra={"notification": notification_id, "status": response.status},
        )
    return response.status


@retrying_task(max_attempts=3, base_delay=10)
def settle_sepa(transaction_id: str, fail: bool):
    from amtsweg.payments.providers.sandbox import gateway

    gateway.settle(transaction_id, fail)
