from django.core.management.base import BaseCommand

from amtsweg.exchange.addressbook import load_address_book
from amtsweg.exchange.services import ensure_sandbox_keys


class Command(BaseCommand):
    help = "Lädt das Adressbuch der Empfänger von Gewerbeanzeigen (SANDBOX-Empfänger bekommen Schlüssel)."

    def handle(self, *args, **options):
        result = load_address_book()
        keys = ensure_sandbox_keys()
        self.stdout.write(
            f"Empfänger: {result['created']} neu, {result['updated']} aktualisiert; {keys} SANDBOX-Schlüssel"
        )
