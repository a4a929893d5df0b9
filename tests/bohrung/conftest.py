import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "procedures"))

from engine_fixtures import (  # noqa: F401 (fixtures)
    engine_settings,
    key_pool,
    shared_key_dir,
    shared_pki_dir,
    test_procedures,
    world,
)

from .bohrung_factories import bohrung_world  # noqa: F401 (fixtures)
