"""Which recipient kinds receive a notification, which message type and which field groups (from
`data/weitergabe.json`), and a helper that builds the filtered message for one recipient."""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from amtsweg.xgewerbe import builder, codes
from amtsweg.xgewerbe.model import Behoerde, Meldung, Nachricht


@dataclass(frozen=True)
class Merkmale:
    """The facts of a notification the transmission conditions look at (no personal data)."""

    art: str  # anmeldung | ummeldung | abmeldung
    industrie: bool = False
    handwerk: bool = False
    handel: bool = False
    sonstiges: bool = False
    handwerkskarte: bool = False  # craft card held or applied for
    wz: str = ""
    lebensmittel: bool = False  # from the activity list (in addition to the WZ prefixes)
    eichrelevant: bool = False
    registereintrag: bool = False  # HRA/HRB/GnR entry


def _wz_match(wz: str, name: str) -> bool:
    digits = "".join(ch for ch in wz if ch.isdigit())
    return bool(digits) and any(digits.startswith(prefix) for prefix in codes.wz_prefixes(name))


def condition_met(condition: str, m: Merkmale) -> bool:
    if condition == "immer":
        return True
    if condition == "aus":
        return False
    if condition == "handwerk":
        return m.handwerk or m.handwerkskarte
    if condition == "ihk_zugehoerig":
        return m.industrie or m.handel or m.sonstiges or not (m.handwerk or m.handwerkskarte)
    if condition == "produzierend":
        return m.industrie or m.handwerk
    if condition == "eichrelevant":
        return m.eichrelevant or _wz_match(m.wz, "eichrelevant")
    if condition == "lebensmittel":
        return m.lebensmittel or _wz_match(m.wz, "lebensmittel")
    if condition == "registereintrag":
        return m.registereintrag
    raise ValueError(f"unknown condition {condition!r}")


def recipient_kinds(m: Merkmale, *, monthly: bool = False) -> list[str]:
    """Recipient kinds for one notification. `monthly=False`: those served at once; `True`: those served by
    the monthly batch (the statistics office)."""
    kinds = []
    for kind, rule in codes.recipient_rules().items():
        if bool(rule.get("monatlich")) != monthly:
            continue
        if m.art in rule["ereignisse"] and condition_met(rule["bedingung"], m):
            kinds.append(kind)
    return kinds


def groups_for(kind: str) -> list[str]:
    return list(codes.recipient_rule(kind)["gruppen"])


def message_for(
    kind: str,
    *,
    uuid: str,
    erstellt,
    autor: Behoerde,
    leser: Behoerde,
    saetze: list[Meldung],
    berichtszeitraum: str = "",
    test: bool = False,
    fragments=(),
) -> tuple[bytes, dict]:
    """The XML for one recipient (only its field groups) and a description {element, code, groups}."""
    message_type = codes.message_type_for(kind)
    nachricht = Nachricht(
        element=message_type["element"],
        code=message_type["code"],
        uuid=uuid,
        erstellt=erstellt,
        autor=autor,
        leser=leser,
        saetze=saetze,
        berichtszeitraum=berichtszeitraum,
        test=test,
    )
    groups = groups_for(kind)
    xml = etree.tostring(
        builder.build_tree(nachricht, groups, fragments=fragments),
        xml_declaration=True,
        encoding="UTF-8",
        pretty_print=True,
    )
    return xml, {
        "element": message_type["element"],
        "code": message_type["code"],
        "groups": groups,
    }
