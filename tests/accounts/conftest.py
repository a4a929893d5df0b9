import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _clean_cache():
    """Discovery documents, JWKS and axes state must not leak from one test into the next."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def sandbox_live(live_server, settings):
    """The sandbox eID reachable over real HTTP at the live server (the test client plays the browser)."""
    settings.SANDBOX_EID = True
    settings.SANDBOX_EID_ISSUER = live_server.url + "/sandbox/eid"
    return live_server
