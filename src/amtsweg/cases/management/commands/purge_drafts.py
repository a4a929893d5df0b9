from django.core.management.base import BaseCommand

from amtsweg.cases.services import purge_drafts


class Command(BaseCommand):
    help = "Löscht Antragsentwürfe 30 Tage nach der letzten Bearbeitung (§ 8a Abs. 3 OZG)."

    def handle(self, *args, **options):
        self.stdout.write(f"{purge_drafts()} Entwürfe gelöscht.")
