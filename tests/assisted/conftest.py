import pytest
from django.core.management import call_command


@pytest.fixture
def regions(db):
    """Saxony's districts and places from the shipped dataset (the real loader)."""
    call_command("load_regions", verbosity=0)


@pytest.fixture
def vogtland(regions):
    from assisted import factories

    return factories.authority("14523")


@pytest.fixture(autouse=True)
def _clean_cache():
    """Rate-limit counters must not leak from one test into the next."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
