"""Limits against booking bots: per client address and per e-mail address, counted in the cache.

Fixed windows (`cache.add` + `cache.incr`, both atomic in the cache backends Django ships with and in Redis).
The e-mail address is hashed before it becomes part of a cache key.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _

WINDOW_SECONDS = 3600


class RateLimited(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _hit(key: str, limit: int, window: int = WINDOW_SECONDS) -> bool:
    cache.add(key, 0, window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        count = 1
    return count <= limit


def email_key(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]


def check(ip: str, email: str | None, *, action: str = "booking") -> None:
    """Count one attempt; raise RateLimited (German message) once the client or the address is over its
    limit."""
    per_ip = settings.ASSISTED_RATE_PER_IP
    per_email = settings.ASSISTED_RATE_PER_EMAIL
    ip_ok = _hit(f"assisted:rl:{action}:ip:{ip or 'unknown'}", per_ip)
    email_ok = True
    if email:
        email_ok = _hit(f"assisted:rl:{action}:mail:{email_key(email)}", per_email)
    if not ip_ok:
        raise RateLimited(
            _(
                "Von Ihrem Anschluss kamen in der letzten Stunde sehr viele Buchungsversuche. Zum Schutz vor "
                "automatischen Buchungen ist eine weitere Buchung erst in einer Stunde möglich. Telefonisch "
                "vereinbaren wir gern sofort einen Termin."
            )
        )
    if not email_ok:
        raise RateLimited(
            _(
                "Für diese E-Mail-Adresse gab es in der letzten Stunde zu viele Buchungsversuche. Bitte "
                "versuchen Sie es in einer Stunde erneut."
            )
        )
