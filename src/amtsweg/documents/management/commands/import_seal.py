import getpass
import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from amtsweg.directory.models import Authority
from amtsweg.documents import pki

PASSPHRASE_ENV = "AMTSWEG_SEAL_PASSPHRASE"  # noqa: S105 (the name of a variable, not a secret)
MAX_BYTES = 1024 * 1024


class Command(BaseCommand):
    help = (
        "Importiert ein Siegelzertifikat mit Schlüssel (PKCS#12) für eine Behörde. Die Passphrase kommt aus "
        f"{PASSPHRASE_ENV} oder wird abgefragt. Die Wurzel der Kette gehört nach AMTSWEG_SEAL_TRUST_ANCHORS."
    )

    def add_arguments(self, parser):
        parser.add_argument("authority_key")
        parser.add_argument("file", type=Path)

    def handle(self, *args, authority_key, file, **options):
        authority = Authority.objects.filter(key=authority_key).first()
        if authority is None:
            raise CommandError(f"Behörde {authority_key!r} gibt es nicht.")
        try:
            if file.stat().st_size > MAX_BYTES:
                raise CommandError("Die Datei ist zu groß für eine PKCS#12-Datei.")
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Die Datei {file} kann nicht gelesen werden: {exc.strerror}.") from None
        passphrase = os.environ.get(PASSPHRASE_ENV)
        if passphrase is None:
            passphrase = getpass.getpass("Passphrase der PKCS#12-Datei (leer = keine): ")
        try:
            record = pki.import_pkcs12(authority, data, passphrase.encode() if passphrase else None)
        except pki.PkiError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Importiert: {record.subject} (Seriennummer {record.serial}),"
            f" gültig bis {record.not_after:%d.%m.%Y}."
        )
