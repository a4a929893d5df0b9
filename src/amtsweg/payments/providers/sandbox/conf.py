"""SANDBOX provider configuration (settings and the shared HMAC secret in DATA_DIR)."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass

from django.conf import settings

SECRET_FILE = "sandbox-payment-hmac.key"  # noqa: S105 (a file name, not a secret)
SIGNATURE_PREFIX = "X-Sandbox"


def enabled() -> bool:
    return bool(getattr(settings, "PAYMENTS_SANDBOX_ENABLED", settings.DEMO or settings.TESTING))


def secret() -> bytes:
    """The HMAC key shared by the sandbox and our plugin.

    Generated once into DATA_DIR (mode 0600), never in the repository."""
    path = settings.DATA_DIR / SECRET_FILE
    if not path.exists():
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
    key = path.read_text().strip()
    if len(key) < 32:
        raise RuntimeError(f"{path} ist zu kurz; Datei löschen, sie wird neu erzeugt.")
    return key.encode()


def platform_base_url() -> str:
    """Our platform as the sandbox sees it (return pages and notification endpoint live here)."""
    from amtsweg.payments.services import callback_base_url

    return callback_base_url()


def gateway_url() -> str:
    """Where our plugin reaches the sandbox gateway (the same process in demo mode)."""
    base = getattr(settings, "PAYMENTS_SANDBOX_URL", "") or platform_base_url()
    return base.rstrip("/") + "/sandbox/zahlung"


@dataclass(frozen=True)
class Chaos:
    late: float = 0.0
    duplicate: float = 0.0
    reorder: float = 0.0
    drop: float = 0.0
    delay: int = 20  # seconds a late notification waits


def chaos() -> Chaos:
    """Parse AMTSWEG_SANDBOX_PAYMENT_CHAOS.

    Examples: "late=0.3,duplicate=0.3,reorder=0.3,delay=20" or "duplicate,reorder" (bare name = always)."""
    raw = getattr(settings, "PAYMENTS_SANDBOX_CHAOS", "") or ""
    values: dict[str, float] = {}
    for part in raw.split(","):
        part = part.strip()
        if not part:
            continue
        name, _, value = part.partition("=")
        name = name.strip()
        if name not in {"late", "duplicate", "reorder", "drop", "delay"}:
            raise ValueError(f"AMTSWEG_SANDBOX_PAYMENT_CHAOS: unbekannte Angabe {name!r}")
        values[name] = float(value) if value else 1.0
    delay = int(values.pop("delay", 20))
    return Chaos(**values, delay=delay)


def sepa_settle_seconds() -> int:
    return int(getattr(settings, "PAYMENTS_SANDBOX_SEPA_SECONDS", 20))


def transaction_ttl_minutes() -> int:
    return int(getattr(settings, "PAYMENTS_SANDBOX_TTL_MINUTES", 60))
