from django.db import migrations, models


def empty_instead_of_null(apps, schema_editor):
    apps.get_model("catalog", "Service").objects.filter(leika__isnull=True).update(leika="")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [
        migrations.RunPython(empty_instead_of_null, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="service",
            name="leika",
            field=models.CharField(blank=True, default="", max_length=14, verbose_name="Leistungsschlüssel (LeiKa)"),
        ),
    ]
