"""The transactional outbox: side effects are rows written in the same transaction as the state change.

    outbox.enqueue("receipt", case=case, payload={"part": part.pk})     # inside the transition's transaction

After commit the message's task is enqueued (`cases.tasks.process_outbox`, a retrying task); a periodic sweep
re-enqueues messages whose task got lost. `process(message_id)` locks the row, skips it if it is already done,
runs the handler and marks the row done **in one transaction**, so a handler whose effects are database writes
(documents, postbox messages, payment requests) happens exactly once however often the task runs; a retry
after a
failure starts from scratch. Handlers with effects outside the database (e-mail, HTTP) must be idempotent by
the
message id (`message.id` is stable across retries).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

logger = logging.getLogger("amtsweg.cases.outbox")
_handlers: dict[str, Callable] = {}


class UnknownOutboxKind(LookupError):
    pass


def handler(kind: str):
    """Register the function that performs side effects of `kind`: `func(message) -> str` (a short result)."""

    def register(func):
        _handlers[kind] = func
        return func

    return register


def enqueue(kind: str, *, case=None, payload: dict | None = None):
    from amtsweg.cases.models import OutboxMessage

    if kind not in _handlers:
        raise UnknownOutboxKind(kind)
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("outbox.enqueue must run inside the transaction of the state change")
    message = OutboxMessage.objects.create(case=case, kind=kind, payload=payload or {})
    transaction.on_commit(lambda: _schedule(message.pk))
    return message


def _schedule(message_id) -> None:
    from amtsweg.cases.tasks import process_outbox

    try:
        process_outbox.enqueue(str(message_id))
    except Exception:  # the periodic sweep picks it up
        logger.exception("outbox task could not be enqueued", extra={"outbox_message": str(message_id)})


def process(message_id) -> str:
    """Run one message's handler exactly once (see module docstring). Raises to let the task retry."""
    from amtsweg.cases.models import OutboxMessage

    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().filter(pk=message_id).first()
        if message is None:
            return "unknown"
        if message.status == OutboxMessage.Status.DONE:
            return "already done"
        func = _handlers.get(message.kind)
        if func is None:
            raise UnknownOutboxKind(message.kind)
        result = func(message) or "ok"
        message.status = OutboxMessage.Status.DONE
        message.attempts += 1
        message.result = str(result)[:500]
        message.processed_at = timezone.now()
        message.last_error = ""
        message.save(update_fields=["status", "attempts", "result", "processed_at", "last_error"])
        return message.result


MAX_ATTEMPTS = 8


def record_failure(message_id, error: Exception) -> None:
    """Store the error outside the failed transaction (called by the task); FAILED after MAX_ATTEMPTS."""
    from amtsweg.cases.models import OutboxMessage

    cause = error.__cause__ or error
    values = {"last_error": f"{type(cause).__name__}: {cause}"[:500]}
    message = OutboxMessage.objects.filter(pk=message_id).first()
    if message is not None:
        if message.attempts + 1 >= MAX_ATTEMPTS:
            values["status"] = OutboxMessage.Status.FAILED
        OutboxMessage.objects.filter(pk=message_id).update(attempts=message.attempts + 1, **values)


def sweep(older_than_seconds: int = 300, limit: int = 500) -> int:
    """Re-enqueue pending messages whose task may have been lost (e.g. the enqueue failed after commit)."""
    from amtsweg.cases.models import OutboxMessage

    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    ids = list(
        OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING, attempts=0, created_at__lt=cutoff)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    for message_id in ids:
        _schedule(message_id)
    return len(ids)
