from django.core.management.base import BaseCommand, CommandError

from amtsweg.directory.loader import AuthorityDataError, load_authorities, read_data


class Command(BaseCommand):
    help = (
        "Lädt die Landratsämter, Stadtverwaltungen und Landesbehörden aus den mitgelieferten Daten "
        "und erzeugt eine Gemeindeverwaltung je Gemeinde der Regionsdaten (idempotent)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--file", help="andere Datei im Format von authorities.json (Standard: die mitgelieferte)"
        )

    def handle(self, *args, **options):
        try:
            report = load_authorities(read_data(options["file"]))
        except AuthorityDataError as error:
            raise CommandError(str(error)) from error
        totals = report.totals
        summary = (
            f"Behörden: {totals['authorities']} (davon {totals['generated']} erzeugte Gemeindeverwaltungen), "
            f"{totals['offices']} Dienststellen."
        )
        if report.changed:
            changes = ", ".join(
                f"{label} {part}: {count}"
                for label, counts in (("neu", report.created), ("geändert", report.updated))
                for part, count in counts.items()
                if count
            )
            self.stdout.write(self.style.SUCCESS(f"{summary} Änderungen: {changes}."))
        else:
            self.stdout.write(f"{summary} Keine Änderungen.")
        if report.orphaned:
            self.stdout.write(
                self.style.WARNING(
                    "Erzeugte Behörden ohne Gemeinde in den Regionsdaten (bitte prüfen): "
                    + ", ".join(report.orphaned)
                )
            )
