"""HMAC-SHA256 signatures with a timestamp, as payment providers use them for server-to-server calls.

The signed text is ``"<timestamp>.<body>"``; the header value is ``v1=<hex digest>``. The receiver
recomputes it over the *raw* body, compares in constant time and refuses timestamps outside a
replay window. De-duplication by notification id is the caller's job (see services).
"""

from __future__ import annotations

import hashlib
import hmac
import time

REPLAY_WINDOW_SECONDS = 300


class SignatureError(Exception):
    """Signature missing, malformed, wrong, or outside the replay window."""


def sign(secret: bytes, timestamp: int | str, body: bytes) -> str:
    message = str(int(timestamp)).encode() + b"." + body
    return "v1=" + hmac.new(secret, message, hashlib.sha256).hexdigest()


def signed_headers(secret: bytes, body: bytes, *, prefix: str, now: float | None = None) -> dict[str, str]:
    timestamp = int(now if now is not None else time.time())
    return {f"{prefix}-Timestamp": str(timestamp), f"{prefix}-Signature": sign(secret, timestamp, body)}


def verify(
    secret: bytes,
    body: bytes,
    timestamp: str | None,
    signature: str | None,
    *,
    now: float | None = None,
    window: int = REPLAY_WINDOW_SECONDS,
) -> int:
    """Return the verified timestamp or raise SignatureError."""
    if not timestamp or not signature:
        raise SignatureError("Signatur oder Zeitstempel fehlt.")
    if len(timestamp) > 20 or not timestamp.isdigit():
        raise SignatureError("Zeitstempel ist ungültig.")
    ts = int(timestamp)
    now = time.time() if now is None else now
    if abs(now - ts) > window:
        raise SignatureError("Zeitstempel liegt außerhalb des erlaubten Zeitfensters (Wiedereinspielung?).")
    expected = sign(secret, ts, body)
    if not hmac.compare_digest(expected.encode(), signature.strip().encode()):
        raise SignatureError("Signatur stimmt nicht.")
    return ts
