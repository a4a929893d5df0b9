"""SANDBOX eID: switches, client credentials and the issuer URL.

The sandbox is on only when settings.SANDBOX_EID is true (default: demo mode or tests; AMTSWEG_SANDBOX_EID
forces
it on or off). When it is off, every sandbox URL answers 404.
"""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import urlsplit

from django.conf import settings
from django.http.request import validate_host
from django.urls import reverse

CLIENT_ID = "amtsweg-sandbox"


def sandbox_enabled() -> bool:
    return bool(getattr(settings, "SANDBOX_EID", False))


def client_secret() -> str:
    """Derived from the secret key, so it is never written down anywhere and both sides agree on it."""
    return hmac.new(
        settings.SECRET_KEY.encode(), b"amtsweg.sandbox_eid.client-secret", hashlib.sha256
    ).hexdigest()


def issuer_for(request) -> str:
    """The issuer as seen from this request (the sandbox runs in the same process as the platform)."""
    configured = getattr(settings, "SANDBOX_EID_ISSUER", "")
    if configured:
        return configured.rstrip("/")
    return request.build_absolute_uri(reverse("sandbox_eid:root")).rstrip("/")


def redirect_uri_allowed(uri: str) -> bool:
    """Only the platform's own sandbox callback, on a host the platform answers to."""
    try:
        parts = urlsplit(uri)
        hostname = parts.hostname
        parts.port  # noqa: B018  (raises ValueError for a malformed port)
    except ValueError:
        return False
    if parts.scheme not in {"http", "https"} or not hostname or parts.query or parts.fragment:
        return False
    if parts.username or parts.password:
        return False
    allowed_hosts = list(settings.ALLOWED_HOSTS)
    if settings.DEBUG and not allowed_hosts:
        allowed_hosts = ["localhost", "127.0.0.1", "[::1]"]
    host = f"[{hostname}]" if ":" in hostname else hostname
    return validate_host(host, allowed_hosts) and parts.path == reverse(
        "accounts:oidc_callback", args=["sandbox"]
    )
