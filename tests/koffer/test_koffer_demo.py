"""The Bürgerkoffer demo: a tour with offline forms and a registered laptop for the demo operator."""

import pytest
from django.core.management import call_command

from amtsweg.koffer import demo, services
from amtsweg.koffer.models import Device

pytestmark = pytest.mark.django_db


def test_demo_device_sees_a_tour_with_offline_forms():
    from amtsweg.accounts.demo import load_accounts
    from amtsweg.assisted.demo import load_assisted
    from amtsweg.catalog.demo import load_catalog
    from amtsweg.directory.demo import load_directory

    call_command("load_regions", verbosity=0)
    load_directory()
    load_catalog()
    load_accounts()
    load_assisted()
    lines = demo.load_koffer()
    assert demo.load_koffer() == lines  # idempotent
    assert Device.objects.filter(is_demo=True).count() == 1
    device = services.authenticate(f"Bearer {demo.DEMO_DEVICE_ID}.{demo.DEMO_SECRET}")
    forms = services.offline_forms(device)
    tour = next(t for t in forms["tours"] if t["title"] == demo.DEMO_TOUR)
    assert tour["procedures"], "the demo tour offers procedures that work offline"
    assert all("(Demo)" in t["title"] for t in forms["tours"])
