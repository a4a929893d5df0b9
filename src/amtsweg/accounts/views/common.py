from __future__ import annotations

from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request, value: str | None, default: str | None = None) -> str:
    """A same-site path to continue to; anything else falls back to `default` (the account page)."""
    default = default or reverse("accounts:profile")
    if not value or len(value) > 2000 or not value.startswith("/") or value.startswith("//"):
        return default
    if not url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return default
    return value
