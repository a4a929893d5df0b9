"""Replace an authority's active key; old cases stay readable through the kid in their JWE header."""

from django.core.management.base import BaseCommand, CommandError

from amtsweg.cases import audit, crypto


class Command(BaseCommand):
    help = (
        "Erzeugt einen neuen Schlüssel für eine Behörde; der alte bleibt zum Entschlüsseln alter "
        "Vorgänge erhalten."
    )

    def add_arguments(self, parser):
        parser.add_argument("authority", help="Schlüssel der Behörde, z. B. landratsamt-erzgebirgskreis")

    def handle(self, *args, **options):
        from django.db import transaction

        from amtsweg.directory.models import Authority

        authority = Authority.objects.filter(key=options["authority"]).first()
        if authority is None:
            raise CommandError(f"Unbekannte Behörde: {options['authority']}")
        try:
            with transaction.atomic():
                row = crypto.create_key(authority)
                audit.append("key_rotated", authority=authority, detail={"kid": row.kid})
        except crypto.CryptoError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Neuer Schlüssel {row.kid} ({crypto.fingerprint(row)}) für {authority.name}")
