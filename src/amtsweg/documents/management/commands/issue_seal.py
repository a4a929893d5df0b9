from django.core.management.base import BaseCommand, CommandError

from amtsweg.directory.models import Authority
from amtsweg.documents import pki


class Command(BaseCommand):
    help = "Stellt der Behörde ein Siegelzertifikat der Plattform-CA aus (ersetzt das aktive)."

    def add_arguments(self, parser):
        parser.add_argument("authority_key")
        parser.add_argument("--tage", type=int, default=pki.SEAL_DAYS, help="Gültigkeit in Tagen")

    def handle(self, *args, authority_key, tage, **options):
        authority = Authority.objects.filter(key=authority_key).first()
        if authority is None:
            raise CommandError(f"Behörde {authority_key!r} gibt es nicht.")
        if not 1 <= tage <= 3650:
            raise CommandError("Die Gültigkeit muss zwischen 1 und 3650 Tagen liegen.")
        record = pki.issue_seal_certificate(authority, valid_days=tage)
        self.stdout.write(
            f"Siegelzertifikat {record.serial} für {authority.name}, gültig bis {record.not_after:%d.%m.%Y}."
        )
