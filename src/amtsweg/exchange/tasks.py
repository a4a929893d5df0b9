"""Background jobs of the exchange app: deliver with retries, re-enqueue lost messages, delete old logs."""

from __future__ import annotations

import logging
from datetime import timedelta

from amtsweg.core.jobs import periodic, retrying_task

logger = logging.getLogger("amtsweg.exchange")


@retrying_task(max_attempts=8, base_delay=30, max_delay=3600)
def deliver_message(message_id: str):
    """POST one envelope to its recipient; a failed attempt raises and is retried with backoff. Idempotent: a
    delivered message is skipped, and the receiver stores each idempotency key only once."""
    from amtsweg.exchange.services import deliver

    return deliver(message_id)


@periodic(every=timedelta(minutes=5), name="exchange.sweep")
@retrying_task(max_attempts=1)
def sweep_outbox():
    from amtsweg.exchange.services import sweep

    return {"requeued": sweep()}


@periodic(every=timedelta(days=1), name="exchange.purge_logs")
@retrying_task(max_attempts=3, base_delay=600)
def purge_transmission_logs():
    """§ 14 Abs. 10–11 GewO: transmission logs are deleted after six months (where the sender said so)."""
    from amtsweg.exchange.services import purge_logs

    return purge_logs()
