"""The automatic checks of an i-Kfz application, before payment (preview in the dialogue) and at submission.

`evaluate()` combines the register component's pure rules (`vehicle_register.checks`) with what the register
interface says about the vehicle, the insurance, tax arrears and plates. At submission (`submission_checks`,
the
engine's `Procedure.checks` hook) the same rules run again on fresh register data, and then, only if every one
of
them passed, the **register change itself** as the last check: `deregister`/`register`/`change_holder`/
`change_address` with the vehicle version the codes were verified against (optimistic concurrency: if another
application changed the vehicle in between, the register refuses and the case goes to a case worker) and the
dialogue's operation id (idempotent: a retried submission never changes the register twice). The i-Kfz
submission runs the engine's `submit` inside one database transaction, so with the SANDBOX register the
register
change, the case and its decision commit together or not at all.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.utils import timezone
from django.utils.translation import gettext as _

from amtsweg.procedures.base import CheckResult
from amtsweg.vehicle_register import checks as rules
from amtsweg.vehicle_register.interface import Holder, PlateUnavailable, RegisterError, VehicleRecord
from amtsweg.vehicle_register.plates import normalize_plate, parse_plate

logger = logging.getLogger("amtsweg.kfz")
WITH_INSURANCE = ("kfz-wiederzulassung", "kfz-umschreibung", "kfz-neuzulassung")


def applicant_holder(user, data) -> Holder:
    return Holder(
        given_name=user.first_name or "",
        family_name=user.last_name or "",
        birth_date=user.birth_date,
        street=data.get("strasse", "") or "",
        postal_code=data.get("plz", "") or "",
        locality=data.get("ort", "") or "",
    )


def district_codes(ags: str) -> frozenset[str]:
    from amtsweg.vehicle_register.services import district_plate_codes

    return district_plate_codes(ags)


def _plate_findings(
    procedure, record: VehicleRecord, data, applicant: Holder, register
) -> list[rules.Finding]:
    if procedure.key == "kfz-ausserbetriebsetzung":
        return []
    choice = data.get("kennzeichen_wahl") or "behalten"
    target = data.get("bezirk") or ""
    if choice == "behalten":
        return [rules.Finding("plate", True, _("Das bisherige Kennzeichen bleibt."))]
    if choice == "neu":
        return [
            rules.Finding("plate", True, _("Sie erhalten ein freies Kennzeichen Ihres Zulassungsbezirks."))
        ]
    if choice == "reserviert":
        if not record.reserved_plate or not register.plate_available(record.reserved_plate, holder=applicant):
            return [
                rules.Finding(
                    "plate", False, _("Für Sie ist zu diesem Fahrzeug kein Kennzeichen reserviert.")
                )
            ]
        codes = district_codes(target)
        if parse_plate(record.reserved_plate).district not in codes:
            return [
                rules.Finding(
                    "plate",
                    False,
                    _(
                        "Das reservierte Kennzeichen gehört zu einem anderen Zulassungsbezirk; wählen Sie "
                        "ein neues Kennzeichen."
                    ),
                )
            ]
        return [rules.Finding("plate", True, _("Ihr reserviertes Kennzeichen wird wieder zugeteilt."))]
    wish = data.get("wunschkennzeichen") or ""
    available = register.plate_available(wish, holder=applicant) if normalize_plate(wish) else None
    return [rules.plate_finding(wish, district_codes=district_codes(target), available=available)]


def evaluate(
    procedure, record: VehicleRecord, data, applicant: Holder, register, today: dt.date
) -> list[rules.Finding]:
    """Every rule for this procedure, in the order the applicant reads them."""
    findings = [rules.state_finding(record, procedure.allowed_states, str(procedure.title))]
    key = procedure.key
    if key == "kfz-ausserbetriebsetzung" and data.get("reservieren"):
        findings.append(rules.reservation_months_finding(int(data.get("reservierung_monate") or 12)))
    if key == "kfz-wiederzulassung":
        findings.append(rules.reregistration_window_finding(record.deregistered_on, today))
    if key in ("kfz-wiederzulassung", "kfz-adressaenderung"):
        findings.append(rules.holder_finding(applicant, record.holder))
    if key in ("kfz-wiederzulassung", "kfz-umschreibung"):
        findings.append(rules.inspection_finding(record.next_inspection, today))
    if key in WITH_INSURANCE:
        findings.append(
            rules.insurance_finding(register.check_insurance(data.get("evb", ""), vin=record.vin, on=today))
        )
        ref = record.ref if key == "kfz-wiederzulassung" else None
        findings.append(rules.tax_finding(register.has_tax_arrears(ref=ref, person=applicant)))
        findings.append(rules.iban_finding(data.get("iban", "")))
    findings.extend(_plate_findings(procedure, record, data, applicant, register))
    return findings


def as_dicts(findings) -> list[dict]:
    return [{"key": f.key, "passed": bool(f.passed), "message": str(f.message)[:500]} for f in findings]


# --- at submission
# -------------------------------------------------------------------------------------------------


def submission_checks(procedure, case, data) -> list[CheckResult]:
    """The engine's `checks` hook (see module docstring). Leaves what the register did on
    `case._kfz_register`."""
    from amtsweg.procedures.kfz.dialogue import SUBMITTING
    from amtsweg.procedures.kfz.models import Dialogue
    from amtsweg.vehicle_register.services import get_register

    context = SUBMITTING.get()
    dialogue_id = _uuid(data.get("dialog"))
    if context is not None and context["dialogue"].pk == dialogue_id:
        dialogue = context["dialogue"]  # locked by the submission that runs this check
    else:
        dialogue = Dialogue.objects.filter(pk=dialogue_id).first()
    if (
        dialogue is None
        or dialogue.owner_id != case.applicant_id
        or dialogue.procedure_key != procedure.key
        or dialogue.status != Dialogue.Status.PAID
        or dialogue.codes_verified_at is None
    ):
        return [
            CheckResult(
                "antrag", False, _("Der Online-Antrag wurde nicht vollständig im Portal geprüft und bezahlt.")
            )
        ]
    today = timezone.localdate()
    try:
        register = get_register()
        record = register.get(dialogue.vehicle_ref)
    except RegisterError as exc:
        return [CheckResult("register", False, exc.message)]
    if record.vin != data.get("fin") or (
        procedure.identify_by == "plate" and record.plate and record.plate != data.get("kennzeichen")
    ):
        return [
            CheckResult(
                "antrag",
                False,
                _("Die Fahrzeugangaben des Antrags passen nicht zu den geprüften Sicherheitscodes."),
            )
        ]
    case._kfz_fee_cents = dialogue.fee_cents
    results = [
        CheckResult(
            "codes", True, _("Die Sicherheitscodes wurden im Antragsdialog mit dem Fahrzeugregister geprüft.")
        ),
        CheckResult("fee", True, _("Die Gebühr wurde vor der Antragstellung bezahlt.")),
    ]
    applicant = applicant_holder(case.applicant, data)
    findings = evaluate(procedure, record, data, applicant, register, today)
    results += [CheckResult(f.key, f.passed, str(f.message)) for f in findings]
    if all(r.passed for r in results):
        results.append(_change_register(procedure, case, dialogue, record, data, applicant, register, today))
    return results


def _uuid(value):
    import uuid

    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError):
        return None


def _plate_for(procedure, record, data, register) -> str:
    choice = data.get("kennzeichen_wahl") or "behalten"
    if choice == "behalten":
        return record.plate
    if choice == "reserviert":
        return record.reserved_plate
    if choice == "wunsch":
        return normalize_plate(data.get("wunschkennzeichen"))
    return register.suggest_plate(data.get("bezirk") or "")


def _change_register(procedure, case, dialogue, record, data, applicant, register, today) -> CheckResult:
    from amtsweg.procedures.kfz.dialogue import SUBMITTING

    authority_key = getattr(case.authority, "key", "")
    common = {
        "expected_version": dialogue.vehicle_version,
        "operation_id": dialogue.operation_id,
        "authority_key": authority_key,
    }
    try:
        if procedure.register_action == "deregister":
            until = None
            if data.get("reservieren"):
                until = rules.add_months(today, int(data.get("reservierung_monate") or 12))
            result = register.deregister(record.ref, reserve_until=until, **common)
        else:
            for attempt in range(3):
                plate = _plate_for(procedure, record, data, register)
                try:
                    if procedure.register_action == "register":
                        inspection = None
                        if record.status == VehicleRecord.NEW:  # first periodic inspection after 36 months
                            due = rules.add_months(today, 36)
                            inspection = rules.month_end(due.year, due.month)
                        result = register.register(
                            record.ref,
                            holder=applicant,
                            plate=plate,
                            district_ags=data["bezirk"],
                            evb=data.get("evb", ""),
                            next_inspection=inspection,
                            **common,
                        )
                    elif procedure.register_action == "change_holder":
                        result = register.change_holder(
                            record.ref,
                            holder=applicant,
                            plate=plate,
                            district_ags=data["bezirk"],
                            evb=data.get("evb", ""),
                            **common,
                        )
                    else:
                        result = register.change_address(
                            record.ref, holder=applicant, plate=plate, district_ags=data["bezirk"], **common
                        )
                    break
                except PlateUnavailable:
                    if data.get("kennzeichen_wahl") != "neu" or attempt == 2:
                        raise
    except RegisterError as exc:
        logger.info(
            "register refused an i-Kfz change", extra={"dialogue": str(dialogue.pk), "reason": exc.code}
        )
        return CheckResult("register", False, exc.message)
    context = SUBMITTING.get()
    if context is not None:
        context["result"] = result
    case._kfz_register = {
        "operation": result.operation_id,
        "plate": result.vehicle.plate or result.detail.get("plate", ""),
        "version": result.vehicle.version,
        "issued": list(result.issued_documents),
        "reserved_until": result.detail.get("reserved_until", ""),
        "replayed": result.replayed,
    }
    return CheckResult("register", True, _("Die Änderung ist im Fahrzeugregister eingetragen."))
