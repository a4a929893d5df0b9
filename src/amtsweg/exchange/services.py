"""Public surface of the exchange app: messages from an authority to other bodies.

    prepared = services.prepare(sender=authority, recipient=recipient, payload=xml_bytes,
                                message_type="alg.gewerbemeldung.0300", field_groups=[...], legal_basis="…")
    with transaction.atomic():                 # the caller's state change
        ...
        services.queue(prepared, reference="case:…", log_retention_days=183)

`prepare` signs and encrypts (CPU work, outside the transaction); `queue` writes the outbox row in the
caller's
transaction and enqueues the delivery task after commit. The worker POSTs the envelope to the recipient's
endpoint with the message id as `Idempotency-Key`; 5xx answers, timeouts and refused connections are retried
with backoff (`tasks.deliver_message`), a periodic sweep re-enqueues what a lost task left behind, and the
receiver stores each key once. So a message is delivered exactly once and never lost (or, after the last
attempt, shown as failed to the sending authority, who can send it again).

The outbox row is also the transmission log (who received what, when, which field groups, which legal basis);
it is deleted `log_retention_days` after delivery where the law says so (§ 14 Abs. 10–11 GewO: six months).
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from amtsweg.exchange import crypto, signals, transport
from amtsweg.exchange.models import DeliveryAttempt, OutgoingMessage, Recipient, SandboxMessage

logger = logging.getLogger("amtsweg.exchange")
MAX_ATTEMPTS = 8
LEASE_SECONDS = 120
MAX_PAYLOAD_BYTES = 2 * 1024 * 1024


class ExchangeError(Exception):
    """A refused exchange action; the message is German."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class DeliveryFailed(Exception):
    """This attempt failed and will be retried (raised inside the task so the task retries)."""


# --- address book -------------------------------------------------------------------------------------------


def recipients(kind: str, district_ags: str) -> list[Recipient]:
    """Active recipients of `kind` serving the 5-digit district; district-specific entries before
    statewide."""
    rows = [
        r for r in Recipient.objects.filter(kind=kind, active=True).order_by("key") if r.serves(district_ags)
    ]
    return sorted(rows, key=lambda r: (not r.districts, r.key))


def recipient_for(kind: str, district_ags: str) -> Recipient | None:
    found = recipients(kind, district_ags)
    return found[0] if found else None


def address_book(district_ags: str) -> dict[str, list[Recipient]]:
    kinds = Recipient.objects.filter(active=True).values_list("kind", flat=True).distinct()
    return {kind: recipients(kind, district_ags) for kind in sorted(set(kinds))}


def endpoint_url(recipient: Recipient) -> str:
    if recipient.is_sandbox:
        return settings.BASE_URL.rstrip("/") + reverse("exchange:sandbox_receive", args=[recipient.key])
    return recipient.endpoint


def ensure_sandbox_keys() -> int:
    """Give every SANDBOX recipient its key pair (demo loader, tests)."""
    count = 0
    for recipient in Recipient.objects.filter(endpoint="sandbox"):
        crypto.ensure_sandbox_key(recipient)
        count += 1
    return count


# --- sending ------------------------------------------------------------------------------------------------


@dataclass
class Prepared:
    sender: object
    recipient: Recipient
    message_id: uuid.UUID
    message_type: str
    envelope: str
    sha256: str
    size: int
    field_groups: list[str] = field(default_factory=list)
    legal_basis: str = ""


def prepare(
    *,
    sender,
    recipient: Recipient,
    payload: bytes,
    message_type: str,
    field_groups=(),
    legal_basis: str = "",
    message_id: uuid.UUID | str | None = None,
) -> Prepared:
    """Sign and encrypt one message (no database writes except a sender key created on first use)."""
    if not isinstance(payload, bytes) or not payload:
        raise ExchangeError(_("Die Nachricht ist leer."))
    if len(payload) > MAX_PAYLOAD_BYTES:
        raise ExchangeError(_("Die Nachricht ist zu groß (höchstens 2 MB)."))
    if not recipient.active:
        raise ExchangeError(_("Der Empfänger %(name)s ist nicht aktiv.") % {"name": recipient.name})
    if recipient.is_sandbox and not recipient.public_jwk:
        crypto.ensure_sandbox_key(recipient)
    message_id = uuid.UUID(str(message_id)) if message_id else uuid.uuid4()
    try:
        envelope = crypto.seal(
            authority=sender,
            recipient=recipient,
            payload=payload,
            message_id=str(message_id),
            message_type=message_type,
        )
    except crypto.EnvelopeError as exc:
        raise ExchangeError(str(exc)) from exc
    return Prepared(
        sender=sender,
        recipient=recipient,
        message_id=message_id,
        message_type=message_type[:80],
        envelope=envelope,
        sha256=hashlib.sha256(payload).hexdigest(),
        size=len(payload),
        field_groups=list(field_groups),
        legal_basis=legal_basis[:300],
    )


def queue(prepared: Prepared, *, reference: str, log_retention_days: int | None = None) -> OutgoingMessage:
    """Write the outbox row inside the caller's transaction; the delivery task starts after commit."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("exchange.queue must run inside the transaction of the state change")
    if not isinstance(reference, str) or not reference or len(reference) > 200:
        raise ExchangeError(_("Der Bezug muss ein Text mit höchstens 200 Zeichen sein."))
    message = OutgoingMessage.objects.create(
        id=prepared.message_id,
        sender=prepared.sender,
        recipient=prepared.recipient,
        reference=reference,
        message_type=prepared.message_type,
        field_groups=prepared.field_groups,
        legal_basis=prepared.legal_basis,
        content_sha256=prepared.sha256,
        size=prepared.size,
        envelope=prepared.envelope,
        log_retention_days=log_retention_days,
    )
    transaction.on_commit(lambda: schedule(message.pk))
    return message


def schedule(message_id) -> None:
    from amtsweg.exchange.tasks import deliver_message

    try:
        deliver_message.enqueue(str(message_id))
    except Exception:  # the periodic sweep picks it up
        logger.exception("delivery task could not be enqueued", extra={"message_id": str(message_id)})


# --- delivery (the worker) ----------------------------------------------------------------------------------


def _claim(message_id) -> OutgoingMessage | None:
    """Take a lease on a pending message, so two workers never post it at the same time."""
    now = timezone.now()
    won = (
        OutgoingMessage.objects.filter(pk=message_id, status=OutgoingMessage.Status.PENDING)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .update(lease_until=now + timedelta(seconds=LEASE_SECONDS))
    )
    if not won:
        return None
    return OutgoingMessage.objects.select_related("recipient", "sender").get(pk=message_id)


def _record(message, *, outcome, status_code=None, error="", started: float, **changes) -> None:
    duration = int((time.monotonic() - started) * 1000)
    with transaction.atomic():
        DeliveryAttempt.objects.create(
            message_id=message.pk,
            status_code=status_code,
            outcome=outcome,
            error=error[:500],
            duration_ms=duration,
        )
        values = {"attempts": message.attempts + 1, "lease_until": None, **changes}
        if error:
            values["last_error"] = error[:500]
        OutgoingMessage.objects.filter(pk=message.pk).update(**values)
        if changes.get("status") == OutgoingMessage.Status.DELIVERED:
            message.refresh_from_db()
            signals.message_delivered.send(
                sender=OutgoingMessage, message=message, reference=message.reference
            )
        elif changes.get("status") == OutgoingMessage.Status.FAILED:
            message.refresh_from_db()
            signals.message_failed.send(sender=OutgoingMessage, message=message, reference=message.reference)


def deliver(message_id) -> str:
    """One delivery attempt. Returns a short result; raises DeliveryFailed when the task should retry."""
    message = _claim(message_id)
    if message is None:
        current = OutgoingMessage.objects.filter(pk=message_id).values_list("status", flat=True).first()
        return f"nothing to do ({current or 'unknown'})"
    url = endpoint_url(message.recipient)
    headers = {
        "Content-Type": "application/jose",
        "Idempotency-Key": str(message.pk),
        "X-Amtsweg-Nachrichtentyp": message.message_type,
        "X-Amtsweg-Absender": message.sender.key,
        "User-Agent": "amtsweg-austausch/1",
    }
    started = time.monotonic()
    final = message.attempts + 1 >= MAX_ATTEMPTS
    try:
        response = transport.post(url, message.envelope.encode("ascii"), headers)
    except transport.TransportError as exc:
        error = _("Empfänger nicht erreichbar: %(error)s") % {"error": str(exc)[:300]}
        status = {"status": OutgoingMessage.Status.FAILED} if final else {}
        _record(message, outcome=DeliveryAttempt.Outcome.RETRY, error=error, started=started, **status)
        if final:
            return "failed"
        raise DeliveryFailed(error) from exc
    if 200 <= response.status < 300:
        receipt = _receipt(response)
        now = timezone.now()
        days = message.log_retention_days
        _record(
            message,
            outcome=DeliveryAttempt.Outcome.DELIVERED,
            status_code=response.status,
            started=started,
            status=OutgoingMessage.Status.DELIVERED,
            delivered_at=now,
            receipt=receipt[:200],
            envelope="",
            last_error="",
            delete_after=(timezone.localdate() + timedelta(days=days)) if days else None,
        )
        logger.info(
            "message delivered", extra={"message_id": str(message.pk), "recipient": message.recipient.key}
        )
        return f"delivered ({response.status})"
    error = _("Antwort des Empfängers: HTTP %(status)s") % {"status": response.status}
    # 4xx other than 408/429 will not heal by waiting, but a configuration fix might: keep retrying up to the
    # limit, then show the message as failed to the sending authority.
    status = {"status": OutgoingMessage.Status.FAILED} if final else {}
    retryable = response.status >= 500 or response.status in (408, 429)
    outcome = DeliveryAttempt.Outcome.RETRY if retryable else DeliveryAttempt.Outcome.REFUSED
    _record(message, outcome=outcome, status_code=response.status, error=error, started=started, **status)
    if final:
        return "failed"
    raise DeliveryFailed(error)


def _receipt(response) -> str:
    try:
        data = json.loads(response.body.decode("utf-8") or "{}")
    except (ValueError, UnicodeDecodeError):
        return ""
    return str(data.get("quittung", ""))[:200] if isinstance(data, dict) else ""


RETRY_SILENCE = timedelta(hours=2)  # longer than the longest backoff of the delivery task (1 h + jitter)


def sweep(older_than_seconds: int = 300, limit: int = 500) -> int:
    """Re-enqueue pending messages whose task was lost: never tried since `older_than_seconds`, or no attempt
    for longer than any scheduled retry would wait."""
    now = timezone.now()
    cutoff = now - timedelta(seconds=older_than_seconds)
    ids = list(
        OutgoingMessage.objects.filter(status=OutgoingMessage.Status.PENDING, created_at__lt=cutoff)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .exclude(delivery_attempts__at__gt=min(cutoff, now - RETRY_SILENCE))
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    for message_id in ids:
        schedule(message_id)
    return len(ids)


def send_again(message: OutgoingMessage, staff_user) -> OutgoingMessage:
    """A failed message goes back to the queue (by staff of the sending authority)."""
    from amtsweg.accounts.services import authorities_for

    if not authorities_for(staff_user).filter(pk=message.sender_id).exists():
        raise ExchangeError(_("Diese Nachricht gehört nicht zu Ihrer Behörde."))
    with transaction.atomic():
        locked = OutgoingMessage.objects.select_for_update().get(pk=message.pk)
        if locked.status != OutgoingMessage.Status.FAILED:
            raise ExchangeError(_("Nur gescheiterte Nachrichten können erneut gesendet werden."))
        locked.status = OutgoingMessage.Status.PENDING
        locked.attempts = 0
        locked.lease_until = None
        locked.save(update_fields=["status", "attempts", "lease_until"])
        transaction.on_commit(lambda: schedule(locked.pk))
    return locked


# --- transmission log ---------------------------------------------------------------------------------------


def log_for_reference(reference: str):
    return (
        OutgoingMessage.objects.filter(reference=reference)
        .select_related("recipient", "sender")
        .order_by("created_at", "recipient__name")
    )


def log_for_staff(user, reference: str | None = None):
    """The sending authorities' transmission log, tenancy enforced (other authorities' messages never
    show)."""
    from amtsweg.accounts.services import authorities_for

    rows = OutgoingMessage.objects.filter(sender__in=authorities_for(user)).select_related(
        "recipient", "sender"
    )
    if reference is not None:
        rows = rows.filter(reference=reference)
    return rows.order_by("-created_at")


def purge_logs(today=None) -> dict:
    """Delete transmission log entries past their deletion date, and old SANDBOX receipts."""
    today = today or timezone.localdate()
    _total, detail = OutgoingMessage.objects.filter(
        status=OutgoingMessage.Status.DELIVERED, delete_after__isnull=False, delete_after__lt=today
    ).delete()
    deleted = detail.get("exchange.OutgoingMessage", 0)
    keep_days = int(getattr(settings, "EXCHANGE_SANDBOX_KEEP_DAYS", 30))
    sandbox, _detail = SandboxMessage.objects.filter(
        received_at__lt=timezone.now() - timedelta(days=keep_days)
    ).delete()
    return {"log_entries": deleted, "sandbox_messages": sandbox}
