"""The general template of the Eingangsbestätigung (receipt), used by every procedure unless it brings its own.

It holds no form values, only the case number, time of receipt, receiving authorities, a link and the SHA-256 of
the submission, so no personal data of a submission ends up unencrypted in the document store.
"""

from django.db import migrations

TITLE = "Eingangsbestätigung: {{ verfahren }}"
BODY = """Guten Tag,

Ihr Antrag ist bei uns eingegangen. Wir bearbeiten ihn so bald wie möglich.

- Vorgangsnummer: {{ vorgangsnummer }}
- Eingang: {{ eingang }}
- Empfangende Behörden: {{ behoerden }}

Den Stand Ihres Antrags sehen Sie jederzeit unter „Meine Anträge“: {{ link }}

Prüfsumme Ihrer Angaben (SHA-256): {{ pruefsumme }}
"""


def create(apps, schema_editor):
    template = apps.get_model("documents", "DocumentTemplate")
    template.objects.get_or_create(
        doc_type="eingangsbestaetigung",
        procedure="",
        authority=None,
        version=1,
        defaults={"title": TITLE, "body": BODY, "closing": "automated", "with_remedy": False, "is_active": True},
    )


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial"), ("documents", "0002_default_templates")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
