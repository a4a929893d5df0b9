"""Exchange test setup: keys in a temporary folder, the SANDBOX receiver switched on; HTTP between the outbox
and
the SANDBOX receiver goes through Django's test client (real URLs, headers, bodies, status codes) unless a
test
uses the live server."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.test import Client

from amtsweg.exchange import crypto, transport


def client_transport(url: str, body: bytes, headers: dict) -> transport.Response:
    parts = urlsplit(url)
    if parts.netloc != "testserver":
        raise transport.TransportError(f"{url}: nicht erreichbar (Test)")
    extra = {
        f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items() if k.lower() != "content-type"
    }
    response = Client().generic("POST", parts.path, data=body, content_type=headers["Content-Type"], **extra)
    return transport.Response(response.status_code, response.content, dict(response.headers))


@pytest.fixture(autouse=True)
def exchange_settings(settings, tmp_path_factory):
    settings.EXCHANGE_KEY_DIR = tmp_path_factory.mktemp("exchange-keys")
    settings.EXCHANGE_AUTO_KEYS = True
    settings.EXCHANGE_SANDBOX_ENABLED = True
    settings.BASE_URL = "http://testserver"
    crypto.clear_cache()
    transport.set_transport(client_transport)
    yield
    transport.set_transport(None)
    crypto.clear_cache()
