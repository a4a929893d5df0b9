from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from amtsweg.catalog.formats import dumps, export_catalog


class Command(BaseCommand):
    help = "Leistungskatalog als JSON im Format amtsweg-catalog/1 schreiben (siehe docs/catalog-format.md)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Zieldatei (oder - für die Standardausgabe)")

    def handle(self, *args, file, **options):
        text = dumps(export_catalog())
        if file == "-":
            self.stdout.write(text, ending="")
            return
        try:
            Path(file).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"Datei {file} kann nicht geschrieben werden: {exc.strerror}.") from None
        self.stderr.write(f"{file}: Leistungskatalog geschrieben.")
