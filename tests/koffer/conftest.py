import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / ".." / "procedures"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

# The shared fixtures of the case-engine tests (see engine_fixtures.py).
import pytest
from engine_fixtures import engine_settings as engine_settings
from engine_fixtures import key_pool as key_pool
from engine_fixtures import shared_key_dir as shared_key_dir
from engine_fixtures import shared_pki_dir as shared_pki_dir
from engine_fixtures import staff
from engine_fixtures import test_procedures as test_procedures
from engine_fixtures import world as world
from koffer_helpers import Koffer, tour_for


@pytest.fixture
def koffer(world):
    from amtsweg.koffer import services

    authority = world.landratsamt
    admin, admin_totp = staff(authority, ("authority_admin",))
    operator, _totp = staff(authority, ("assisted_operator",))
    device, token = services.register_device(authority, operator, "Laptop Koffer 1", by=admin)
    tour = tour_for(authority, world.district)
    return Koffer(world, admin, admin_totp, operator, device, token, tour)
