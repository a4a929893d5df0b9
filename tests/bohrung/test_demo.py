"""Demo data of the drilling notification: idempotent case workers for the water authority and the
Oberbergamt."""

from __future__ import annotations

import pytest

from amtsweg.accounts.models import StaffMembership
from amtsweg.procedures.bohrung.demo import load_bohrung_demo

pytestmark = pytest.mark.django_db


def test_demo_staff_for_water_authority_and_oberbergamt(world, settings):
    settings.DEMO = True
    lines = load_bohrung_demo()
    count = StaffMembership.objects.count()
    assert load_bohrung_demo() == lines
    assert StaffMembership.objects.count() == count
    keys = set(
        StaffMembership.objects.filter(
            user__username__in=["demo-wasser-mittelsachsen", "demo-oba-sb"]
        ).values_list("authority__key", flat=True)
    )
    assert keys == {"landratsamt-mittelsachsen", "oberbergamt"}
    assert "/verwaltung/bohrung/" in "\n".join(lines)
