import json
import sys
from pathlib import Path

import pytest

CATALOG_TESTS = Path(__file__).resolve().parent.parent / "catalog"
if str(CATALOG_TESTS) not in sys.path:  # the catalogue's factories and sample serve the API tests too
    sys.path.insert(0, str(CATALOG_TESTS))


@pytest.fixture
def api_world(db):
    from catalog_factories import finder_world

    from amtsweg.catalog.formats import import_catalog

    import_catalog(
        json.loads((CATALOG_TESTS / "sample_catalog.json").read_text(encoding="utf-8")), author="test"
    )
    return finder_world()


@pytest.fixture(autouse=True)
def german():
    """Every test starts in German: an English request earlier in the thread must not leak."""
    from django.utils import translation

    translation.activate("de")
    yield
    translation.deactivate()
