from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from amtsweg.payments.cashoffice import cash_office_csv


class Command(BaseCommand):
    help = "Kassenexport (CSV) einer Behörde für einen Tag (Europe/Berlin) schreiben."

    def add_arguments(self, parser):
        parser.add_argument("--authority", required=True, help="Schlüssel der Behörde")
        parser.add_argument("--day", help="Tag im Format JJJJ-MM-TT (Standard: heute)")
        parser.add_argument("--output", help="Zieldatei (Standard: Standardausgabe)")

    def handle(self, *args, authority, day=None, output=None, **options):
        from amtsweg.directory.models import Authority

        try:
            target = Authority.objects.get(key=authority)
        except Authority.DoesNotExist:
            raise CommandError(f"Behörde {authority!r} gibt es nicht.") from None
        try:
            the_day = date.fromisoformat(day) if day else timezone.localdate()
        except ValueError:
            raise CommandError(f"{day!r} ist kein Datum im Format JJJJ-MM-TT.") from None
        text = cash_office_csv(target, the_day)
        if output:
            Path(output).write_text(text, encoding="utf-8")
            self.stdout.write(f"{output} geschrieben ({text.count(chr(10)) - 1} Buchungen).")
        else:
            self.stdout.write(text, ending="")
