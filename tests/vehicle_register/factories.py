"""Factories for the SANDBOX vehicle register (plain functions; codes derived like the sandbox does)."""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

from amtsweg.vehicle_register import codes
from amtsweg.vehicle_register.interface import Holder, SecurityCodes
from amtsweg.vehicle_register.models import InsuranceConfirmation, Vehicle
from amtsweg.vehicle_register.seed import make_vin
from amtsweg.vehicle_register.views import current_codes

_serial = itertools.count(1)

ERIKA = Holder(
    "Erika", "Beispiel-Musterfrau", dt.date(1964, 8, 12), "Musterstraße 1", "09456", "Annaberg-Buchholz"
)
BUYER = Holder("Bernd", "Käufer-Test", dt.date(1980, 2, 2), "Neue Straße 2", "09599", "Freiberg")


def make_vehicle(
    *, plate: str | None = None, status: str = Vehicle.Status.REGISTERED, holder: Holder = ERIKA, **values
) -> Vehicle:
    n = next(_serial)
    vin = make_vin("TST0" + str(n % 10), "S", 700000 + n)
    if plate is None and status == Vehicle.Status.REGISTERED:
        plate = f"ERZ-T{chr(65 + n % 26)} {n}"
    kinds = codes.KINDS if status == Vehicle.Status.REGISTERED else (codes.ZB2,)
    hashes = {}
    for kind in kinds:
        field = {
            "zb1": "zb1_code_hash",
            "zb2": "zb2_code_hash",
            "seal_front": "seal_front_hash",
            "seal_rear": "seal_rear_hash",
        }[kind]
        hashes[field] = codes.code_hash(kind, vin, codes.sandbox_code(kind, vin, 1))
    defaults = {
        "vin": vin,
        "plate": plate or "",
        "district_ags": "14521" if status != Vehicle.Status.NEW else "",
        "status": status,
        "make": "Volkswagen",
        "model": "Golf",
        "holder_given_name": holder.given_name if status != Vehicle.Status.NEW else "",
        "holder_family_name": holder.family_name if status != Vehicle.Status.NEW else "",
        "holder_birth_date": holder.birth_date if status != Vehicle.Status.NEW else None,
        "holder_street": holder.street,
        "holder_postal_code": holder.postal_code,
        "holder_locality": holder.locality,
        "zb1_number": f"AA{n:07d}",
        "zb2_number": f"AB{n:07d}",
        "next_inspection": timezone.localdate() + dt.timedelta(days=300),
        "first_registered_on": dt.date(2020, 1, 1) if status != Vehicle.Status.NEW else None,
        "deregistered_on": timezone.localdate() - dt.timedelta(days=30)
        if status == Vehicle.Status.DEREGISTERED
        else None,
        "code_generations": {kind: 1 for kind in kinds},
        **hashes,
    }
    defaults.update(values)
    return Vehicle.objects.create(**defaults)


def codes_of(vehicle: Vehicle) -> SecurityCodes:
    """The codes currently on the vehicle's documents (what the holder can scratch free)."""
    vehicle.refresh_from_db()
    return SecurityCodes(**current_codes(vehicle))


def make_evb(
    evb: str = "TEST001", *, vin: str = "", days_valid: int = 90, expired: bool = False
) -> InsuranceConfirmation:
    today = timezone.localdate()
    if expired:
        return InsuranceConfirmation.objects.create(
            evb=evb,
            insurer="Test-Versicherung",
            vin=vin,
            valid_from=today - dt.timedelta(days=400),
            valid_until=today - dt.timedelta(days=1),
        )
    return InsuranceConfirmation.objects.create(
        evb=evb,
        insurer="Test-Versicherung",
        vin=vin,
        valid_from=today - dt.timedelta(days=1),
        valid_until=today + dt.timedelta(days=days_valid),
    )


def database_text() -> str:
    """Every row of every table as text (for tests that grep the database for values that must not be
    there)."""
    from django.apps import apps
    from django.db import connection

    parts = []
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            table = model._meta.db_table
            if table not in connection.introspection.table_names(cursor):
                continue
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 (table names from the app registry)
            for row in cursor.fetchall():
                parts.append(
                    " ".join(
                        bytes(v).decode("latin-1") if isinstance(v, bytes | memoryview) else str(v)
                        for v in row
                    )
                )
    return "\n".join(parts)
