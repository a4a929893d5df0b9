"""The template of the provisional registration proof (§ 32 FZV), like the engine's receipt template."""

from django.db import migrations

from amtsweg.procedures.kfz.documents import PROOF_BODY, PROOF_DOC_TYPE, PROOF_TITLE


def create(apps, schema_editor):
    template = apps.get_model("documents", "DocumentTemplate")
    template.objects.get_or_create(
        doc_type=PROOF_DOC_TYPE,
        procedure="",
        authority=None,
        version=1,
        defaults={"title": PROOF_TITLE, "body": PROOF_BODY, "closing": "automated", "with_remedy": False, "is_active": True},
    )


class Migration(migrations.Migration):
    dependencies = [("kfz", "0001_initial"), ("documents", "0002_default_templates")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
