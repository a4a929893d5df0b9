"""Demo data of the offline Bürgerkoffer: a published tour in the Erzgebirgskreis whose stop offers the online
procedures that work offline, and one registered laptop for the demo operator Bea Bürgerkoffer-Demo.

The demo device's token is fixed (demo mode only) so that it can be printed with the demo logins; a real
device's token exists only in the answer to its registration.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from amtsweg.core.demo import demo_loader

DEMO_DEVICE_ID = "BK-DEMO000001"
DEMO_SECRET = "demo-buergerkoffer-nur-zum-ausprobieren"  # noqa: S105 (demo mode only, printed at start)
DEMO_TOUR = "Bürgerkoffer Erzgebirge – Anträge offline (Demo)"


def _offline_service_keys() -> list[str]:
    from amtsweg.catalog.models import Service
    from amtsweg.koffer.services import works_offline
    from amtsweg.procedures import registry

    keys = [p.key for p in registry.all_procedures() if works_offline(p)]
    return list(Service.objects.filter(online_procedure__in=keys).values_list("key", flat=True))


@demo_loader(order=70)
def load_koffer() -> list[str]:
    if not (settings.DEMO or settings.TESTING or settings.DEBUG):
        return []
    from amtsweg.accounts.models import User
    from amtsweg.assisted import demo as assisted_demo
    from amtsweg.koffer.models import Device
    from amtsweg.koffer.services import _secret_hash, may_operate

    operator = User.objects.filter(username="demo-buergerkoffer").first()
    authority = assisted_demo._authority("14521")
    if operator is None or not may_operate(operator, authority):
        return ["Bürgerkoffer: kein Demo-Gerät (die Demo-Mitarbeiterin fehlt)."]
    keys = _offline_service_keys()
    if keys:
        spec = (
            "14521",
            DEMO_TOUR,
            1,
            "Landratsamt Erzgebirgskreis, Annaberg-Buchholz",
            [("Rathaus Oberwiesenthal (Demo)", "Oberwiesenthal", "oeffentlich", 120, keys)],
        )
        assisted_demo._build_tour(spec, publish=True)
    with transaction.atomic():
        Device.objects.get_or_create(
            device_id=DEMO_DEVICE_ID,
            defaults={
                "authority": authority,
                "staff_user": operator,
                "name": "Laptop Bürgerkoffer Erzgebirge (Demo)",
                "secret_hash": _secret_hash(DEMO_SECRET),
                "is_demo": True,
            },
        )
    return [f"Bürgerkoffer (/koffer/): Gerätekennung {DEMO_DEVICE_ID}.{DEMO_SECRET} (Demo-Gerät von Bea)"]
