"""The Empfangsbescheinigung template (the same text the migration 0002 installs), for setups without the
migration's rows, e.g. browser tests whose database is flushed between tests, and the demo loader."""

from __future__ import annotations

TITLE = "Empfangsbescheinigung über Ihre {{ anzeige }} (§ 15 Abs. 1 GewO)"
BODY = """{{ anrede }}

Ihre {{ anzeige }} ist am {{ eingang }} bei uns eingegangen. Wir bescheinigen den Empfang der Anzeige mit
folgendem Inhalt:

- Betriebs-Nr.: {{ betriebs_nr }}
- Gewerbetreibende: {{ inhaber }}
- Rechtsform: {{ rechtsform }}
- Betrieb: {{ betrieb }}
- Betriebsstätte: {{ anschrift }}
- Tätigkeit: {{ taetigkeit }}
- {{ datum_label }}: {{ datum }}

# Hinweise

{{ hinweis }}

Diese Bescheinigung ist keine Genehmigung. Sie berechtigt nicht zum Beginn des Gewerbes, wenn dafür eine
Erlaubnis oder eine Eintragung in die Handwerksrolle nötig ist.

Ihre Anzeige geben wir nach § 14 Abs. 8 GewO elektronisch weiter an: {{ weitergabe }}. Jede Stelle erhält nur
die Angaben, die sie für ihre Aufgaben braucht. Die Anzeige gilt auch als steuerliche Anzeige (§ 138 AO); den
Fragebogen zur steuerlichen Erfassung übermitteln Sie bitte selbst über ELSTER.

# Gebühr

Für diese Bescheinigung setzen wir nach § 1 des Sächsischen Verwaltungskostengesetzes in Verbindung mit dem
Zehnten Sächsischen Kostenverzeichnis (lfd. Nr. 46) eine Gebühr von {{ gebuehr }} fest. Die Gebühr haben Sie
bereits bezahlt.
"""
PROCEDURES = ("gewerbe-anmeldung", "gewerbe-ummeldung", "gewerbe-abmeldung")


def ensure_receipt_templates() -> int:
    """Create the general receipt templates if missing (idempotent). Returns how many were created."""
    from amtsweg.documents.defaults import ensure_default_templates
    from amtsweg.documents.models import DocumentTemplate

    created = ensure_default_templates()
    for procedure in PROCEDURES:
        _obj, new = DocumentTemplate.objects.get_or_create(
            doc_type="empfangsbescheinigung",
            procedure=procedure,
            authority=None,
            version=1,
            defaults={
                "title": TITLE,
                "body": BODY,
                "closing": "automated",
                "with_remedy": True,
                "is_active": True,
            },
        )
        created += new
    return created
