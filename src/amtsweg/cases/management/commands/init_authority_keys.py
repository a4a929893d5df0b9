"""Create an encryption key pair for every authority that has none (idempotent)."""

from django.core.management.base import BaseCommand, CommandError

from amtsweg.cases import crypto


class Command(BaseCommand):
    help = (
        "Erzeugt für jede Behörde ohne Schlüssel ein Schlüsselpaar (privat als Datei, öffentlich in der "
        "Datenbank)."
    )

    def add_arguments(self, parser):
        parser.add_argument("authorities", nargs="*", help="Schlüssel einzelner Behörden (Standard: alle)")
        parser.add_argument("--with-staff", action="store_true", help="nur Behörden mit Beschäftigten")

    def handle(self, *args, **options):
        from amtsweg.cases.models import AuthorityKey
        from amtsweg.directory.models import Authority

        if not crypto.private_keys_enabled():
            raise CommandError(
                "AMTSWEG_PRIVATE_KEYS=0: diese Installation verwaltet keine privaten Schlüssel."
            )
        queryset = Authority.objects.order_by("key")
        if options["authorities"]:
            queryset = queryset.filter(key__in=options["authorities"])
            missing = set(options["authorities"]) - set(queryset.values_list("key", flat=True))
            if missing:
                raise CommandError(f"Unbekannte Behörde(n): {', '.join(sorted(missing))}")
        if options["with_staff"]:
            queryset = queryset.filter(staff_memberships__is_active=True).distinct()
        with_key = set(AuthorityKey.objects.filter(is_active=True).values_list("authority_id", flat=True))
        created = 0
        for authority in queryset:
            if authority.pk in with_key:
                continue
            try:
                crypto.ensure_key(authority)
            except crypto.CryptoError as exc:
                raise CommandError(str(exc)) from None
            created += 1
        self.stdout.write(f"{created} Schlüsselpaar(e) erzeugt; Ablage: {crypto.key_dir()}")
