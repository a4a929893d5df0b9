"""Demo data of the drilling notification (order 45, after the accounts): fictional case workers for the
Mittelsachsen water authority and the Oberbergamt (the LfULG's demo-lfulg-sb comes from the accounts app).
Same demo password and second factor as every demo account."""

from __future__ import annotations

from django.conf import settings

from amtsweg.core.demo import demo_loader

DEMO_STAFF = [
    ("demo-wasser-mittelsachsen", "Wanda", "Wasser-Demo", "landratsamt-mittelsachsen"),
    ("demo-oba-sb", "Otto", "Bergamt-Demo", "oberbergamt"),
]


@demo_loader(order=45)
def load_bohrung_demo() -> list[str]:
    from amtsweg.accounts.demo import _staff
    from amtsweg.directory.models import Authority

    lines = [
        "Bohranzeige: /antrag/bohranzeige/ (Sandbox-eID „Muster Bohr GmbH“, für die Firma handeln), "
        "Stand je Behörde unter /bohranzeige/vorgang/<id>/",
        "Bohranzeigen (Sachbearbeitung): /verwaltung/bohrung/ mit demo-lfulg-sb (Register, Karte, Exporte), "
        + ", ".join(username for username, *_rest in DEMO_STAFF),
    ]
    if not (settings.DEMO or settings.TESTING):
        return lines[:1]
    for username, first, last, key in DEMO_STAFF:
        authority = Authority.objects.filter(key=key).first()
        if authority is not None:
            _staff(username, first, last, authority, ["case_worker", "approver"])
    return lines
