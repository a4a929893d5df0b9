"""The i-Kfz portal dialogue (§§ 18–20 FZV): identify the vehicle with its security codes, enter the details,
see
the automatic checks, pay, submit. Plain functions, testable without HTTP; the views only parse and render.

    dialogue = start(user, "kfz-ausserbetriebsetzung")
    outcome = verify_vehicle(dialogue, plate="ERZ-EB 101", codes=SecurityCodes(zb1=…, seal_front=…,
    seal_rear=…))
    save_details(dialogue, user, {"reservieren": False})
    review = review_for(dialogue, user)             # findings, fee, whether the decision can be automatic
    payment_request = request_payment(dialogue, user, trust_level="niedrig")
    ...                                             # the citizen pays on the payments page
    case = submit(dialogue)                         # hands the code-free data to the case engine

Security codes: checked once against the register (`verify_vehicle`), never stored; the dialogue keeps only
the
count of wrong entries (row-locked, so parallel requests cannot bypass it), the vehicle's register version and
which code kinds were verified. The first entry plus three corrections are allowed, then the dialogue is
aborted.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import functools
import hashlib
import json
import logging
import random
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db import OperationalError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from amtsweg.accounts.services import TrustLevel
from amtsweg.procedures import registry
from amtsweg.procedures.kfz import checks as kfz_checks
from amtsweg.procedures.kfz import crypto, fees
from amtsweg.procedures.kfz.models import (
    DecisionRecord,
    Dialogue,
    DialogueEvent,
    DispatchItem,
    ProvisionalProof,
)
from amtsweg.procedures.kfz.procedure import KFZ_KEYS
from amtsweg.vehicle_register import checks as rules
from amtsweg.vehicle_register import codes as code_rules
from amtsweg.vehicle_register.interface import CodesLocked, SecurityCodes, VehicleRecord
from amtsweg.vehicle_register.plates import PlateFormatError, normalize_plate, parse_plate
from amtsweg.vehicle_register.vin import normalize_vin

logger = logging.getLogger("amtsweg.kfz")
security_log = logging.getLogger("amtsweg.kfz.security")
ABORTED_DATA_MINUTES = 30  # § 19 FZV: dialogue data deleted 30 minutes after an abort
INACTIVE_MINUTES = 60  # an open dialogue nobody touched for an hour counts as aborted
PAYMENT_WAIT_HOURS = 72  # an unpaid application is aborted (and its payment request cancelled) after this
LOG_RETENTION_DAYS = 183  # § 19 FZV: logs six months
DISPATCH_DAYS = 6  # § 26 (4) FZV: documents and seals by post within six calendar days


class DialogueError(Exception):
    """A refused step; `message` is German; `errors` maps form fields to messages."""

    def __init__(self, message: str, errors: dict | None = None):
        super().__init__(message)
        self.message = message
        self.errors = dict(errors or {})


class NeedsDistrictChoice(DialogueError):
    """The postal code lies in several registration districts: the applicant chooses one of `candidates`."""

    def __init__(self, message: str, candidates: list):
        super().__init__(message)
        self.candidates = candidates


@dataclass
class VerifyOutcome:
    ok: bool
    message: str = ""
    aborted: bool = False
    corrections_left: int = rules.MAX_CORRECTIONS
    errors: dict = field(default_factory=dict)


@dataclass
class Review:
    findings: list[dict]
    quote: object | None
    authority: object | None
    problem: str = ""

    @property
    def all_passed(self) -> bool:
        return all(f["passed"] for f in self.findings)

    @property
    def failed(self) -> list[dict]:
        return [f for f in self.findings if not f["passed"]]


# --- helpers
# -----------------------------------------------------------------------------------------------------


def procedure_for(dialogue: Dialogue):
    return registry.get(dialogue.procedure_key)


def values(dialogue: Dialogue) -> dict:
    return crypto.open_sealed(dialogue.data_encrypted, dialogue.pk)


def _store(dialogue: Dialogue, data: dict, **fields) -> None:
    dialogue.data_encrypted = crypto.seal(data, dialogue.pk)
    dialogue.updated_at = timezone.now()
    for name, value in fields.items():
        setattr(dialogue, name, value)
    dialogue.save(update_fields=["data_encrypted", "updated_at", *fields])


def log(dialogue: Dialogue, kind: str, **detail) -> None:
    DialogueEvent.objects.create(
        dialogue_id=dialogue.pk, procedure_key=dialogue.procedure_key, kind=kind, detail=detail
    )


def _register():
    from amtsweg.vehicle_register.services import get_register

    return get_register()


def _refreshes(func):
    """The service works on a row-locked copy; afterwards the caller's object shows the stored state."""

    @functools.wraps(func)
    def wrapper(dialogue, *args, **kwargs):
        try:
            return func(dialogue, *args, **kwargs)
        finally:
            if isinstance(dialogue, Dialogue):
                with contextlib.suppress(Dialogue.DoesNotExist):
                    dialogue.refresh_from_db()

    return wrapper


def _lock(dialogue: Dialogue) -> Dialogue:
    return Dialogue.objects.select_for_update().get(pk=dialogue.pk)


def _require(dialogue: Dialogue, *statuses) -> None:
    if dialogue.status == Dialogue.Status.ABORTED:
        raise DialogueError(_("Dieser Antrag wurde abgebrochen. Bitte beginnen Sie einen neuen Antrag."))
    if dialogue.status not in statuses:
        if dialogue.status in (Dialogue.Status.AWAITING_PAYMENT, Dialogue.Status.PAID):
            raise DialogueError(
                _("Die Angaben sind mit der Zahlung festgelegt und können nicht mehr geändert werden.")
            )
        raise DialogueError(_("Dieser Antrag wurde bereits übermittelt."))


# --- start and vehicle
# ---------------------------------------------------------------------------------------------


def start(user, procedure_key: str) -> Dialogue:
    if procedure_key not in KFZ_KEYS:
        raise DialogueError(_("Dieses Onlineverfahren gibt es nicht."))
    _register()  # raises RegisterUnavailable (German) where no register is connected
    dialogue = Dialogue.objects.create(owner=user, procedure_key=procedure_key)
    log(dialogue, "started")
    return dialogue


@_refreshes
def verify_vehicle(
    dialogue: Dialogue, *, plate: str = "", vin: str = "", zb2_number: str = "", codes: SecurityCodes
) -> VerifyOutcome:
    """Find the vehicle and check the codes. Wrong codes are counted here, per dialogue, under a row lock."""
    procedure = procedure_for(dialogue)
    register = _register()
    errors = {}
    if procedure.identify_by == "plate":
        try:
            parse_plate(plate)
        except PlateFormatError as exc:
            errors["kennzeichen"] = str(exc)
    elif len(normalize_vin(vin)) != 17:
        errors["fin"] = _(
            "Die Fahrzeug-Identifizierungsnummer hat 17 Zeichen (Feld E der Zulassungsbescheinigung)."
        )
    given = codes.as_dict()
    for kind in procedure.code_kinds:
        if not code_rules.well_formed(kind, given.get(kind)):
            errors[f"code_{kind}"] = _("Bitte geben Sie den %(label)s vollständig ein (%(n)d Zeichen).") % {
                "label": code_rules.LABELS[kind],
                "n": code_rules.LENGTHS[kind],
            }
    if errors:  # typing errors are not attempts
        return VerifyOutcome(False, _("Bitte prüfen Sie die markierten Angaben."), errors=errors)
    with transaction.atomic():
        dialogue = _lock(dialogue)
        _require(dialogue, Dialogue.Status.OPEN)
        if dialogue.codes_verified_at is not None:
            raise DialogueError(_("Das Fahrzeug ist für diesen Antrag schon bestätigt."))
        record = (
            register.lookup(plate=plate) if procedure.identify_by == "plate" else register.lookup(vin=vin)
        )
        if record is None:
            message = (
                _(
                    "Zu diesem Kennzeichen ist kein zugelassenes Fahrzeug eingetragen. Bitte prüfen Sie die "
                    "Schreibweise."
                )
                if procedure.identify_by == "plate"
                else _("Zu dieser Fahrzeug-Identifizierungsnummer ist kein Fahrzeug eingetragen.")
            )
            return VerifyOutcome(
                False, message, errors={"kennzeichen" if procedure.identify_by == "plate" else "fin": message}
            )
        state = rules.state_finding(record, procedure.allowed_states, str(procedure.title))
        if not state.passed:
            return VerifyOutcome(False, state.message)
        if procedure.key == "kfz-neuzulassung" and normalize_vin(zb2_number) != record.zb2_number:
            message = _("Die Nummer der Zulassungsbescheinigung Teil II passt nicht zu diesem Fahrzeug.")
            return VerifyOutcome(False, message, errors={"zb2_nummer": message})
        try:
            result = register.verify_codes(record.ref, codes, procedure.code_kinds)
        except CodesLocked as exc:
            _abort(dialogue, Dialogue.AbortReason.LOCKED)
            return VerifyOutcome(False, exc.message, aborted=True, corrections_left=0)
        if result.ok:
            data = {"fin": record.vin, "bezirk_alt": record.district_ags}
            if record.plate:
                data["kennzeichen"] = record.plate
            if procedure.key == "kfz-ausserbetriebsetzung":
                data["bezirk"] = record.district_ags
            if procedure.key == "kfz-neuzulassung":
                data["zb2_nummer"] = record.zb2_number
            _store(
                dialogue,
                data,
                vehicle_ref=record.ref,
                vehicle_version=result.version,
                codes_verified_at=timezone.now(),
                verified_kinds=list(procedure.code_kinds),
            )
            log(dialogue, "codes_ok", kinds=list(procedure.code_kinds), wrong_entries=dialogue.wrong_entries)
            return VerifyOutcome(True, _("Die Sicherheitscodes stimmen. Das Fahrzeug ist bestätigt."))
        if result.unusable:
            finding = rules.codes_finding(result, dialogue.wrong_entries)
            return VerifyOutcome(
                False, finding.message, corrections_left=rules.corrections_left(dialogue.wrong_entries)
            )
        dialogue.wrong_entries += 1
        dialogue.updated_at = timezone.now()
        dialogue.save(update_fields=["wrong_entries", "updated_at"])
        log(dialogue, "codes_wrong", entry=dialogue.wrong_entries, kinds=list(result.wrong))
        finding = rules.codes_finding(result, dialogue.wrong_entries)
        if rules.must_abort(dialogue.wrong_entries):
            _abort(dialogue, Dialogue.AbortReason.CODES)
            security_log.warning(
                "i-Kfz dialogue aborted after wrong codes", extra={"dialogue": str(dialogue.pk)}
            )
            return VerifyOutcome(False, finding.message, aborted=True, corrections_left=0)
        return VerifyOutcome(
            False,
            finding.message,
            corrections_left=rules.corrections_left(dialogue.wrong_entries),
            errors={f"code_{kind}": _("Dieser Code passt nicht.") for kind in result.wrong},
        )


def record_for(dialogue: Dialogue) -> VehicleRecord:
    if not dialogue.vehicle_ref:
        raise DialogueError(_("Bitte bestätigen Sie zuerst das Fahrzeug mit seinen Sicherheitscodes."))
    return _register().get(dialogue.vehicle_ref)


# --- details
# ---------------------------------------------------------------------------------------------------------


def district_candidates(postal_code: str) -> list:
    from amtsweg.regions.services import districts_for_postal_code

    try:
        return list(districts_for_postal_code(postal_code))
    except Exception:
        return []


@_refreshes
def save_details(dialogue: Dialogue, user, cleaned: dict, *, district_choice: str = "") -> list[dict]:
    """Store the procedure's details (already validated by the form) and return the fresh findings."""
    procedure = procedure_for(dialogue)
    record = record_for(dialogue)
    data = values(dialogue)
    errors = {}
    for item in procedure.details_fields:
        value = cleaned.get(item.name)
        if isinstance(value, dt.date):
            value = value.isoformat()
        data[item.name] = value
    if procedure.key == "kfz-ausserbetriebsetzung":
        data["bezirk"] = record.district_ags
        if data.get("reservieren") and not data.get("reservierung_monate"):
            data["reservierung_monate"] = 12
        if not data.get("reservieren"):
            data["reservierung_monate"] = None
    else:
        candidates = district_candidates(data.get("plz") or "")
        if not candidates:
            errors["plz"] = _(
                "Diese Postleitzahl liegt nicht in Sachsen. Online-Anträge hier gelten für Halter mit "
                "Wohnsitz in Sachsen."
            )
        elif len(candidates) > 1 and district_choice not in {c.ags for c in candidates}:
            raise NeedsDistrictChoice(
                _("Diese Postleitzahl gehört zu mehreren Zulassungsbezirken. Bitte wählen Sie Ihren Bezirk."),
                candidates,
            )
        else:
            data["bezirk"] = district_choice if len(candidates) > 1 else candidates[0].ags
        choice = data.get("kennzeichen_wahl")
        if choice == "wunsch" and not normalize_plate(data.get("wunschkennzeichen")):
            errors["wunschkennzeichen"] = _("Bitte geben Sie Ihr Wunschkennzeichen an, z. B. „ERZ-AB 123“.")
        if choice != "wunsch":
            data["wunschkennzeichen"] = ""
        else:
            data["wunschkennzeichen"] = normalize_plate(data["wunschkennzeichen"])
        if (
            procedure.key == "kfz-adressaenderung"
            and data.get("bezirk") == record.district_ags
            and choice != "behalten"
        ):
            errors["kennzeichen_wahl"] = _(
                "Bei einem Umzug innerhalb des Zulassungsbezirks bleibt das Kennzeichen."
            )
        if "iban" in data:
            from amtsweg.vehicle_register.iban import iban_problem, normalize_iban

            data["iban"] = normalize_iban(data["iban"])
            if iban_problem(data["iban"]):
                errors["iban"] = str(rules.iban_finding(data["iban"]).message)
        if "evb" in data:
            data["evb"] = code_rules.normalize_code(data["evb"])
    if errors:
        raise DialogueError(_("Bitte prüfen Sie die markierten Angaben."), errors)
    with transaction.atomic():
        dialogue = _lock(dialogue)
        _require(dialogue, Dialogue.Status.OPEN)
        findings = kfz_checks.as_dicts(
            kfz_checks.evaluate(
                procedure,
                record,
                data,
                kfz_checks.applicant_holder(user, data),
                _register(),
                timezone.localdate(),
            )
        )
        _store(dialogue, {**data, "_details": True}, findings=findings)
        log(dialogue, "details_saved", failed=[f["key"] for f in findings if not f["passed"]])
    return findings


def _same_district(procedure, record: VehicleRecord, data: dict) -> bool:
    if procedure.key == "kfz-wiederzulassung":
        reserved = record.reserved_plate
        if not reserved:
            return False
        from amtsweg.vehicle_register.plates import parse_plate

        return parse_plate(reserved).district in kfz_checks.district_codes(data.get("bezirk") or "")
    return (data.get("bezirk") or "") == record.district_ags


def fee_for(dialogue: Dialogue, data: dict | None = None):
    """(FeeChoice, FeeQuote, authority) for this application; raises DialogueError (German)."""
    from amtsweg.directory.services import authority_for_district
    from amtsweg.payments.services import FeeError

    procedure = procedure_for(dialogue)
    data = values(dialogue) if data is None else data
    record = record_for(dialogue)
    authority = authority_for_district(data.get("bezirk") or "")
    if authority is None:
        raise DialogueError(_("Für diesen Zulassungsbezirk ist keine Zulassungsbehörde eingetragen."))
    choice = fees.fee_choice(procedure.key, data, same_district=_same_district(procedure, record, data))
    try:
        quote = fees.quote(choice, authority)
    except FeeError as exc:
        raise DialogueError(str(exc)) from None
    return choice, quote, authority


def review_for(dialogue: Dialogue, user) -> Review:
    data = values(dialogue)
    if not data.get("_details"):
        raise DialogueError(_("Bitte füllen Sie zuerst alle Angaben aus."))
    procedure = procedure_for(dialogue)
    record = record_for(dialogue)
    findings = kfz_checks.as_dicts(
        kfz_checks.evaluate(
            procedure,
            record,
            data,
            kfz_checks.applicant_holder(user, data),
            _register(),
            timezone.localdate(),
        )
    )
    try:
        _choice, quote, authority = fee_for(dialogue, data)
    except DialogueError as exc:
        return Review(findings, None, None, exc.message)
    return Review(findings, quote, authority)


# --- payment
# ---------------------------------------------------------------------------------------------------------


@_refreshes
def request_payment(dialogue: Dialogue, user, trust_level: str):
    """Freeze the data and create what is owed (amount computed here, never taken from the browser)."""
    from amtsweg.payments.services import PaymentError, create_payment_request

    procedure = procedure_for(dialogue)
    with transaction.atomic():
        dialogue = _lock(dialogue)
        if dialogue.status == Dialogue.Status.AWAITING_PAYMENT and dialogue.payment_reference:
            from amtsweg.payments.services import request_for_reference

            existing = request_for_reference(dialogue.payment_reference)
            if existing is not None:
                return existing
        _require(dialogue, Dialogue.Status.OPEN)
        data = values(dialogue)
        if not data.get("_details") or dialogue.codes_verified_at is None:
            raise DialogueError(_("Bitte füllen Sie zuerst alle Angaben aus."))
        choice, quote, authority = fee_for(dialogue, data)
        try:
            payment_request = create_payment_request(
                reference=dialogue.reference,
                owner=user,
                authority=authority,
                purpose=str(procedure.title)[:300],
                quote=quote,
                procedure_key=procedure.key,
                continue_path=reverse("kfz:submit", args=[dialogue.pk]),
            )
        except PaymentError as exc:
            raise DialogueError(str(exc)) from None
        dialogue.status = Dialogue.Status.AWAITING_PAYMENT
        dialogue.fee_cents = quote.total_cents
        dialogue.fee_rule = choice.as_text()
        dialogue.authority = authority
        dialogue.payment_reference = dialogue.reference
        dialogue.trust_level = TrustLevel.parse(trust_level).key
        dialogue.updated_at = timezone.now()
        dialogue.save(
            update_fields=[
                "status",
                "fee_cents",
                "fee_rule",
                "authority",
                "payment_reference",
                "trust_level",
                "updated_at",
            ]
        )
        log(dialogue, "payment_requested", fee_cents=quote.total_cents, rule=choice.as_text())
    return payment_request


def payment_request_of(dialogue: Dialogue):
    from amtsweg.payments.services import request_for_reference

    return request_for_reference(dialogue.reference) if dialogue.payment_reference else None


def check_payment(dialogue: Dialogue) -> None:
    """The fee for exactly this application is paid (raises DialogueError otherwise; nothing is changed)."""
    from amtsweg.payments.money import format_cents

    payment_request = payment_request_of(dialogue)
    if payment_request is None or payment_request.state != "paid":
        raise DialogueError(
            _("Die Gebühr ist noch nicht bezahlt. Bitte schließen Sie zuerst die Zahlung ab.")
        )
    # The amount was computed on the server when the data was frozen (request_payment) and is owed exactly
    # once:
    # the payment must be for that amount, this authority and this applicant. (Not re-quoted: an authority
    # that
    # changes its fee after the applicant paid must not make the paid application fail.)
    expected = dialogue.fee_cents
    if (
        expected is None
        or payment_request.amount_cents != expected
        or payment_request.authority_id != dialogue.authority_id
        or payment_request.owner_id != dialogue.owner_id
    ):
        security_log.warning(
            "i-Kfz submission refused: paid amount differs from the fee",
            extra={"dialogue": str(dialogue.pk), "paid": payment_request.amount_cents, "expected": expected},
        )
        raise DialogueError(
            _(
                "Der bezahlte Betrag (%(paid)s) entspricht nicht der Gebühr für diesen Antrag (%(fee)s). "
                "Der Antrag wurde nicht übermittelt und nichts wurde geändert. Bitte wenden Sie sich an die "
                "Zulassungsbehörde."
            )
            % {"paid": format_cents(payment_request.amount_cents), "fee": format_cents(expected or 0)}
        )


def mark_paid(dialogue: Dialogue) -> bool:
    """Called when the payments app reports the reference as paid (idempotent)."""
    updated = Dialogue.objects.filter(pk=dialogue.pk, status=Dialogue.Status.AWAITING_PAYMENT).update(
        status=Dialogue.Status.PAID, updated_at=timezone.now()
    )
    if updated:
        log(dialogue, "paid")
    return bool(updated)


# --- submission
# ---------------------------------------------------------------------------------------------------


def submission_values(dialogue: Dialogue) -> dict:
    procedure = procedure_for(dialogue)
    data = values(dialogue)
    result = {"dialog": str(dialogue.pk)}
    for step in procedure.steps:
        for item in step.fields:
            if item.name in data and item.name != "dialog":
                result[item.name] = data[item.name]
    return result


# The submission in progress (this thread/context): lets the engine's `checks` hook use the locked dialogue
# and hand back what the register did without extra queries.
SUBMITTING: contextvars.ContextVar[dict | None] = contextvars.ContextVar("kfz_submitting", default=None)


@_refreshes
def submit(dialogue: Dialogue):
    """Hand the paid application to the case engine; returns the Case. Idempotent (the same case again).

    One transaction: the engine's draft and submission, the automatic checks with the register change, the
    decision, and our records. Any refusal rolls all of it back (no register change, no case). A transaction
    that the database aborts (deadlock, busy SQLite file) is retried from the start, at most three times.
    """
    from amtsweg.cases import services as cases

    procedure = procedure_for(dialogue)
    for attempt in range(1, 4):
        try:
            return _submit_once(dialogue, procedure)
        except cases.CaseError as exc:
            Dialogue.objects.filter(pk=dialogue.pk).update(submit_error=exc.message[:500])
            logger.warning(
                "i-Kfz submission refused by the engine",
                extra={"dialogue": str(dialogue.pk), "error": exc.message[:200]},
            )
            raise DialogueError(exc.message, exc.errors) from None
        except OperationalError:
            if attempt == 3:
                raise
            logger.warning("i-Kfz submission retried after a database conflict", extra={"attempt": attempt})
            time.sleep(0.05 * attempt + random.random() / 20)  # noqa: S311 (jitter, not security)
    raise AssertionError("unreachable")


def _submit_once(dialogue: Dialogue, procedure):
    from amtsweg.cases import services as cases
    from amtsweg.payments.services import is_paid

    with transaction.atomic():
        dialogue = _lock(dialogue)
        if dialogue.case_id:
            return dialogue.case
        if dialogue.status == Dialogue.Status.AWAITING_PAYMENT and is_paid(dialogue.reference):
            dialogue.status = Dialogue.Status.PAID
        if dialogue.status == Dialogue.Status.ABORTED:
            raise DialogueError(_("Dieser Antrag wurde abgebrochen. Bitte beginnen Sie einen neuen Antrag."))
        if dialogue.status != Dialogue.Status.PAID:
            raise DialogueError(
                _("Die Gebühr ist noch nicht bezahlt. Bitte schließen Sie zuerst die Zahlung ab.")
            )
        check_payment(dialogue)
        submitted = submission_values(dialogue)
        user = dialogue.owner
        draft = cases.start_draft(user, procedure.key, None)
        for index, step in enumerate(procedure.steps):
            cases.save_step_values(
                draft, index, {item.name: submitted.get(item.name) for item in step.fields}
            )
        context = {"dialogue": dialogue, "result": None}  # the checks use this locked, paid dialogue
        token = SUBMITTING.set(context)
        try:
            case, _created = cases.submit(
                draft, user, None, dialogue.submission_key, trust_level=dialogue.trust_level or "niedrig"
            )
        finally:
            SUBMITTING.reset(token)
        _after_submit(dialogue, procedure, case, submitted, context["result"])
    return case


def _after_submit(dialogue: Dialogue, procedure, case, submitted: dict, result=None) -> None:
    if not case.decided_automatically:
        result = None
    elif result is None or result.operation_id != dialogue.operation_id:  # e.g. a replayed submission
        result = _register().operation(dialogue.operation_id)
    inputs = {
        "vehicle_ref": dialogue.vehicle_ref,
        "verified_version": dialogue.vehicle_version,
        "code_kinds": list(dialogue.verified_kinds),
        "codes_verified_at": dialogue.codes_verified_at.isoformat() if dialogue.codes_verified_at else "",
        "wrong_code_entries": dialogue.wrong_entries,
        "fee_cents": dialogue.fee_cents,
        "fee_rule": dialogue.fee_rule,
        "payment_reference": dialogue.reference,
        "district": submitted.get("bezirk", ""),
        "previous_district": values(dialogue).get("bezirk_alt", ""),
        "plate_choice": submitted.get("kennzeichen_wahl", ""),
        "reservation_months": submitted.get("reservierung_monate"),
        "trust_level": case.trust_level,
        "register_version_after": result.vehicle.version if result else None,
    }
    digest = hashlib.sha256(
        json.dumps(submitted, sort_keys=True, ensure_ascii=False, default=str).encode()
    ).hexdigest()
    DecisionRecord.objects.create(
        case=case,
        authority=case.authority,
        procedure_key=procedure.key,
        automatic=case.decided_automatically,
        outcome=case.outcome if case.decided_automatically else "",
        rule_version=rules.RULE_VERSION,
        checks=list(case.check_results),
        inputs=inputs,
        inputs_sha256=digest,
        register_operation=result.operation_id if result else "",
    )
    if result is not None and result.issued_documents:
        holder = result.vehicle.holder
        address = (
            [line for line in (holder.street, f"{holder.postal_code} {holder.locality}".strip()) if line]
            if holder
            else []
        )
        documents = list(result.issued_documents) + (
            ["hu_sticker"] if "seals" in result.issued_documents else []
        )
        DispatchItem.objects.create(
            case=case,
            authority=case.authority,
            plate=result.vehicle.plate,
            documents=documents,
            recipient_name=(holder.display_name if holder else "")[:200],
            address_lines=address,
            due_on=timezone.localdate() + dt.timedelta(days=DISPATCH_DAYS),
        )
    if result is not None and procedure.issues_proof:
        days = int(getattr(settings, "KFZ_PROVISIONAL_PROOF_DAYS", 10))
        ProvisionalProof.objects.create(
            case=case, plate=result.vehicle.plate, valid_until=timezone.localdate() + dt.timedelta(days=days)
        )
        from amtsweg.procedures.kfz.tasks import issue_provisional_proof

        case_id = case.pk
        transaction.on_commit(lambda: issue_provisional_proof.enqueue(case_id))
    dialogue.status = Dialogue.Status.SUBMITTED
    dialogue.case = case
    dialogue.submitted_at = timezone.now()
    dialogue.data_encrypted = b""  # § 19 FZV: the portal deletes the dialogue data after the transfer
    dialogue.findings = []
    dialogue.submit_error = ""
    dialogue.save(
        update_fields=["status", "case", "submitted_at", "data_encrypted", "findings", "submit_error"]
    )
    log(dialogue, "submitted", automatic=case.decided_automatically, state=case.state)


# --- abort and housekeeping
# ------------------------------------------------------------------------------------------


def _abort(dialogue: Dialogue, reason: str, now: dt.datetime | None = None) -> None:
    """Inside a transaction holding the dialogue's lock."""
    dialogue.status = Dialogue.Status.ABORTED
    dialogue.abort_reason = reason
    dialogue.aborted_at = now or timezone.now()
    dialogue.save(update_fields=["status", "abort_reason", "aborted_at"])
    log(dialogue, "aborted", reason=reason)
    if dialogue.payment_reference:
        from amtsweg.payments.services import cancel_payment_request

        reference = dialogue.reference
        transaction.on_commit(lambda: cancel_payment_request(reference))


@_refreshes
def abort(dialogue: Dialogue, reason: str = Dialogue.AbortReason.APPLICANT) -> None:
    with transaction.atomic():
        dialogue = _lock(dialogue)
        if dialogue.status in (Dialogue.Status.SUBMITTED, Dialogue.Status.ABORTED, Dialogue.Status.PAID):
            if dialogue.status == Dialogue.Status.PAID:
                raise DialogueError(
                    _(
                        "Die Gebühr ist bezahlt; der Antrag wird übermittelt und kann nicht mehr "
                        "abgebrochen werden."
                    )
                )
            return
        _abort(dialogue, reason)


def purge(now: dt.datetime | None = None) -> dict:
    """Abort idle dialogues, delete aborted dialogues' data 30 minutes after the abort, drop logs after six
    months."""
    now = now or timezone.now()
    idle = Dialogue.objects.filter(
        Q(status=Dialogue.Status.OPEN, updated_at__lt=now - dt.timedelta(minutes=INACTIVE_MINUTES))
        | Q(
            status=Dialogue.Status.AWAITING_PAYMENT,
            updated_at__lt=now - dt.timedelta(hours=PAYMENT_WAIT_HOURS),
        )
    )
    aborted_idle = 0
    for dialogue_id in idle.values_list("pk", flat=True)[:1000]:
        with transaction.atomic():
            dialogue = Dialogue.objects.select_for_update().get(pk=dialogue_id)
            if dialogue.status in (Dialogue.Status.OPEN, Dialogue.Status.AWAITING_PAYMENT):
                from amtsweg.payments.services import is_paid

                if dialogue.payment_reference and is_paid(dialogue.reference):
                    continue  # paid meanwhile: the submission task takes it
                _abort(dialogue, Dialogue.AbortReason.INACTIVE, now)
                aborted_idle += 1
    cutoff = now - dt.timedelta(minutes=ABORTED_DATA_MINUTES)
    deleted, _detail = Dialogue.objects.filter(status=Dialogue.Status.ABORTED, aborted_at__lt=cutoff).delete()
    logs, _detail = DialogueEvent.objects.filter(at__lt=now - dt.timedelta(days=LOG_RETENTION_DAYS)).delete()
    return {"aborted_idle": aborted_idle, "dialogues_deleted": deleted, "log_entries_deleted": logs}
