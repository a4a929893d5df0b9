"""Demo data of the Gewerbeanzeige pilot (order 60, after payments' fee rules and the exchange address
book)."""

from __future__ import annotations

from amtsweg.core.demo import demo_loader
from amtsweg.procedures.gewerbe.receipt import ensure_receipt_templates


@demo_loader(order=60)
def load_gewerbe_demo() -> list[str]:
    ensure_receipt_templates()
    return [
        "Gewerbe anmelden: /antrag/gewerbe-anmeldung/ (Sandbox-eID), Meine Gewerbe: /gewerbe/",
        "Gewerbeamt (Sachbearbeitung): /verwaltung/gewerbe/ mit demo-stadt-sb",
    ]
