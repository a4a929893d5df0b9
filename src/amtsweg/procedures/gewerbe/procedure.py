"""The three Gewerbeanzeige procedures as plugins of the case engine.

The engine runs the forms, drafts, submission, fee (paid before review), state machine and documents; these
classes declare the content of GewA 1–3 and its rules. The case worker's receipt and the onward transmission
(`services.issue_receipt`) are this package's own service, because the engine has no hook after a decision
yet.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from amtsweg.procedures.base import CheckResult, Procedure
from amtsweg.procedures.gewerbe import fields, mapping, validation
from amtsweg.procedures.registry import register

KEYS = {"anmeldung": "gewerbe-anmeldung", "ummeldung": "gewerbe-ummeldung", "abmeldung": "gewerbe-abmeldung"}
KIND_BY_KEY = {key: kind for kind, key in KEYS.items()}
RECEIPT = "empfangsbescheinigung"


class GewerbeProcedure(Procedure):
    kind = ""
    trust_level = "substanziell"
    filers = frozenset({"person", "organisation", "on_behalf"})
    place_field = "betrieb_plz"
    has_fee = True
    payment_first = True  # the fee is paid before the case worker reviews
    processing_days = 3  # § 15 Abs. 1 GewO: receipt within three days
    retention_years = 10
    decision_templates = {
        "acknowledged": RECEIPT,
        "granted": RECEIPT,
        "rejected": "bescheid",
        "partly_granted": "bescheid",
    }

    def clean(self, data: Mapping) -> None:
        validation.clean(self.kind, data)

    def checks(self, case, data: Mapping) -> list[CheckResult]:
        """Facts for the case worker's checklist. Stored unencrypted: no personal data in the messages."""
        results = [
            CheckResult("taetigkeit_konkret", True, _("Die Tätigkeit ist nicht pauschal beschrieben.")),
        ]
        requirement = mapping.permit_requirement(data)
        if requirement["erlaubnis"]:
            held = data.get("erlaubnis") == "liegt_vor"
            results.append(
                CheckResult(
                    "erlaubnis",
                    held,
                    _("Erlaubnispflicht möglich (%(basis)s): Erlaubnis %(state)s.")
                    % {
                        "basis": requirement["erlaubnis"],
                        "state": _("liegt vor") if held else _("liegt nicht vor"),
                    },
                )
            )
        if requirement["handwerk_a"]:
            held = data.get("handwerkskarte") == "liegt_vor"
            results.append(
                CheckResult(
                    "handwerksrolle",
                    held,
                    _("Zulassungspflichtiges Handwerk (Anlage A HwO): Handwerkskarte %(state)s.")
                    % {"state": _("liegt vor") if held else _("liegt nicht vor")},
                )
            )
        if self.kind == validation.ANMELDUNG:
            duplicate = validation.active_duplicate(data)
            results.append(
                CheckResult(
                    "keine_doppelanmeldung",
                    duplicate is None,
                    _("Keine bestehende Anmeldung für Betreiber und Anschrift gefunden.")
                    if duplicate is None
                    else _("Für Betreiber und Anschrift besteht bereits eine Anmeldung."),
                )
            )
        return results


@register
class Gewerbeanmeldung(GewerbeProcedure):
    key = KEYS["anmeldung"]
    kind = validation.ANMELDUNG
    service_key = "gewerbe-anmelden"
    fee_variant = ""
    title = gettext_lazy("Gewerbe anmelden (GewA 1)")
    intro = gettext_lazy(
        "Melden Sie Ihr Gewerbe bei der Gemeinde an, in der Ihr Betrieb liegt. Die Gebühr bezahlen Sie am "
        "Ende "
        "online; danach prüft das Gewerbeamt Ihre Anzeige und stellt die Empfangsbescheinigung innerhalb "
        "von drei "
        "Tagen in Ihr Postfach. Das Gewerbeamt gibt die Daten an die gesetzlich vorgesehenen Stellen weiter "
        "(§ 14 Abs. 8 GewO), jede Stelle nur mit den Angaben, die sie braucht."
    )
    steps = (
        fields.operator_step(gettext_lazy("Felder 1, 2 und 12 des Formulars GewA 1.")),
        fields.person_step(),
        fields.extra_persons_step(),
        fields.business_step(),
        fields.activity_step(
            date_name="beginn",
            date_label=gettext_lazy("Beginn der angemeldeten Tätigkeit"),
            staff_label=gettext_lazy("Beschäftigte bei Geschäftsaufnahme (ohne Inhaber)"),
        ),
        fields.registration_reason_step(),
        fields.permits_step(),
        fields.declaration_step(),
    )


@register
class Gewerbeummeldung(GewerbeProcedure):
    key = KEYS["ummeldung"]
    kind = validation.UMMELDUNG
    service_key = "gewerbe-ummelden"
    title = gettext_lazy("Gewerbe ummelden (GewA 2)")
    intro = gettext_lazy(
        "Melden Sie um, wenn Ihr Betrieb innerhalb der Gemeinde umzieht oder sich Ihre Tätigkeit ändert. "
        "Zieht der "
        "Betrieb in eine andere Gemeinde, nutzen Sie „Betrieb verlegen“: dann melden Sie in einem Zug ab "
        "und an."
    )
    steps = (
        fields.operator_step(gettext_lazy("Felder 1, 2 und 12 des Formulars GewA 2.")),
        fields.person_step(),
        fields.extra_persons_step(),
        fields.business_step(),
        fields.activity_step(
            date_name="beginn",
            date_label=gettext_lazy("Datum der Änderung"),
            staff_label=gettext_lazy("Beschäftigte nach der Änderung (ohne Inhaber)"),
        ),
        fields.change_reason_step(),
        fields.permits_step(),
        fields.declaration_step(),
    )


@register
class Gewerbeabmeldung(GewerbeProcedure):
    key = KEYS["abmeldung"]
    kind = validation.ABMELDUNG
    service_key = "gewerbe-abmelden"
    title = gettext_lazy("Gewerbe abmelden (GewA 3)")
    intro = gettext_lazy(
        "Melden Sie Ihr Gewerbe ab, wenn Sie es aufgeben, in eine andere Gemeinde verlegen oder übergeben. "
        "Das "
        "Gewerbeamt bestätigt die Abmeldung innerhalb von drei Tagen."
    )
    steps = (
        fields.operator_step(gettext_lazy("Felder 1, 2 und 12 des Formulars GewA 3.")),
        fields.person_step(),
        fields.extra_persons_step(),
        fields.business_step(closing=True),
        fields.activity_step(
            date_name="ende",
            date_label=gettext_lazy("Datum der Betriebsaufgabe"),
            staff_label=gettext_lazy("Beschäftigte bei Aufgabe (ohne Inhaber)"),
        ),
        fields.closing_reason_step(),
        fields.declaration_step(),
    )


def procedure_for(kind: str) -> GewerbeProcedure:
    from amtsweg.procedures.registry import get

    return get(KEYS[kind])
