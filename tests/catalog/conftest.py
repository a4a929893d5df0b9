import json
from pathlib import Path

import pytest

from amtsweg.catalog.demo import SHIPPED
from amtsweg.catalog.formats import import_catalog

SAMPLE_PATH = Path(__file__).resolve().parent / "sample_catalog.json"


@pytest.fixture
def sample_data() -> dict:
    """The three-service sample (gemeinde, kreis, land with an explicit rule), fresh for each test."""
    return json.loads(SAMPLE_PATH.read_text(encoding="utf-8"))


@pytest.fixture
def sample_catalog(db, sample_data) -> dict:
    import_catalog(sample_data, author="test")
    return sample_data


@pytest.fixture(scope="session")
def shipped_data() -> dict:
    if not SHIPPED.exists():
        pytest.skip(
            f"Der Leistungskatalog {SHIPPED} ist noch nicht geliefert (Inhalt kommt vom Redaktionsteam)."
        )
    return json.loads(SHIPPED.read_text(encoding="utf-8"))


@pytest.fixture
def shipped_catalog(db, shipped_data) -> dict:
    import_catalog(shipped_data, author="test")
    return shipped_data


@pytest.fixture(autouse=True)
def german():
    """Every test starts in German: an English page request earlier in the thread must not leak."""
    from django.utils import translation

    translation.activate("de")
    yield
    translation.deactivate()
