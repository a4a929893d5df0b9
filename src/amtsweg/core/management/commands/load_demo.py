from django.core.management.base import BaseCommand

from amtsweg.core import demo


class Command(BaseCommand):
    help = "Lädt die Demodaten (idempotent: ein zweiter Lauf ändert nichts)."

    def handle(self, *args, **options):
        for line in demo.load_all():
            self.stdout.write(line)
