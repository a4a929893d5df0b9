import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from amtsweg.catalog.formats import CatalogFormatError, import_catalog


class Command(BaseCommand):
    help = (
        "Leistungskatalog aus einer JSON-Datei im Format amtsweg-catalog/1 einlesen "
        "(siehe docs/catalog-format.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="JSON-Datei (oder - für die Standardeingabe)")
        parser.add_argument(
            "--prune", action="store_true", help="Leistungen und Lebenslagen löschen, die in der Datei fehlen"
        )
        parser.add_argument(
            "--author", default="", help="Wer die Änderung verantwortet (für die Versionshistorie)"
        )

    def handle(self, *args, file, prune, author, **options):
        try:
            if file == "-":
                import sys

                data = json.load(sys.stdin)
            else:
                data = json.loads(Path(file).read_text(encoding="utf-8"))
        except OSError as exc:
            raise CommandError(f"Datei {file} kann nicht gelesen werden: {exc.strerror}.") from None
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise CommandError(f"Datei {file} ist kein gültiges JSON: {exc}.") from None
        try:
            result = import_catalog(data, author=author or f"import:{Path(file).name}", prune=prune)
        except CatalogFormatError as exc:
            raise CommandError(
                f"Datei {file} entspricht nicht dem Format ({len(exc.errors)} Fehler):\n  "
                + "\n  ".join(exc.errors)
            ) from None
        self.stdout.write(result.summary())
