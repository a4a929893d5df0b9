"""Settling bank transfers from ISO 20022 camt.053 bank statements (any camt.053.001.xx version).

The XML is parsed with defusedxml: no DTDs, no entities, no external resources. Each credit entry
is matched by its structured creditor reference (RF, ISO 11649; or an RF found in the free
remittance text) and its amount. Everything that does not match exactly is kept as an
`UnmatchedBankEntry` for a person to resolve. Importing the same statement twice changes nothing.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import date

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from amtsweg.payments import states
from amtsweg.payments.models import BankEntry, BankEntryReason, BankEntryStatus, Payment, PaymentState
from amtsweg.payments.money import decimal_to_cents
from amtsweg.payments.references import find_rf, is_valid_rf, normalise

logger = logging.getLogger("amtsweg.payments")

MAX_BYTES = 50 * 1024 * 1024


class CamtError(ValueError):
    """The file is not a readable camt.053 statement; German message."""


@dataclass
class ParsedTransaction:
    entry_key: str
    statement_id: str
    booked_on: date | None
    amount_cents: int
    currency: str
    reference: str  # structured reference as given (may be invalid)
    remittance: str
    debtor_name: str
    debtor_iban: str
    credit: bool
    booked: bool


@dataclass
class ImportResult:
    matched: list = field(default_factory=list)
    unmatched: list = field(default_factory=list)
    skipped: int = 0  # already imported earlier
    ignored: int = 0  # debits and entries not yet booked

    def summary(self) -> str:
        return _(
            "%(matched)d zugeordnet, %(unmatched)d zu klären, "
            "%(skipped)d bereits eingelesen, %(ignored)d nicht relevant"
        ) % {
            "matched": len(self.matched),
            "unmatched": len(self.unmatched),
            "skipped": self.skipped,
            "ignored": self.ignored,
        }


def _text(element, path: str) -> str:
    if element is None:
        return ""
    found = element.find(path)
    return (found.text or "").strip() if found is not None and found.text else ""


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text[:10]) if text else None
    except ValueError:
        return None


def _amount(element) -> tuple[int, str]:
    if element is None or not (element.text or "").strip():
        raise CamtError(_("Eine Buchung hat keinen Betrag."))
    try:
        return decimal_to_cents(element.text.strip()), element.get("Ccy", "")
    except (ValueError, ArithmeticError):
        raise CamtError(_("Ein Betrag ist ungültig: %(value)s") % {"value": element.text[:40]}) from None


def parse_camt053(data: bytes) -> list[ParsedTransaction]:
    if len(data) > MAX_BYTES:
        raise CamtError(_("Die Datei ist zu groß (höchstens 50 MB)."))
    try:
        root = SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise CamtError(_("Die Datei enthält unzulässige XML-Konstrukte (DTD oder Entitäten).")) from None
    except SafeET.ParseError as exc:
        raise CamtError(_("Die Datei ist kein gültiges XML: %(error)s") % {"error": exc}) from None
    if not root.tag.endswith("}Document") or "camt.053" not in root.tag:
        raise CamtError(_("Die Datei ist kein Kontoauszug im Format camt.053."))
    statements = root.findall("{*}BkToCstmrStmt/{*}Stmt")
    if not statements:
        raise CamtError(_("Die Datei enthält keinen Kontoauszug."))
    result = []
    for stmt in statements:
        stmt_id = _text(stmt, "{*}Id") or hashlib.sha256(SafeET.tostring(stmt)).hexdigest()[:16]
        for n_index, entry in enumerate(stmt.findall("{*}Ntry")):
            credit = _text(entry, "{*}CdtDbtInd") == "CRDT"
            status = _text(entry, "{*}Sts") or _text(entry, "{*}Sts/{*}Cd")
            booked = status == "BOOK"
            booked_on = _date(_text(entry, "{*}BookgDt/{*}Dt") or _text(entry, "{*}BookgDt/{*}DtTm"))
            entry_amount, entry_ccy = _amount(entry.find("{*}Amt"))
            entry_ref = _text(entry, "{*}AcctSvcrRef") or _text(entry, "{*}NtryRef")
            details = entry.findall("{*}NtryDtls/{*}TxDtls")
            if not details:
                details = [None]
            for t_index, tx in enumerate(details):
                if tx is not None and (
                    tx.find("{*}AmtDtls/{*}TxAmt/{*}Amt") is not None or tx.find("{*}Amt") is not None
                ):
                    amount_el = tx.find("{*}AmtDtls/{*}TxAmt/{*}Amt")
                    if amount_el is None:
                        amount_el = tx.find("{*}Amt")
                    amount, ccy = _amount(amount_el)
                elif len(details) == 1:
                    amount, ccy = entry_amount, entry_ccy
                else:
                    raise CamtError(_("Eine Sammelbuchung nennt die Einzelbeträge nicht."))
                tx_ref = _text(tx, "{*}Refs/{*}AcctSvcrRef")
                if tx_ref:
                    key = tx_ref
                elif entry_ref:
                    key = entry_ref if len(details) == 1 else f"{entry_ref}/{t_index}"
                else:
                    key = f"{stmt_id}/{n_index}/{t_index}"
                remittance = " ".join(
                    (el.text or "").strip()
                    for el in (tx.findall("{*}RmtInf/{*}Ustrd") if tx is not None else [])
                )
                result.append(
                    ParsedTransaction(
                        entry_key=key[:200],
                        statement_id=stmt_id[:200],
                        booked_on=booked_on,
                        amount_cents=amount,
                        currency=ccy or "EUR",
                        reference=_text(tx, "{*}RmtInf/{*}Strd/{*}CdtrRefInf/{*}Ref")[:200],
                        remittance=remittance[:2000],
                        debtor_name=(
                            _text(tx, "{*}RltdPties/{*}Dbtr/{*}Nm")
                            or _text(tx, "{*}RltdPties/{*}Dbtr/{*}Pty/{*}Nm")
                        )[:200],
                        debtor_iban=_text(tx, "{*}RltdPties/{*}DbtrAcct/{*}Id/{*}IBAN")[:34],
                        credit=credit,
                        booked=booked,
                    )
                )
    return result


def _match(tx: ParsedTransaction, authority) -> tuple[Payment | None, str, str]:
    """(payment, reference, reason) for one credit transaction."""
    if tx.currency != "EUR":
        return None, normalise(tx.reference), BankEntryReason.WRONG_CURRENCY
    reference = normalise(tx.reference)
    if reference and not is_valid_rf(reference):
        found = find_rf(tx.remittance)
        if not found:
            return None, reference, BankEntryReason.INVALID_REFERENCE
        reference = found
    if not reference:
        reference = find_rf(tx.remittance) or ""
        if not reference:
            return None, "", BankEntryReason.NO_REFERENCE
    payment = Payment.objects.filter(
        provider="ueberweisung", provider_reference=reference, request__authority=authority
    ).first()
    if payment is None:
        return None, reference, BankEntryReason.UNKNOWN_REFERENCE
    if tx.amount_cents != payment.amount_cents:
        return payment, reference, BankEntryReason.WRONG_AMOUNT
    if payment.state in (PaymentState.PAID, PaymentState.PARTIALLY_REFUNDED, PaymentState.REFUNDED):
        return payment, reference, BankEntryReason.DUPLICATE
    return payment, reference, BankEntryReason.NONE


def import_camt053(data: bytes, authority, *, by=None) -> ImportResult:
    """Import a camt.053 statement for `authority`'s account; see the module docstring."""
    transactions = parse_camt053(data)
    result = ImportResult()
    for tx in transactions:
        if not tx.credit or not tx.booked:
            result.ignored += 1
            continue
        if BankEntry.objects.filter(authority=authority, entry_key=tx.entry_key).exists():
            result.skipped += 1
            continue
        try:
            with transaction.atomic():
                payment, reference, reason = _match(tx, authority)
                entry = BankEntry.objects.create(
                    authority=authority,
                    entry_key=tx.entry_key,
                    statement_id=tx.statement_id,
                    booked_on=tx.booked_on,
                    amount_cents=tx.amount_cents,
                    currency=tx.currency[:3],
                    reference=reference[:200],
                    remittance=tx.remittance,
                    debtor_name=tx.debtor_name,
                    debtor_iban=tx.debtor_iban,
                    status=BankEntryStatus.UNMATCHED if reason else BankEntryStatus.MATCHED,
                    reason=reason,
                    payment=payment,
                )
                if payment is not None and not reason:
                    states.transition(
                        payment,
                        PaymentState.PAID,
                        source="camt053",
                        method="transfer",
                        detail={
                            "entry": tx.entry_key,
                            "booked_on": str(tx.booked_on or ""),
                            "by": getattr(by, "pk", None),
                        },
                    )
                    if payment.is_duplicate:
                        # Paid already by another attempt (e.g. card): the transfer goes back, by hand.
                        entry.status = BankEntryStatus.UNMATCHED
                        entry.reason = BankEntryReason.DUPLICATE
                        entry.save(update_fields=["status", "reason"])
                elif payment is not None:
                    states.note(
                        payment,
                        "bank_entry_unmatched",
                        source="camt053",
                        amount=tx.amount_cents,
                        detail={"entry": tx.entry_key, "reason": reason},
                    )
        except IntegrityError:
            result.skipped += 1  # imported concurrently
            continue
        (result.unmatched if entry.status == BankEntryStatus.UNMATCHED else result.matched).append(entry)
    logger.info(
        "camt.053 imported",
        extra={
            "authority": authority.key,
            "matched": len(result.matched),
            "unmatched": len(result.unmatched),
            "skipped": result.skipped,
        },
    )
    return result


def resolve_entry(entry: BankEntry, *, by, note: str) -> BankEntry:
    """A person has dealt with an unmatched entry (booked by hand, paid back, …)."""
    from django.utils import timezone

    note = (note or "").strip()
    if not note:
        raise CamtError(_("Bitte beschreiben Sie kurz, wie die Buchung geklärt wurde."))
    updated = BankEntry.objects.filter(pk=entry.pk, status=BankEntryStatus.UNMATCHED).update(
        status=BankEntryStatus.RESOLVED,
        resolved_at=timezone.now(),
        resolved_by=by,
        resolution_note=note[:2000],
    )
    if not updated:
        raise CamtError(_("Diese Buchung ist bereits geklärt."))
    entry.refresh_from_db()
    return entry
