"""Which fee rule applies (GebOSt annex, online tariffs, domain.md § 3.7).

The payments app holds the rules (`FeeRule`, keyed by procedure key and variant, seeded by its demo loader
with
the online column). The i-Kfz situation decides the rule:

| Situation | Rule (key / variant) | Tariff |
|---|---|---|
| Deregistration (+ reservation 2.60) | kfz-ausserbetriebsetzung / – | 224.2: 2.10 |
| Re-registration, reserved plate, same district | kfz-wiederzulassung / reserviertes-kennzeichen | 10.60 |
| Re-registration otherwise | kfz-wiederzulassung / – | 221.1.1: 12.80 |
| Change of holder, same district, keep plate | kfz-halterwechsel / – | 221.8.1: 10.40 |
| Change of holder, same district, new plate | kfz-halterwechsel / neues-kennzeichen | 221.10.1: 12.40 |
| Change of holder or address, new district, keep plate | kfz-umzug / kennzeichen-behalten | 221.9.1: 9.90 |
| Change of holder or address, new district, new plate | kfz-umzug / – | 221.2.1: 12.10 |
| Address change within the district | kfz-adressaenderung / – | 225.1: 4.30 |
| First registration | kfz-neuzulassung / – | 221.1.1: 12.80 |

New plates add the rule's required items (two seals 0.70 each, sticker carrier 0.30) and the HU sticker
(0.50);
a personalised plate adds 10.20. The amount is always computed here on the server from the dialogue's data;
nothing the browser sends can change it, and the submission checks the paid amount against it again.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FeeChoice:
    rule_key: str
    variant: str = ""
    items: tuple[str, ...] = ()

    def as_text(self) -> str:
        return f"{self.rule_key}|{self.variant}|{','.join(self.items)}"


def _plate_items(plate_choice: str) -> tuple[str, ...]:
    if plate_choice in ("neu", "wunsch", "reserviert"):
        return ("hu-plakette", "wunschkennzeichen") if plate_choice == "wunsch" else ("hu-plakette",)
    return ()


def fee_choice(procedure_key: str, data: dict, *, same_district: bool) -> FeeChoice:
    """The rule for this application. `data` is the dialogue's (JSON) data."""
    plate = data.get("kennzeichen_wahl") or "behalten"
    if procedure_key == "kfz-ausserbetriebsetzung":
        return FeeChoice("kfz-ausserbetriebsetzung", "", ("reservierung",) if data.get("reservieren") else ())
    if procedure_key == "kfz-wiederzulassung":
        if plate == "reserviert" and same_district:
            return FeeChoice("kfz-wiederzulassung", "reserviertes-kennzeichen", _plate_items(plate))
        return FeeChoice("kfz-wiederzulassung", "", _plate_items(plate))
    if procedure_key == "kfz-neuzulassung":
        return FeeChoice("kfz-neuzulassung", "", _plate_items(plate))
    if procedure_key == "kfz-umschreibung":
        if same_district:
            if plate == "behalten":
                return FeeChoice("kfz-halterwechsel")
            return FeeChoice("kfz-halterwechsel", "neues-kennzeichen", _plate_items(plate))
        if plate == "behalten":
            return FeeChoice("kfz-umzug", "kennzeichen-behalten")
        return FeeChoice("kfz-umzug", "", _plate_items(plate))
    if procedure_key == "kfz-adressaenderung":
        if same_district:
            return FeeChoice("kfz-adressaenderung")
        if plate == "behalten":
            return FeeChoice("kfz-umzug", "kennzeichen-behalten")
        return FeeChoice("kfz-umzug", "", _plate_items(plate))
    raise ValueError(procedure_key)


def quote(choice: FeeChoice, authority):
    """The FeeQuote from the payments app's rule (raises payments' FeeError with a German message)."""
    from amtsweg.payments.services import quote_fee

    return quote_fee(choice.rule_key, authority, choice.variant, {"items": list(choice.items)})
