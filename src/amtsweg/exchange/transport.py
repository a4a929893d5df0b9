"""The HTTP POST that delivers an envelope. Swappable for tests (`set_transport`); never follows redirects."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

TIMEOUT_SECONDS = 15
MAX_RESPONSE_BYTES = 64 * 1024


class TransportError(Exception):
    """The recipient could not be reached (network, DNS, timeout, refused connection)."""


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # a redirect is answered as the 3xx it is; the envelope never goes elsewhere


_opener = urllib.request.build_opener(_NoRedirect)


def _urllib_post(url: str, body: bytes, headers: dict[str, str]) -> Response:
    if urlsplit(url).scheme not in ("http", "https"):
        raise TransportError(f"unsupported URL scheme: {url[:80]}")
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 (checked)
    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            return Response(
                response.status, response.read(MAX_RESPONSE_BYTES), dict(response.headers.items())
            )
    except urllib.error.HTTPError as exc:
        return Response(
            exc.code, exc.read(MAX_RESPONSE_BYTES) or b"", dict(exc.headers.items()) if exc.headers else {}
        )
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise TransportError(str(exc)[:300]) from exc


_transport: Callable[[str, bytes, dict[str, str]], Response] = _urllib_post


def set_transport(transport: Callable | None) -> None:
    """Replace the transport (tests); None restores real HTTP."""
    global _transport
    _transport = transport or _urllib_post


def post(url: str, body: bytes, headers: dict[str, str]) -> Response:
    return _transport(url, body, headers)
