from django.core.management.base import BaseCommand, CommandError

from amtsweg.documents import pki
from amtsweg.documents.models import SealCertificate


class Command(BaseCommand):
    help = "Sperrt ein Siegelzertifikat (Seriennummer hex); danach wird damit nicht mehr gesiegelt."

    def add_arguments(self, parser):
        parser.add_argument("serial")
        parser.add_argument("--grund", default="", help="Sperrgrund")

    def handle(self, *args, serial, grund, **options):
        wanted = serial.strip().lower().removeprefix("0x").replace(":", "")
        record = SealCertificate.objects.filter(serial=wanted).first()
        if record is None:
            raise CommandError(f"Kein Siegelzertifikat mit der Seriennummer {serial}.")
        pki.revoke(record, grund)
        self.stdout.write(f"Gesperrt: {record.subject} ({record.serial}).")
