"""Decision texts (placeholders of the documents app's "bescheid" template: betreff, anrede, entscheidung,
begruendung). The planned decision data is encrypted for the authority by the engine; it may hold personal
data."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from amtsweg.payments.money import format_cents

LEGAL = {
    "kfz-ausserbetriebsetzung": "§ 24 FZV",
    "kfz-wiederzulassung": "§ 29 FZV",
    "kfz-umschreibung": "§ 30 FZV",
    "kfz-adressaenderung": "§ 30 FZV",
    "kfz-neuzulassung": "§ 27 FZV",
}


def _day(value) -> str:
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    return value.strftime("%d.%m.%Y")


def decision_texts(procedure, data, done: dict, fee: int | None) -> dict:
    """Texts of an automatic approval: `data` are the submitted values, `done` what the register did."""
    today = timezone.localdate()
    plate = done.get("plate") or data.get("kennzeichen") or ""
    vin = data.get("fin", "")
    fee_text = (
        _(
            " Die Gebühr von %(fee)s (Gebührenordnung für Maßnahmen im Straßenverkehr, online) haben Sie "
            "vor der Antragstellung bezahlt."
        )
        % {"fee": format_cents(int(fee))}
        if fee
        else ""
    )
    base = _(
        "Sie haben den Antrag am %(day)s über das Internet gestellt. Ihre Angaben und die Sicherheitscodes "
        "wurden "
        "automatisch mit dem Fahrzeugregister, der Versicherungsbestätigung und den übrigen Voraussetzungen "
        "abgeglichen; alle Voraussetzungen lagen vor. Dieser Bescheid wurde deshalb vollständig "
        "automatisiert "
        "erlassen (§ 35a VwVfG, %(legal)s)."
    ) % {"day": _day(today), "legal": LEGAL.get(procedure.key, "FZV")}
    key = procedure.key
    if key == "kfz-ausserbetriebsetzung":
        decision = _(
            "Das Fahrzeug mit dem Kennzeichen %(plate)s (FIN %(vin)s) ist seit dem %(day)s außer Betrieb "
            "gesetzt."
        ) % {
            "plate": plate,
            "vin": vin,
            "day": _day(today),
        }
        if done.get("reserved_until"):
            decision += " " + _("Das Kennzeichen %(plate)s ist bis zum %(until)s für Sie reserviert.") % {
                "plate": plate,
                "until": _day(done["reserved_until"]),
            }
        reason = (
            base
            + fee_text
            + " "
            + _(
                "Die Stempelplaketten sind mit dem Freilegen der Codes entwertet. Das Fahrzeug darf bis zu "
                "einer neuen "
                "Zulassung nicht mehr auf öffentlichen Straßen fahren oder abgestellt werden."
            )
        )
        subject = _("Außerbetriebsetzung des Fahrzeugs %(plate)s") % {"plate": plate}
    else:
        subjects = {
            "kfz-wiederzulassung": _("Wiederzulassung des Fahrzeugs %(plate)s"),
            "kfz-umschreibung": _("Umschreibung des Fahrzeugs %(plate)s auf einen neuen Halter"),
            "kfz-adressaenderung": _("Änderung der Anschrift für das Fahrzeug %(plate)s"),
            "kfz-neuzulassung": _("Zulassung des Fahrzeugs %(plate)s"),
        }
        subject = subjects[key] % {"plate": plate}
        decision = _(
            "Dem Antrag wird entsprochen. Das Fahrzeug (FIN %(vin)s) ist mit dem Kennzeichen %(plate)s auf "
            "Sie "
            "zugelassen; Anschrift: %(address)s."
        ) % {
            "vin": vin,
            "plate": plate,
            "address": f"{data.get('strasse', '')}, {data.get('plz', '')} {data.get('ort', '')}",
        }
        issued = done.get("issued") or []
        if issued:
            decision += " " + _(
                "Die neuen Unterlagen (%(documents)s) erhalten Sie innerhalb von sechs Kalendertagen mit "
                "der Post. "
                "Bis dahin gilt der vorläufige Zulassungsnachweis in Ihrem Postfach."
            ) % {"documents": ", ".join(_document_label(d) for d in issued)}
        reason = base + fee_text
    return {"betreff": subject, "anrede": _("Guten Tag,"), "entscheidung": decision, "begruendung": reason}


def _document_label(key: str) -> str:
    from amtsweg.procedures.kfz.models import DispatchItem

    return str(DispatchItem.DOCUMENT_LABELS.get(key, key))


def manual_decision_texts(procedure, case, outcome: str) -> dict:
    """Default placeholders when a case worker decides (the back office lets them edit the free parts)."""
    granted = outcome != "rejected"
    return {
        "betreff": f"{procedure.title} – {case.number}",
        "anrede": _("Guten Tag,"),
        "entscheidung": _("Ihrem Antrag wird entsprochen.") if granted else _("Ihr Antrag wird abgelehnt."),
        "begruendung": _(
            "Bei der automatischen Prüfung Ihres Online-Antrags war nicht jede Voraussetzung erfüllt. Die "
            "Zulassungsbehörde hat den Antrag deshalb selbst geprüft."
        ),
    }
