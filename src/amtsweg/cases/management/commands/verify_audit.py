"""Check every hash chain of the audit trail; exit code 1 with the broken rows named."""

from django.core.management.base import BaseCommand, CommandError

from amtsweg.cases import audit


class Command(BaseCommand):
    help = "Prüft das Prüfprotokoll (Hash-Ketten) auf veränderte, gelöschte oder eingefügte Einträge."

    def add_arguments(self, parser):
        parser.add_argument("--chain", action="append", help="nur diese Kette(n) prüfen (Behördenschlüssel)")

    def handle(self, *args, **options):
        checked, problems = audit.verify(options.get("chain"))
        if problems:
            for problem in problems:
                self.stderr.write(f"MANIPULATION: {problem}")
            raise CommandError(f"Prüfprotokoll verletzt: {len(problems)} Befund(e) bei {checked} Einträgen.")
        self.stdout.write(f"Prüfprotokoll in Ordnung: {checked} Einträge geprüft.")
