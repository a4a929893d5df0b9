"""Settings of the vehicle register component (all from the environment via config/settings.py).

VEHICLE_REGISTER_BACKEND      dotted path of the register implementation ("sandbox" = the built-in SANDBOX).
VEHICLE_REGISTER_SANDBOX      whether the SANDBOX register (and its /sandbox/fahrzeugregister/ pages) may run;
                              default on only in demo and test mode.
VEHICLE_REGISTER_CODE_KEYS    HMAC keys for security-code hashes, "kid:hex,kid:hex" (first = current);
default:
                              one generated key in DATA_DIR (mode 0600).
VEHICLE_REGISTER_LOCK_AFTER   wrong code entries per vehicle within 24 hours before online procedures are
locked.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

CODE_KEY_FILE = "vehicle-register-code-hmac.key"
SANDBOX_SEED_FILE = "vehicle-register-sandbox-seed.key"


def sandbox_enabled() -> bool:
    return bool(getattr(settings, "VEHICLE_REGISTER_SANDBOX", settings.DEMO or settings.TESTING))


def backend_path() -> str:
    return getattr(settings, "VEHICLE_REGISTER_BACKEND", "") or "sandbox"


def lock_after() -> int:
    return int(getattr(settings, "VEHICLE_REGISTER_LOCK_AFTER", 10))


def _secret_file(name: str) -> bytes:
    """A 32-byte secret generated once into DATA_DIR (mode 0600), never in the repository."""
    path = Path(settings.DATA_DIR) / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
    text = path.read_text().strip()
    try:
        value = bytes.fromhex(text)
    except ValueError:
        raise ImproperlyConfigured(
            f"{path}: kein Hex-Schlüssel; Datei löschen, sie wird neu erzeugt."
        ) from None
    if len(value) < 32:
        raise ImproperlyConfigured(f"{path} ist zu kurz; Datei löschen, sie wird neu erzeugt.")
    return value


def code_keys() -> list[tuple[str, bytes]]:
    """[(kid, key), ...], the current key first."""
    raw = getattr(settings, "VEHICLE_REGISTER_CODE_KEYS", "") or ""
    keys: list[tuple[str, bytes]] = []
    for item in filter(None, (part.strip() for part in raw.split(","))):
        kid, sep, hex_key = item.partition(":")
        try:
            key = bytes.fromhex(hex_key)
        except ValueError:
            key = b""
        if not sep or not kid.isalnum() or len(kid) > 16 or len(key) < 32:
            raise ImproperlyConfigured(
                "AMTSWEG_VEHICLE_REGISTER_CODE_KEYS: erwartet „kid:hex“ (kid aus Buchstaben/Ziffern, "
                "Schlüssel mindestens 32 Byte hex), mehrere durch Komma getrennt."
            )
        keys.append((kid, key))
    if keys:
        return keys
    return [("f1", _secret_file(CODE_KEY_FILE))]


def sandbox_seed() -> bytes:
    """SANDBOX only: the seed from which the demo vehicles' security codes are derived (see
    codes.sandbox_code)."""
    if not sandbox_enabled():
        raise ImproperlyConfigured("Das SANDBOX-Fahrzeugregister ist nicht eingeschaltet.")
    return _secret_file(SANDBOX_SEED_FILE)
