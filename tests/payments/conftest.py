"""Payments test setup: HTTP between our plugin and the SANDBOX gateway runs through Django's test client
(in process, with real URLs, headers, raw bodies and status codes) unless a test asks for real sockets."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from amtsweg.payments import http


def client_transport(method: str, url: str, body: bytes | None, headers: dict) -> http.Response:
    parts = urlsplit(url)
    if parts.netloc != "testserver":
        raise http.TransportError(f"{url}: nicht erreichbar (Test)")
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    extra = {
        f"HTTP_{name.upper().replace('-', '_')}": value
        for name, value in headers.items()
        if name.lower() != "content-type"
    }
    client = Client()
    if method == "GET":
        response = client.get(path, **extra)
    else:
        response = client.generic(
            method,
            path,
            data=body or b"",
            content_type=headers.get("Content-Type", "application/json"),
            **extra,
        )
    return http.Response(response.status_code, response.content, dict(response.headers))


@pytest.fixture(autouse=True)
def _payment_settings(settings, tmp_path):
    settings.BASE_URL = "http://testserver"
    settings.PAYMENTS_CALLBACK_BASE_URL = ""
    settings.PAYMENTS_SANDBOX_URL = ""
    settings.PAYMENTS_SANDBOX_ENABLED = True
    settings.PAYMENTS_SANDBOX_CHAOS = ""
    settings.PAYMENTS_SANDBOX_SEPA_SECONDS = 0
    settings.PAYMENTS_RECONCILE_AFTER_MINUTES = 15
    settings.DATA_DIR = tmp_path
    http.set_transport(client_transport)
    yield
    http.set_transport(None)


def drain() -> None:
    """Run every queued task that is due (the real database worker, as in production)."""
    call_command(
        "db_worker", "--batch", "--no-reload", "--no-startup-delay", "--queue-name", "*", verbosity=0
    )


def make_all_due() -> None:
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())


def drain_all(rounds: int = 5) -> None:
    for _ in range(rounds):
        make_all_due()
        drain()


@pytest.fixture
def citizen(db):
    from .factories import make_user

    return make_user("erika")


@pytest.fixture
def citizen_client(client, citizen):
    client.force_login(citizen)
    return client
