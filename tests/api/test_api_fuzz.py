"""Fuzzing the public API from its own OpenAPI document (schemathesis, WSGI in-process).

Every generated request must get a documented status (never a 5xx), a JSON body that matches the
documented schema, and the documented content type. Examples are bounded so the run stays short.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

MAX_EXAMPLES = 50


def _load_schema():
    from django.core.wsgi import get_wsgi_application

    # Loaded at collection: reading /api/v1/openapi.json touches no database.
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


schema = _load_schema()


@pytest.fixture
def keep_connection():
    """Like Django's test client: the request signals must not close the test's database connection
    (on PostgreSQL that would end the test transaction)."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_api_conforms_to_its_openapi_document(case, api_world, keep_connection):
    response = case.call_and_validate()
    assert response.status_code < 500
