import pytest
from django.core.management import call_command


@pytest.fixture
def regions(db):
    """Saxony's districts (with their plate codes), loaded by the real loader inside the test's
    transaction."""
    call_command("load_regions", verbosity=0)


@pytest.fixture(autouse=True)
def _sandbox_on(settings):
    settings.VEHICLE_REGISTER_SANDBOX = True
    settings.VEHICLE_REGISTER_BACKEND = "sandbox"
    settings.VEHICLE_REGISTER_CODE_KEYS = ""
    settings.VEHICLE_REGISTER_LOCK_AFTER = 10
