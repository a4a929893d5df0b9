from django.core.management.base import BaseCommand, CommandError

from amtsweg.regions.loader import DatasetError, load_dataset, read_dataset

PARTS = {
    "districts": "Kreise",
    "postal_codes": "Postleitzahlen",
    "places": "Orte",
    "place_postal_codes": "Ort-PLZ-Zuordnungen",
    "postal_code_other_districts": "weitere Kreise je PLZ",
}


class Command(BaseCommand):
    help = "Lädt Sachsens Kreise, Postleitzahlen und Orte aus dem mitgelieferten Datensatz (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--file",
            help="anderer Datensatz im Format von saxony.json (Standard: der mitgelieferte)",
        )

    def handle(self, *args, **options):
        try:
            report = load_dataset(read_dataset(options["file"]))
        except DatasetError as error:
            raise CommandError(str(error)) from error
        totals = report.totals
        summary = (
            f"Regionen: {totals['districts']} Kreise, {totals['postal_codes']} Postleitzahlen, "
            f"{totals['places']} Orte."
        )
        if not report.changed:
            self.stdout.write(f"{summary} Keine Änderungen.")
            return
        verbs = (("neu", report.created), ("geändert", report.updated), ("entfernt", report.deleted))
        changes = ", ".join(
            f"{PARTS[part]} {verb}: {count}"
            for verb, counts in verbs
            for part, count in sorted(counts.items())
            if count
        )
        self.stdout.write(self.style.SUCCESS(f"{summary} Änderungen: {changes}."))
