"""Demo data of the SANDBOX vehicle register (order 55, after regions, directory, catalog, accounts,
payments)."""

from __future__ import annotations

from amtsweg.core.demo import demo_loader
from amtsweg.vehicle_register import conf


@demo_loader(order=55)
def load_vehicle_register() -> list[str]:
    if not conf.sandbox_enabled():
        return ["Fahrzeugregister: SANDBOX ausgeschaltet, keine Demo-Fahrzeuge angelegt."]
    from amtsweg.vehicle_register.seed import seed

    counts = seed()
    return [
        f"SANDBOX-Fahrzeugregister: {counts['vehicles']} erfundene Fahrzeuge in allen 13 Kreisen; "
        "Sicherheitscodes, eVB-Nummern und Testfälle unter /sandbox/fahrzeugregister/ "
        "(z. B. ERZ-EB 101 für Erika Beispiel-Musterfrau)."
    ]
