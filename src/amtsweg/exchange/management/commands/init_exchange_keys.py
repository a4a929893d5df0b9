from django.core.management.base import BaseCommand

from amtsweg.directory.models import Authority
from amtsweg.exchange import crypto


class Command(BaseCommand):
    help = "Erzeugt fehlende Signaturschlüssel für den Datenaustausch (eine je Behörde)."

    def add_arguments(self, parser):
        parser.add_argument("--authority", help="nur für diese Behörde (Schlüssel)")

    def handle(self, *args, **options):
        authorities = Authority.objects.all()
        if options.get("authority"):
            authorities = authorities.filter(key=options["authority"])
        created = 0
        for authority in authorities:
            if not authority.exchange_keys.filter(active=True).exists():
                crypto.sender_key(authority, create=True)
                created += 1
        self.stdout.write(f"{created} Signaturschlüssel erzeugt")
