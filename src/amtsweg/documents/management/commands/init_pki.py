from django.core.management.base import BaseCommand

from amtsweg.documents import conf, pki


class Command(BaseCommand):
    help = (
        "Richtet die Plattform-CA und den Zeitstempeldienst ein (idempotent; Schlüssel im PKI-Ordner, 0600)."
    )

    def handle(self, *args, **options):
        ca = pki.init_pki()
        self.stdout.write(f"PKI-Ordner: {conf.pki_dir()}")
        self.stdout.write(f"Plattform-CA: {ca.certificate.subject.rfc4514_string()}")
        self.stdout.write(f"gültig bis: {ca.certificate.not_valid_after_utc:%d.%m.%Y}")
        self.stdout.write(f"SHA-256: {pki.fingerprint(ca.certificate)}")
