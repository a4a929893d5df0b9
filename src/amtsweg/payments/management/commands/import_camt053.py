from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from amtsweg.payments.camt import CamtError, import_camt053


class Command(BaseCommand):
    help = (
        "Kontoauszug (ISO 20022 camt.053) einlesen: Überweisungen zuordnen, Abweichungen zur Klärung listen."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="camt.053-XML-Datei")
        parser.add_argument(
            "--authority", required=True, help="Schlüssel der Behörde, deren Konto der Auszug betrifft"
        )

    def handle(self, *args, file, authority, **options):
        from amtsweg.directory.models import Authority

        try:
            target = Authority.objects.get(key=authority)
        except Authority.DoesNotExist:
            raise CommandError(f"Behörde {authority!r} gibt es nicht.") from None
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Datei {file!r} nicht gefunden.")
        try:
            result = import_camt053(path.read_bytes(), target)
        except CamtError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(result.summary())
        for entry in result.unmatched:
            self.stdout.write(
                f"  zu klären: {entry.amount_display} {entry.reference or '-'} ({entry.get_reason_display()})"
            )
