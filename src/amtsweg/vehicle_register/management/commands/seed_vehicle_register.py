from django.core.management.base import BaseCommand, CommandError

from amtsweg.vehicle_register import conf


class Command(BaseCommand):
    help = "SANDBOX: create the fictional vehicles, eVB numbers and tax debtor (idempotent)."

    def handle(self, *args, **options):
        if not conf.sandbox_enabled():
            raise CommandError(
                "Das SANDBOX-Fahrzeugregister ist ausgeschaltet (AMTSWEG_VEHICLE_REGISTER_SANDBOX)."
            )
        from amtsweg.vehicle_register.seed import seed

        counts = seed()
        self.stdout.write(
            f"{counts['vehicles_created']} Fahrzeuge neu angelegt, {counts['vehicles']} insgesamt."
        )
