"""Demo fee rules and payee accounts (order 50, after regions, directory, catalog and accounts).

i-Kfz fees are federal (GebOSt, online column, consolidated Dec 2025) and apply to every registration
authority; Gewerbeanzeige fees are set by each municipality within 22–112 EUR (10. SächsKVZ, no. 46).
Municipal amounts follow the practice quoted in the domain brief; the rest are marked as demo values.
Bank accounts are fictional (bank code 000 000 00).
"""

from __future__ import annotations

from amtsweg.core.demo import demo_loader
from amtsweg.payments.models import FeeKind, FeeRule, PayeeAccount
from amtsweg.payments.references import make_rf  # noqa: F401 (re-exported for demo scripts)

GEBOST = "GebOSt (Gebührenordnung für Maßnahmen im Straßenverkehr), Anlage, Gebührennummer {}"
KVZ = "§ 1 SächsVwKG i. V. m. 10. SächsKVZ, lfd. Nr. 46 – {}"

KFZ_ITEMS = [
    {
        "key": "stempelplaketten",
        "label": "Stempelplaketten (2 × 0,70 €)",
        "amount_cents": 140,
        "required": True,
    },
    {"key": "plakettentraeger", "label": "Plakettenträger", "amount_cents": 30, "required": True},
    {"key": "wunschkennzeichen", "label": "Wunschkennzeichen", "amount_cents": 1020},
    {"key": "reservierung", "label": "Kennzeichenreservierung", "amount_cents": 260},
    {"key": "hu-plakette", "label": "HU-Plakette", "amount_cents": 50},
]

# (procedure key, variant, label, cents, tariff number, items)
KFZ_RULES = [
    (
        "kfz-ausserbetriebsetzung",
        "",
        "Außerbetriebsetzung (online)",
        210,
        "224.2",
        [{"key": "reservierung", "label": "Kennzeichenreservierung (bis 12 Monate)", "amount_cents": 260}],
    ),
    ("kfz-neuzulassung", "", "Zulassung (online)", 1280, "221.1.1", KFZ_ITEMS),
    ("kfz-wiederzulassung", "", "Wiederzulassung (online)", 1280, "221.1.1", KFZ_ITEMS),
    (
        "kfz-wiederzulassung",
        "reserviertes-kennzeichen",
        "Wiederzulassung, gleicher Bezirk, reserviertes Kennzeichen (online)",
        1060,
        "221.7",
        KFZ_ITEMS,
    ),
    ("kfz-tageszulassung", "", "Zulassung am selben Tag (online)", 1490, "221.1.3", KFZ_ITEMS),
    (
        "kfz-halterwechsel",
        "",
        "Halterwechsel, gleicher Bezirk, Kennzeichen bleibt (online)",
        1040,
        "221.8.1",
        [],
    ),
    (
        "kfz-halterwechsel",
        "neues-kennzeichen",
        "Halterwechsel, gleicher Bezirk, neues Kennzeichen (online)",
        1240,
        "221.10.1",
        KFZ_ITEMS,
    ),
    ("kfz-umzug", "", "Neuer Bezirk, neues Kennzeichen (online)", 1210, "221.2.1", KFZ_ITEMS),
    ("kfz-umzug", "kennzeichen-behalten", "Neuer Bezirk, Kennzeichen bleibt (online)", 990, "221.9.1", []),
    ("kfz-adressaenderung", "", "Adressänderung im Bezirk (online)", 430, "225.1", []),
]

# municipality authority key -> (Anmeldung, Ummeldung, Abmeldung) in cents. The brief quotes Dippoldiswalde
# 30/20/15 and Döbeln 30/17/17, but 10. SächsKVZ no. 46 sets 22–112 EUR for every § 15 (1) receipt, so the
# range check refuses 15/17/20; the demo uses the lowest lawful amount instead (confirm with the towns).
GEWERBE = {
    "gemeinde-14628-dippoldiswalde": (3000, 2200, 2200),
    "gemeinde-14522-doebeln": (3000, 2200, 2200),
    "gemeinde-14625-bautzen": (5000, 3000, 2500),
    "stadt-dresden": (4000, 3000, 2500),
    "stadt-leipzig": (4000, 3000, 2500),
    "stadt-chemnitz": (3500, 2500, 2200),
}
GEWERBE_LABELS = {
    "gewerbe-anmeldung": "Gewerbeanmeldung",
    "gewerbe-ummeldung": "Gewerbeummeldung",
    "gewerbe-abmeldung": "Gewerbeabmeldung",
}


def _fictional_iban(seed: int) -> str:
    bban = f"00000000{seed:010d}"
    check = 98 - int("".join(str(int(c, 36)) for c in bban + "DE00")) % 97
    return f"DE{check:02d}{bban}"


def _rule(procedure_key, authority, variant="", **values):
    """Create or update a rule; validated (e.g. the legal range) before it is saved."""
    rule = FeeRule.objects.filter(procedure_key=procedure_key, authority=authority, variant=variant).first()
    rule = rule or FeeRule(procedure_key=procedure_key, authority=authority, variant=variant)
    for name, value in values.items():
        setattr(rule, name, value)
    rule.full_clean(validate_constraints=False)
    rule.save()
    return rule


@demo_loader(order=50)
def load_payment_demo() -> list[str]:
    from amtsweg.directory.models import Authority

    for key, variant, label, cents, tariff, items in KFZ_RULES:
        _rule(
            key,
            None,
            variant,
            label=label,
            kind=FeeKind.SUM_OF_ITEMS,
            amount_cents=cents,
            items=items,
            legal_basis=GEBOST.format(tariff),
        )
    # Municipalities without their own rule: a demo default inside the legal range.
    for procedure_key, label in GEWERBE_LABELS.items():
        _rule(
            procedure_key,
            None,
            label=f"{label} (Demo-Standardwert)",
            kind=FeeKind.RANGE,
            amount_cents=3000,
            min_cents=2200,
            max_cents=11200,
            legal_basis=KVZ.format("Empfangsbescheinigung nach § 15 Abs. 1 GewO (Rahmen 22–112 €)"),
        )
    _rule(
        "gewerbe-registerauskunft",
        None,
        label="Einfache Registerauskunft (§ 14 Abs. 5 GewO)",
        kind=FeeKind.PER_ITEM,
        amount_cents=1200,
        unit_cents=300,
        unit_label="je weiterer Betrieb",
        max_units=500,
        legal_basis=KVZ.format("Auskunft aus dem Gewerberegister"),
    )
    _rule(
        "gewerbe-registerauskunft",
        None,
        "erweitert",
        label="Erweiterte Registerauskunft (§ 14 Abs. 7 GewO)",
        kind=FeeKind.PER_ITEM,
        amount_cents=2800,
        unit_cents=300,
        unit_label="je weiterer Betrieb",
        max_units=500,
        legal_basis=KVZ.format("erweiterte Auskunft aus dem Gewerberegister"),
    )
    _rule(
        "gewerbe-auskunft-eu",
        None,
        label="Auskunft an Behörden anderer EU-Staaten",
        kind=FeeKind.FREE,
        legal_basis="10. SächsKVZ, lfd. Nr. 46 (gebührenfrei)",
    )

    authorities = {a.key: a for a in Authority.objects.filter(key__in=list(GEWERBE))}
    for key, amounts in GEWERBE.items():
        authority = authorities.get(key)
        if authority is None:
            continue
        for (procedure_key, label), cents in zip(GEWERBE_LABELS.items(), amounts, strict=True):
            _rule(
                procedure_key,
                authority,
                label=label,
                kind=FeeKind.RANGE,
                amount_cents=cents,
                min_cents=2200,
                max_cents=11200,
                legal_basis=KVZ.format("Empfangsbescheinigung nach § 15 Abs. 1 GewO, Satzung der Gemeinde"),
            )

    # Payee accounts (fictional) for every district-level authority and the demo municipalities.
    payees = Authority.objects.filter(key__in=list(GEWERBE)) | Authority.objects.filter(level="kreis")
    for authority in payees.distinct().order_by("pk"):
        PayeeAccount.objects.update_or_create(
            authority=authority,
            defaults={"holder": authority.name[:70], "iban": _fictional_iban(authority.pk), "bic": ""},
        )
    return []
