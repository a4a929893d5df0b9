"""A tiny HTTP client for talking to payment providers (and for the sandbox provider talking to us).

Everything goes through `send()`, so tests can route requests into Django's test client instead
of the network (see tests/payments/conftest.py) while keeping real HTTP semantics: URLs, headers,
raw bodies, status codes.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10


class TransportError(Exception):
    """The other side could not be reached (network, DNS, timeout)."""


@dataclass
class Response:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def json(self):
        return json.loads(self.body.decode("utf-8"))


def _urllib_transport(method: str, url: str, body: bytes | None, headers: dict[str, str]) -> Response:
    request = urllib.request.Request(url, data=body, headers=headers, method=method)  # noqa: S310 (scheme checked)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            return Response(response.status, response.read(), dict(response.headers.items()))
    except urllib.error.HTTPError as exc:
        return Response(exc.code, exc.read() or b"", dict(exc.headers.items()) if exc.headers else {})
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise TransportError(f"{method} {url}: {exc}") from exc


_transport: Callable[[str, str, bytes | None, dict[str, str]], Response] = _urllib_transport


def set_transport(transport: Callable | None) -> None:
    """Replace the transport (tests); None restores real HTTP."""
    global _transport
    _transport = transport or _urllib_transport


def send(
    method: str, url: str, *, body: bytes | None = None, headers: dict[str, str] | None = None
) -> Response:
    if urlsplit(url).scheme not in {"http", "https"}:
        raise TransportError(f"Nur http(s)-Adressen sind erlaubt: {url!r}")
    headers = {"User-Agent": "amtsweg-payments/1", **(headers or {})}
    if body is not None:
        headers.setdefault("Content-Type", "application/json")
    return _transport(method, url, body, headers)


def dumps(data) -> bytes:
    return json.dumps(data, separators=(",", ":"), sort_keys=True).encode("utf-8")
