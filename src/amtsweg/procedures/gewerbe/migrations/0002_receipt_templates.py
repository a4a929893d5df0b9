"""The Empfangsbescheinigung (§ 15 Abs. 1 GewO) for the three Gewerbeanzeige procedures, with the fee decision
(10. SächsKVZ lfd. Nr. 46) and therefore the general Rechtsbehelfsbelehrung. Authorities may add their own
versions in the documents app; these are the general ones (authority = any)."""

from django.db import migrations

TITLE = "Empfangsbescheinigung über Ihre {{ anzeige }} (§ 15 Abs. 1 GewO)"
BODY = """{{ anrede }}

Ihre {{ anzeige }} ist am {{ eingang }} bei uns eingegangen. Wir bescheinigen den Empfang der Anzeige mit folgendem Inhalt:

- Betriebs-Nr.: {{ betriebs_nr }}
- Gewerbetreibende: {{ inhaber }}
- Rechtsform: {{ rechtsform }}
- Betrieb: {{ betrieb }}
- Betriebsstätte: {{ anschrift }}
- Tätigkeit: {{ taetigkeit }}
- {{ datum_label }}: {{ datum }}

# Hinweise

{{ hinweis }}

Diese Bescheinigung ist keine Genehmigung. Sie berechtigt nicht zum Beginn des Gewerbes, wenn dafür eine Erlaubnis oder eine Eintragung in die Handwerksrolle nötig ist.

Ihre Anzeige geben wir nach § 14 Abs. 8 GewO elektronisch weiter an: {{ weitergabe }}. Jede Stelle erhält nur die Angaben, die sie für ihre Aufgaben braucht. Die Anzeige gilt auch als steuerliche Anzeige (§ 138 AO); den Fragebogen zur steuerlichen Erfassung übermitteln Sie bitte selbst über ELSTER.

# Gebühr

Für diese Bescheinigung setzen wir nach § 1 des Sächsischen Verwaltungskostengesetzes in Verbindung mit dem Zehnten Sächsischen Kostenverzeichnis (lfd. Nr. 46) eine Gebühr von {{ gebuehr }} fest. Die Gebühr haben Sie bereits bezahlt.
"""
PROCEDURES = ("gewerbe-anmeldung", "gewerbe-ummeldung", "gewerbe-abmeldung")


def create(apps, schema_editor):
    template = apps.get_model("documents", "DocumentTemplate")
    for procedure in PROCEDURES:
        template.objects.get_or_create(
            doc_type="empfangsbescheinigung",
            procedure=procedure,
            authority=None,
            version=1,
            defaults={"title": TITLE, "body": BODY, "closing": "automated", "with_remedy": True, "is_active": True},
        )


def remove(apps, schema_editor):
    template = apps.get_model("documents", "DocumentTemplate")
    template.objects.filter(doc_type="empfangsbescheinigung", procedure__in=PROCEDURES, authority=None).delete()


class Migration(migrations.Migration):
    dependencies = [("gewerbe", "0001_initial"), ("documents", "0002_default_templates")]

    operations = [migrations.RunPython(create, remove)]
