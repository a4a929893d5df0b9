"""Demo data of the directory: the shipped authorities (order 20, after the regions at 10)."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from amtsweg.core.demo import demo_loader
from amtsweg.directory.loader import load_authorities
from amtsweg.directory.models import Authority, SpecialDay

# Demo only: many authorities close on 24 and 31 December; marked as example so nobody takes it as official.
DEMO_CLOSURES = ((12, 24, "Heiligabend (Beispiel)"), (12, 31, "Silvester (Beispiel)"))


@demo_loader(order=20)
def load_directory() -> list[str]:
    load_authorities()
    year = timezone.localdate().year
    for authority in Authority.objects.filter(level=Authority.Level.KREIS):
        for y in (year, year + 1):
            for month, day, reason in DEMO_CLOSURES:
                SpecialDay.objects.get_or_create(
                    authority=authority, office=None, date=date(y, month, day), defaults={"reason": reason}
                )
    return []
