"""The provisional registration proof (§ 32 FZV): a sealed one-page document, shown in the car until the new
certificate and seals arrive. Content per domain.md § 3.6: authority, application number, plate, decision
date,
end date. Validity: `KFZ_PROVISIONAL_PROOF_DAYS` calendar days (default 10, § 26 (4) no. 5 FZV; the current §
31
text says up to 14 days, ⚠ conflicting, confirm with the legal office)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

PROOF_DOC_TYPE = "zulassungsnachweis"
PROOF_TITLE = "Vorläufiger Zulassungsnachweis – {{ kennzeichen }}"
PROOF_BODY = """Dieser Nachweis gilt als Zulassungsnachweis, bis die Zulassungsbescheinigung Teil I und die
Stempelplaketten mit der Post eintreffen (§ 32 FZV). Bitte legen Sie ihn gut lesbar hinter die
Windschutzscheibe.

# Angaben

- Zulassungsbehörde: {{ behoerde.name }}
- Antragsnummer: {{ antragsnummer }}
- Kennzeichen: **{{ kennzeichen }}**
- Fahrzeug-Identifizierungsnummer: {{ fin }}
- Entscheidung vom: {{ entscheidungsdatum }}
- Gültig bis einschließlich: **{{ gueltig_bis }}**

Ob dieser Nachweis echt ist, prüft jede Stelle mit dem Prüfcode oben rechts unter der angegebenen Adresse.
"""


def recipient(case):
    from amtsweg.postbox.services import Recipient

    person = case.on_behalf_of or case.applicant
    address = [
        line for line in (person.street_address, f"{person.postal_code} {person.locality}".strip()) if line
    ]
    name = (f"{person.first_name} {person.last_name}".strip() or person.username)[:60]
    return Recipient(name, address[:5] or [_("Anschrift nicht hinterlegt")], user=person)


def issue_proof(case_id: int) -> str:
    from amtsweg.cases.models import Case
    from amtsweg.documents.services import DocumentSpec
    from amtsweg.postbox.services import issue
    from amtsweg.procedures.kfz.models import ProvisionalProof
    from amtsweg.vehicle_register.services import get_register

    with transaction.atomic():
        # of=("self",): lock only the proof row, never the joined authority or user rows (deadlock-prone).
        proof = (
            ProvisionalProof.objects.select_for_update(of=("self",))
            .select_related("case__authority", "case__applicant")
            .get(case_id=case_id)
        )
        if proof.document_id:
            return "already issued"
        case: Case = proof.case
        record = case.kfz_record
        vin = ""
        try:
            vin = get_register().get(record.inputs.get("vehicle_ref", "")).vin
        except Exception:  # the proof names the plate; the VIN is a convenience
            vin = "–"
        spec = DocumentSpec(
            doc_type=PROOF_DOC_TYPE,
            authority=case.authority,
            procedure=case.procedure_key,
            data={
                "kennzeichen": proof.plate,
                "antragsnummer": case.number,
                "fin": vin,
                "entscheidungsdatum": timezone.localtime(case.decided_at or timezone.now()).strftime(
                    "%d.%m.%Y"
                ),
                "gueltig_bis": proof.valid_until.strftime("%d.%m.%Y"),
            },
            file_number=case.number,
        )
        delivery = issue(
            spec,
            recipient(case),
            case.reference,
            subject=_("Vorläufiger Zulassungsnachweis für %(plate)s") % {"plate": proof.plate},
            text=_(
                "Anbei Ihr vorläufiger Zulassungsnachweis. Drucken Sie ihn aus und legen Sie ihn gut lesbar "
                "ins Fahrzeug. "
                "Er gilt bis zum %(until)s; bis dahin kommen die neuen Unterlagen und Plaketten mit der Post."
            )
            % {"until": proof.valid_until.strftime("%d.%m.%Y")},
        )
        proof.document_id = delivery.document_id
        proof.delivery_id = delivery.pk
        proof.save(update_fields=["document_id", "delivery_id"])
    return f"proof {delivery.document_id}"
