"""SANDBOX: the receiving side that stands in for the recipients (IHK, HWK, Finanzamt, …) in demo and tests.

It behaves like a real receiver should: it decrypts with its own private key, verifies the sender's signature
against the published key, refuses envelopes meant for someone else or whose idempotency key does not match
the
signed one, and stores each idempotency key once (a repeated delivery is acknowledged again, not stored
twice).
`SandboxBehaviour.fail_next` makes it answer with an error for the next N requests.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree

from amtsweg.exchange import crypto
from amtsweg.exchange.models import Recipient, SandboxBehaviour, SandboxMessage

MAX_BODY = 4 * 1024 * 1024


def enabled() -> bool:
    return bool(getattr(settings, "EXCHANGE_SANDBOX_ENABLED", False))


@dataclass
class Answer:
    status: int
    body: dict


def _refuse(status: int, message: str) -> Answer:
    return Answer(status, {"fehler": message})


def receive(recipient_key: str, body: bytes, idempotency_key: str | None) -> Answer:
    recipient = Recipient.objects.filter(key=recipient_key, endpoint="sandbox", active=True).first()
    if recipient is None or not enabled():
        return _refuse(404, _("Unbekannter Empfänger."))
    failing = SandboxBehaviour.objects.filter(recipient=recipient, fail_next__gt=0)
    behaviour = failing.first()
    if behaviour is not None and failing.update(fail_next=F("fail_next") - 1):
        return _refuse(behaviour.fail_status, _("SANDBOX: Der Empfänger ist absichtlich gestört."))
    try:
        key = uuid.UUID(str(idempotency_key or ""))
    except ValueError:
        return _refuse(400, _("Der Kopf „Idempotency-Key“ fehlt oder ist keine UUID."))
    if len(body) > MAX_BODY:
        return _refuse(413, _("Die Nachricht ist zu groß."))
    try:
        token = body.decode("ascii")
        header, payload = crypto.open_envelope(token, crypto.sandbox_private_key(recipient))
    except UnicodeDecodeError:
        return _refuse(400, _("Der Umschlag hat kein gültiges Format."))
    except crypto.EnvelopeError as exc:
        return _refuse(401 if "Signatur" in str(exc) or "Absender" in str(exc) else 400, str(exc))
    if header.get("aud") != recipient.key:
        return _refuse(400, _("Die Nachricht ist für einen anderen Empfänger bestimmt."))
    if header.get("idk") != str(key):
        return _refuse(400, _("Der Idempotenzschlüssel passt nicht zur signierten Nachricht."))
    try:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
        etree.fromstring(payload, parser)
        content = payload.decode("utf-8")
    except (etree.XMLSyntaxError, UnicodeDecodeError):
        return _refuse(422, _("Der Inhalt ist kein gültiges XML."))
    now = timezone.now()
    values = {
        "message_type": str(header.get("mtyp", ""))[:80],
        "sender_authority": header.get("authority", "")[:100],
        "sender_kid": str(header.get("kid", ""))[:100],
        "content": content,
        "content_sha256": hashlib.sha256(payload).hexdigest(),
    }
    for _attempt in range(2):
        try:
            with transaction.atomic():
                stored, created = SandboxMessage.objects.get_or_create(
                    recipient=recipient, idempotency_key=key, defaults=values
                )
                if not created:
                    SandboxMessage.objects.filter(pk=stored.pk).update(
                        times_received=F("times_received") + 1, last_received_at=now
                    )
            break
        except IntegrityError:  # a concurrent delivery of the same key won the insert
            continue
    return Answer(200, {"quittung": f"SBX-{recipient.key}-{stored.pk}", "doppelt": not created})


def element_paths(content: str) -> list[str]:
    """The element paths (local names, below each record) of a stored message, for the inbox page."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    root = etree.fromstring(content.encode("utf-8"), parser)
    found: set[str] = set()

    def walk(element, path):
        for child in element:
            if not isinstance(child.tag, str) or not etree.QName(child).namespace:
                continue
            child_path = f"{path}/{etree.QName(child).localname}" if path else etree.QName(child).localname
            found.add(child_path)
            walk(child, child_path)

    for satz in root:
        if isinstance(satz.tag, str) and etree.QName(satz).localname == "satz":
            walk(satz, "")
    return sorted(found)


def pretty(content: str) -> str:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, remove_blank_text=True)
    root = etree.fromstring(content.encode("utf-8"), parser)
    return etree.tostring(root, pretty_print=True, encoding="unicode")


def fail_next(recipient: Recipient, count: int, status: int = 500) -> None:
    SandboxBehaviour.objects.update_or_create(
        recipient=recipient, defaults={"fail_next": count, "fail_status": status}
    )
