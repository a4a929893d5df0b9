from django.db import migrations


def create_defaults(apps, schema_editor):
    from amtsweg.documents.defaults import ensure_default_templates

    ensure_default_templates(apps.get_model("documents", "DocumentTemplate"), apps.get_model("documents", "RemedyTemplate"))


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_initial")]

    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
