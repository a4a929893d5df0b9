"""Security codes (§ 21 FZV): formats, normalisation and the keyed hash the register stores.

Hidden codes: registration certificate part I (ZB I, 7 characters), part II (ZB II, 12 characters) and the two
plate seals (3 characters each). The register stores **only** `code_hash(kind, vin, code)`:
HMAC-SHA256 with a server key (kept outside the database, `conf.code_keys`), over the code kind, the VIN and
the
normalised code, stored as "<kid>$<hex>". Verification compares in constant time.

Why a keyed hash and not scrypt/argon2: the codes are random (not chosen by people) and short: a seal code has
32**3 = 32,768 possible values. Whoever has the database *and* the key can try them all whatever the hash
costs
(scrypt n=2**14 measured 140 ms here: a seal code falls in about an hour on one core). Whoever has only the
database learns nothing without the key, however fast the hash. Online guessing is stopped by the attempt
limits
(three corrections per application, `lock_after` wrong entries per vehicle and day), not by hash cost. And a
slow
hash costs every verification: three codes per deregistration at 44–140 ms (scrypt n=2**12…2**14, measured
here)
would cap this 2-core machine at 5–15 deregistrations per second, against the target of 50. HMAC costs ~10 µs.
The key has an id so it can be rotated (`conf.code_keys`: new key first, old keys still verify).
"""

from __future__ import annotations

import hashlib
import hmac
import re

from django.utils.translation import gettext_lazy as _

from amtsweg.vehicle_register import conf

ZB1, ZB2, SEAL_FRONT, SEAL_REAR = "zb1", "zb2", "seal_front", "seal_rear"
KINDS = (ZB1, ZB2, SEAL_FRONT, SEAL_REAR)
LENGTHS = {ZB1: 7, ZB2: 12, SEAL_FRONT: 3, SEAL_REAR: 3}
LABELS = {
    ZB1: _("Sicherheitscode der Zulassungsbescheinigung Teil I"),
    ZB2: _("Sicherheitscode der Zulassungsbescheinigung Teil II"),
    SEAL_FRONT: _("Code der Stempelplakette vorn"),
    SEAL_REAR: _("Code der Stempelplakette hinten"),
}
# Codes the SANDBOX generates: upper-case letters and digits without 0/O, 1/I/L (easy to read off a scratch
# field).
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
_ALLOWED = re.compile(r"[A-Z0-9]+")


def normalize_code(value: object) -> str:
    if not isinstance(value, str):
        return ""
    return re.sub(r"[\s\-]", "", value).upper()[:40]


def well_formed(kind: str, value: object) -> bool:
    """Length and characters only; a malformed entry is a typing error and does not count as an attempt."""
    code = normalize_code(value)
    return len(code) == LENGTHS[kind] and bool(_ALLOWED.fullmatch(code))


def _mac(key: bytes, kind: str, vin: str, code: str) -> str:
    message = f"amtsweg-zfzr-code\x1f{kind}\x1f{vin}\x1f{normalize_code(code)}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def code_hash(kind: str, vin: str, code: str) -> str:
    if kind not in KINDS:
        raise ValueError(kind)
    kid, key = conf.code_keys()[0]
    return f"{kid}${_mac(key, kind, vin, code)}"


def code_matches(stored: str, kind: str, vin: str, code: object) -> bool:
    """True if `code` is the code behind `stored`. Unknown key ids and empty hashes never match."""
    if not stored or "$" not in stored or not isinstance(code, str):
        return False
    kid, _sep, digest = stored.partition("$")
    for candidate_kid, key in conf.code_keys():
        if candidate_kid == kid:
            return hmac.compare_digest(digest, _mac(key, kind, vin, code))
    return False


def needs_rehash(stored: str) -> bool:
    return bool(stored) and stored.partition("$")[0] != conf.code_keys()[0][0]


def sandbox_code(kind: str, vin: str, generation: int) -> str:
    """SANDBOX only: the code printed on a fictional vehicle's document of this generation.

    Derived from the sandbox seed (DATA_DIR, never in the database), so nothing stores it in clear; the
    /sandbox/fahrzeugregister/ page and the tests derive it again when they need it.
    """
    digest = hmac.new(conf.sandbox_seed(), f"{kind}:{vin}:{generation}".encode(), hashlib.sha256).digest()
    return "".join(ALPHABET[byte % len(ALPHABET)] for byte in digest[: LENGTHS[kind]])
