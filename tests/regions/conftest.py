import json

import pytest
from django.core.management import call_command

from amtsweg.regions.loader import DATASET_PATH, OUTLINE_PATH


@pytest.fixture(scope="session")
def dataset() -> dict:
    """The shipped dataset as a dict, read once; tests must not modify it (copy first)."""
    return json.loads(DATASET_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def outline() -> dict:
    return json.loads(OUTLINE_PATH.read_text(encoding="utf-8"))


@pytest.fixture
def regions(db, dataset) -> dict:
    """The regions tables filled by the real loader, inside the test's transaction."""
    call_command("load_regions", verbosity=0)
    return dataset
