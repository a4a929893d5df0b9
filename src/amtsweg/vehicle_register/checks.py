"""The automatic checks of the i-Kfz portal (§§ 19–20 FZV) as pure functions.

Each returns a `Finding(key, passed, message)`. Messages are German, addressed to the applicant and contain no
personal data (they are stored unencrypted with the case and shown to case workers). The inputs are plain
values
or records from the register interface; nothing here touches the database, so every rule is unit-testable.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from amtsweg.vehicle_register import codes as code_rules
from amtsweg.vehicle_register.iban import iban_problem
from amtsweg.vehicle_register.interface import CodeVerification, Holder, InsuranceStatus, VehicleRecord
from amtsweg.vehicle_register.plates import PlateFormatError, check_plate_for_district, parse_plate

# § 19/20 FZV: three correction attempts, then the portal aborts the application (first entry + 3
# corrections).
MAX_CORRECTIONS = 3
REREGISTRATION_YEARS = 7  # § 29 FZV: re-registration online within seven years after deregistration
RESERVATION_MAX_MONTHS = 12  # § 24/25 FZV: plate reservation for at most twelve months

RULE_VERSION = "ikfz-checks/2026-11"  # stored with every automatic decision; bump when a rule changes


@dataclass(frozen=True)
class Finding:
    key: str
    passed: bool
    message: str = ""


def corrections_left(wrong_entries: int) -> int:
    """Corrections still allowed after `wrong_entries` wrong code entries in this application."""
    if wrong_entries <= 0:
        return MAX_CORRECTIONS
    return max(0, MAX_CORRECTIONS - (wrong_entries - 1))


def must_abort(wrong_entries: int) -> bool:
    """The first entry and three corrections were wrong: the application is aborted."""
    return wrong_entries > MAX_CORRECTIONS


def codes_finding(verification: CodeVerification, wrong_entries: int) -> Finding:
    """The result of a code check, with how many corrections are left (or that the application is aborted)."""
    if verification.ok:
        return Finding("codes", True, _("Die Sicherheitscodes stimmen."))
    if verification.unusable:
        return Finding(
            "codes",
            False,
            _(
                "Für dieses Fahrzeug ist online kein gültiger Code dieser Art hinterlegt (zum Beispiel, "
                "weil die "
                "Plaketten schon entfernt sind). Bitte wenden Sie sich an die Zulassungsbehörde."
            ),
        )
    labels = ", ".join(str(code_rules.LABELS[kind]) for kind in verification.wrong)
    if must_abort(wrong_entries):
        return Finding(
            "codes",
            False,
            _(
                "Die Sicherheitscodes waren auch nach drei Korrekturen falsch (%(labels)s). Der Antrag "
                "wurde aus "
                "Sicherheitsgründen abgebrochen. Bitte wenden Sie sich an Ihre Zulassungsbehörde."
            )
            % {"labels": labels},
        )
    left = corrections_left(wrong_entries)
    return Finding(
        "codes",
        False,
        ngettext(
            "Diese Codes passen nicht zu diesem Fahrzeug: %(labels)s. Prüfen Sie, ob Sie die Papiere und "
            "Schilder "
            "genau dieses Fahrzeugs vor sich haben. Sie haben noch %(left)d Korrekturversuch.",
            "Diese Codes passen nicht zu diesem Fahrzeug: %(labels)s. Prüfen Sie, ob Sie die Papiere und "
            "Schilder "
            "genau dieses Fahrzeugs vor sich haben. Sie haben noch %(left)d Korrekturversuche.",
            left,
        )
        % {"labels": labels, "left": left},
    )


def state_finding(record: VehicleRecord, allowed: tuple[str, ...], procedure_label: str) -> Finding:
    if record.status in allowed:
        return Finding("state", True, _("Der Zulassungsstand erlaubt diesen Antrag."))
    messages = {
        VehicleRecord.REGISTERED: _("Das Fahrzeug ist zugelassen."),
        VehicleRecord.DEREGISTERED: _("Das Fahrzeug ist außer Betrieb gesetzt."),
        VehicleRecord.NEW: _("Das Fahrzeug war noch nie zugelassen."),
    }
    return Finding(
        "state",
        False,
        _("%(state)s Ein Antrag „%(procedure)s“ ist deshalb nicht möglich.")
        % {"state": messages.get(record.status, ""), "procedure": procedure_label},
    )


def inspection_finding(next_inspection: dt.date | None, today: dt.date) -> Finding:
    """The periodic inspection (HU) must not be overdue: valid through the end of the month it is due."""
    if next_inspection is None:
        return Finding(
            "inspection", False, _("Im Register ist kein Termin der Hauptuntersuchung eingetragen.")
        )
    if next_inspection < today:
        return Finding(
            "inspection",
            False,
            _(
                "Die Hauptuntersuchung war im %(month)s fällig und ist abgelaufen. Lassen Sie das Fahrzeug "
                "zuerst "
                "untersuchen; danach ist der Antrag online möglich."
            )
            % {"month": next_inspection.strftime("%m/%Y")},
        )
    return Finding(
        "inspection",
        True,
        _("Die Hauptuntersuchung ist gültig bis %(month)s.") % {"month": next_inspection.strftime("%m/%Y")},
    )


def tax_finding(has_arrears: bool) -> Finding:
    if has_arrears:
        return Finding(
            "tax",
            False,
            _(
                "Für den Halter sind beim Hauptzollamt Kraftfahrzeugsteuer-Rückstände vermerkt (§ 13 "
                "KraftStG). "
                "Die Zulassungsbehörde prüft den Antrag deshalb selbst."
            ),
        )
    return Finding("tax", True, _("Keine Kraftfahrzeugsteuer-Rückstände."))


def insurance_finding(status: InsuranceStatus) -> Finding:
    if status.valid:
        return Finding("insurance", True, _("Die Versicherungsbestätigung (eVB) ist gültig."))
    messages = {
        "unknown": _(
            "Zu dieser eVB-Nummer liegt keine Versicherungsbestätigung vor. Bitte prüfen Sie die Nummer."
        ),
        "expired": _(
            "Die Versicherungsbestätigung (eVB) ist abgelaufen. Bitte fragen Sie Ihre Versicherung nach "
            "einer neuen."
        ),
        "other_vehicle": _("Die Versicherungsbestätigung (eVB) gilt für ein anderes Fahrzeug."),
        "used": _("Diese Versicherungsbestätigung (eVB) wurde schon für eine andere Zulassung verwendet."),
        "format": _("Eine eVB-Nummer besteht aus sieben Buchstaben und Ziffern."),
    }
    return Finding("insurance", False, str(messages.get(status.reason, messages["unknown"])))


def iban_finding(value: object) -> Finding:
    problem = iban_problem(value)
    if not problem:
        return Finding("iban", True, _("Die IBAN für das SEPA-Lastschriftmandat ist gültig."))
    messages = {
        "empty": _("Bitte geben Sie die IBAN für die Kraftfahrzeugsteuer an."),
        "format": _(
            "Eine IBAN beginnt mit zwei Buchstaben (Land) und zwei Prüfziffern, zum Beispiel „DE12 …“."
        ),
        "country": _("Dieses Land nimmt nicht am SEPA-Lastschriftverfahren teil."),
        "length": _("Die IBAN hat für dieses Land nicht die richtige Länge (Deutschland: 22 Zeichen)."),
        "checksum": _("Die Prüfziffern der IBAN stimmen nicht. Bitte prüfen Sie die Eingabe auf Tippfehler."),
    }
    return Finding("iban", False, str(messages[problem]))


def plate_finding(
    text: object, *, district_codes: frozenset[str] | set[str] | None, available: bool | None
) -> Finding:
    """A new or reserved plate: format, district code (when `district_codes` is given) and availability."""
    try:
        plate = parse_plate(text)
        if district_codes is not None:
            check_plate_for_district(plate, district_codes)
    except PlateFormatError as exc:
        return Finding("plate", False, str(exc))
    if available is False:
        return Finding(
            "plate",
            False,
            _("Das Kennzeichen %(plate)s ist schon vergeben oder reserviert.") % {"plate": plate},
        )
    return Finding("plate", True, _("Das Kennzeichen %(plate)s ist frei.") % {"plate": plate})


def reregistration_window_finding(deregistered_on: dt.date | None, today: dt.date) -> Finding:
    if deregistered_on is None:
        return Finding(
            "reregistration_window",
            False,
            _("Im Register ist kein Datum der Außerbetriebsetzung eingetragen."),
        )
    try:
        limit = deregistered_on.replace(year=deregistered_on.year + REREGISTRATION_YEARS)
    except ValueError:  # 29 February
        limit = deregistered_on.replace(year=deregistered_on.year + REREGISTRATION_YEARS, day=28)
    if today > limit:
        return Finding(
            "reregistration_window",
            False,
            _(
                "Das Fahrzeug ist seit mehr als sieben Jahren außer Betrieb; die Wiederzulassung ist nur "
                "vor Ort möglich."
            ),
        )
    return Finding(
        "reregistration_window", True, _("Die Außerbetriebsetzung liegt weniger als sieben Jahre zurück.")
    )


def holder_finding(applicant: Holder, holder: Holder | None) -> Finding:
    """Re-registration and address change online are for the registered holder only (identified by eID
    data)."""
    if holder is not None and applicant.same_person(holder):
        return Finding("holder", True, _("Sie sind als Halter eingetragen."))
    return Finding(
        "holder",
        False,
        _(
            "Sie sind nicht als Halter dieses Fahrzeugs eingetragen. Diesen Antrag kann online nur der "
            "Halter stellen."
        ),
    )


def reservation_months_finding(months: int) -> Finding:
    if 1 <= months <= RESERVATION_MAX_MONTHS:
        return Finding(
            "reservation",
            True,
            _("Das Kennzeichen kann %(months)d Monate für Sie reserviert werden.") % {"months": months},
        )
    return Finding("reservation", False, _("Ein Kennzeichen kann höchstens zwölf Monate reserviert werden."))


def add_months(day: dt.date, months: int) -> dt.date:
    """Same day `months` later (clamped to the month's end)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, candidate)
        except ValueError:
            continue
    raise ValueError(day)


def month_end(year: int, month: int) -> dt.date:
    first_next = dt.date(year + month // 12, month % 12 + 1, 1)
    return first_next - dt.timedelta(days=1)
