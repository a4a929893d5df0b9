"""The append-only, hash-chained audit trail.

Each authority has its own chain (events without an authority go to "platform"), so concurrent cases of
different authorities do not wait for each other. Appending locks the chain's head row (`AuditChain`), gives
the event the next sequence number and stores

    hash = sha256(prev_hash + canonical JSON of the row)

`verify()` walks every chain: a changed row breaks its own hash, a deleted or inserted row breaks the
sequence or
the link to its predecessor, and a deleted last row no longer matches the head. Call `append` inside the
transaction of the change it records. Events never hold personal data (ids, states, purposes only).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC

from django.db import IntegrityError, transaction
from django.utils import timezone

PLATFORM_CHAIN = "platform"


def _canonical(event) -> bytes:
    at = event.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    row = {
        "chain": event.chain,
        "seq": event.seq,
        "case": event.case_id,
        "authority": event.authority_id,
        "actor": event.actor_id,
        "actor_label": event.actor_label,
        "kind": event.kind,
        "from": event.from_state,
        "to": event.to_state,
        "detail": event.detail,
        "at": at,
    }
    return json.dumps(row, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str).encode()


def compute_hash(event) -> str:
    return hashlib.sha256(event.prev_hash.encode() + _canonical(event)).hexdigest()


def _chain_head(chain: str):
    from amtsweg.cases.models import AuditChain

    head = AuditChain.objects.select_for_update().filter(chain=chain).first()
    if head is None:
        try:
            with transaction.atomic():
                AuditChain.objects.create(chain=chain)
        except IntegrityError:
            pass
        head = AuditChain.objects.select_for_update().get(chain=chain)
    return head


def append(
    kind: str, *, case=None, authority=None, actor=None, from_state="", to_state="", detail=None, at=None
):
    """Append one event (inside the caller's transaction) and return it."""
    from amtsweg.cases.models import AuditEvent

    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.append must run inside the transaction of the change it records")
    if authority is None and case is not None:
        authority = case.authority
    chain = authority.key if authority is not None else PLATFORM_CHAIN
    head = _chain_head(chain)
    label = ""
    if actor is not None:
        label = (getattr(actor, "display_name", "") or getattr(actor, "username", ""))[:200]
    event = AuditEvent(
        chain=chain,
        seq=head.seq + 1,
        case=case,
        authority=authority,
        actor=actor,
        actor_label=label or ("System" if actor is None else ""),
        kind=kind,
        from_state=from_state or "",
        to_state=to_state or "",
        detail=json.loads(json.dumps(detail or {}, default=str)),
        at=at or timezone.now(),
        prev_hash=head.head_hash,
    )
    event.hash = compute_hash(event)
    event.save(force_insert=True)
    head.seq = event.seq
    head.head_hash = event.hash
    head.save(update_fields=["seq", "head_hash"])
    return event


@dataclass
class Problem:
    chain: str
    event_id: int | None
    seq: int | None
    message: str

    def __str__(self):
        where = (
            f"Eintrag id={self.event_id} (Kette {self.chain}, Nr. {self.seq})"
            if self.event_id
            else f"Kette {self.chain}"
        )
        return f"{where}: {self.message}"


def verify(chains: list[str] | None = None) -> tuple[int, list[Problem]]:
    """(number of events checked, problems). An empty problem list means the trail is intact."""
    from amtsweg.cases.models import AuditChain, AuditEvent

    problems: list[Problem] = []
    checked = 0
    names = set(AuditChain.objects.values_list("chain", flat=True)) | set(
        AuditEvent.objects.values_list("chain", flat=True).distinct()
    )
    if chains:
        names &= set(chains)
    for chain in sorted(names):
        head = AuditChain.objects.filter(chain=chain).first()
        previous_hash = ""
        expected_seq = 1
        last_seq = 0
        for event in AuditEvent.objects.filter(chain=chain).order_by("seq", "id").iterator(chunk_size=2000):
            checked += 1
            if event.seq != expected_seq:
                if event.seq > expected_seq:
                    message = f"Nr. {expected_seq} bis {event.seq - 1} fehlen (gelöscht?)"
                else:
                    message = "doppelte Nummer (eingefügt?)"
                problems.append(Problem(chain, event.id, event.seq, message))
                expected_seq = event.seq
            if event.prev_hash != previous_hash:
                problems.append(
                    Problem(
                        chain,
                        event.id,
                        event.seq,
                        "Verkettung gebrochen: Vorgänger fehlt oder wurde eingefügt",
                    )
                )
            if compute_hash(event) != event.hash:
                problems.append(
                    Problem(chain, event.id, event.seq, "Inhalt verändert (Prüfsumme stimmt nicht)")
                )
            previous_hash = event.hash
            expected_seq += 1
            last_seq = event.seq
        if head is None:
            problems.append(Problem(chain, None, None, "Kettenkopf fehlt"))
        elif head.seq != last_seq or head.head_hash != previous_hash:
            problems.append(
                Problem(
                    chain,
                    None,
                    None,
                    f"Kettenende passt nicht zum Kopf (Kopf Nr. {head.seq}, letzter Eintrag Nr. {last_seq}): "
                    "letzte Einträge gelöscht?",
                )
            )
    return checked, problems
