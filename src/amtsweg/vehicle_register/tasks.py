"""Housekeeping of the SANDBOX register: code-check logs are kept six months (§ 19 FZV), reservations
expire."""

from __future__ import annotations

from datetime import timedelta

from django.tasks import task
from django.utils import timezone

from amtsweg.core.jobs import periodic

LOG_RETENTION = timedelta(days=183)


def purge(now=None) -> dict:
    from amtsweg.vehicle_register.models import CodeAttempt, PlateReservation

    now = now or timezone.now()
    deleted, _by_model = CodeAttempt.objects.filter(at__lt=now - LOG_RETENTION).delete()
    released = PlateReservation.objects.filter(
        released_at__isnull=True, until__lt=timezone.localdate(now)
    ).update(released_at=now)
    return {"code_attempts_deleted": deleted, "reservations_released": released}


@periodic(every=timedelta(hours=6), name="vehicle_register.purge")
@task()
def purge_register_logs() -> dict:
    return purge()
