"""SANDBOX pages of the vehicle register (demo and test mode only; a 404 everywhere else).

/sandbox/fahrzeugregister/ lists the fictional vehicles of a district with the security codes currently on
their
(fictional) documents, like a payment sandbox lists its test cards. The codes are derived from the sandbox
seed at
request time (`codes.sandbox_code`); the database holds only their keyed hashes.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from amtsweg.vehicle_register import codes, conf
from amtsweg.vehicle_register.models import InsuranceConfirmation, PlateReservation, TaxDebtor, Vehicle
from amtsweg.vehicle_register.sandbox import HASH_FIELDS


def current_codes(vehicle: Vehicle) -> dict[str, str]:
    """SANDBOX: the codes on the vehicle's current documents ('' where the code is used up)."""
    generations = vehicle.code_generations or {}
    result = {}
    for kind in codes.KINDS:
        if getattr(vehicle, HASH_FIELDS[kind]) and generations.get(kind):
            result[kind] = codes.sandbox_code(kind, vehicle.vin, int(generations[kind]))
        else:
            result[kind] = ""
    return result


@never_cache
@require_GET
def index(request):
    if not conf.sandbox_enabled():
        raise Http404
    from amtsweg.regions.services import all_districts

    districts = list(all_districts())
    chosen = request.GET.get("kreis", "14521")
    if chosen not in {d.ags for d in districts} | {"neu"}:
        chosen = "14521"
    if chosen == "neu":
        vehicles = Vehicle.objects.filter(status=Vehicle.Status.NEW)
    else:
        vehicles = Vehicle.objects.filter(district_ags=chosen)
    rows = [
        {"vehicle": v, "codes": current_codes(v)} for v in vehicles.order_by("status", "plate", "vin")[:200]
    ]
    today = timezone.localdate()
    return render(
        request,
        "vehicle_register/sandbox_index.html",
        {
            "districts": districts,
            "chosen": chosen,
            "rows": rows,
            "evbs": InsuranceConfirmation.objects.order_by("valid_until", "evb")[:50],
            "reservations": PlateReservation.objects.filter(
                released_at__isnull=True, until__gte=today
            ).order_by("plate")[:50],
            "debtors": TaxDebtor.objects.all()[:20],
            "today": today,
            "lock_after": conf.lock_after(),
        },
    )
