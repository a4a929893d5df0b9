"""Daily check of the seal certificates: alert operators before (and when) one runs out or is revoked."""

from __future__ import annotations

from datetime import timedelta

from django.tasks import task
from django.utils import timezone

from amtsweg.core.jobs import periodic

WARN_DAYS = 30


@periodic(every=timedelta(hours=24), name="documents.check_seal_certificates")
@task()
def check_seal_certificates() -> int:
    from amtsweg.documents.models import SealCertificate
    from amtsweg.documents.sealing import alert

    now = timezone.now()
    count = 0
    for record in SealCertificate.objects.filter(is_active=True).select_related("authority"):
        problem = record.problem(now)
        if problem is None and record.not_after - now < timedelta(days=WARN_DAYS):
            problem = "Das Siegelzertifikat läuft am {} ab.".format(
                timezone.localtime(record.not_after).strftime("%d.%m.%Y")
            )
        if problem:
            alert(record.authority, f"{record.authority.name}: {problem}", record)
            count += 1
    return count
