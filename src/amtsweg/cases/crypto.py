"""Encryption of submissions: authority key pairs, JWE (RSA-OAEP-256 + A256GCM), AES-GCM files and drafts.

Design (see the module docstring of `amtsweg.cases.services` for the whole flow):

* Each authority has one active RSA key pair (`AuthorityKey`); the public JWK is in the database, the private
  key is a passphrase-protected PKCS#8 PEM file under `CASES_KEY_DIR` (default
  DATA_DIR/keys/<authority>/<kid>.pem).
  The passphrase comes from `AMTSWEG_KEY_PASSPHRASE_<AUTHORITY_KEY>` or `AMTSWEG_KEY_PASSPHRASE`; in demo and
  test
  mode a generated one in the key folder is used if neither is set.
* A submission is encrypted once per receiving authority as a compact JWE whose header names the key (`kid`),
  so a rotated-away key still opens old cases. One JWE per authority (rather than one general-JSON JWE with
  several recipients) lets a procedure give each authority only its fields and lets a routed authority be
  added
  later without touching the others' ciphertexts.
* Attachments are encrypted with a random AES-256-GCM key per file; the file key and the file's name and type
  travel only inside the JWEs, so whoever cannot open the submission cannot open its files either.
* `AMTSWEG_PRIVATE_KEYS=0` makes a portal-only deployment: it encrypts with public keys and can never decrypt.
* Drafts belong to the portal (the citizen resumes them there): AES-GCM with a key derived from SECRET_KEY
  (or `AMTSWEG_DRAFT_KEY`), never with an authority key.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import secrets
import threading
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from joserfc import jwe
from joserfc.jwk import RSAKey

logger = logging.getLogger("amtsweg.cases.crypto")
ALGORITHMS = ["RSA-OAEP-256", "A256GCM"]
MAX_JWE_CIPHERTEXT = 4 * 1024 * 1024
_private_cache: dict[str, RSAKey] = {}
_cache_lock = threading.Lock()


class CryptoError(Exception):
    """Encryption or decryption is impossible; the message is German."""


class PrivateKeysUnavailable(CryptoError):
    """This deployment (portal only) holds no private keys."""


class NoAuthorityKey(CryptoError):
    """The authority has no encryption key yet."""


def registry() -> jwe.JWERegistry:
    reg = jwe.JWERegistry(algorithms=ALGORITHMS)
    reg.max_ciphertext_length = MAX_JWE_CIPHERTEXT
    return reg


# --- key files --------------------------------------------------------------------------------------------


def key_dir() -> Path:
    configured = getattr(settings, "CASES_KEY_DIR", None)
    return Path(configured) if configured else Path(settings.DATA_DIR) / "keys"


def private_keys_enabled() -> bool:
    return bool(getattr(settings, "CASES_PRIVATE_KEYS", True))


def _env_name(authority_key: str) -> str:
    return "AMTSWEG_KEY_PASSPHRASE_" + "".join(ch if ch.isalnum() else "_" for ch in authority_key.upper())


def passphrase(authority_key: str) -> bytes:
    value = os.environ.get(_env_name(authority_key)) or os.environ.get("AMTSWEG_KEY_PASSPHRASE")
    if value:
        return value.encode()
    if settings.DEMO or settings.TESTING or settings.DEBUG:
        path = key_dir() / ".demo-passphrase"
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not path.exists():
            try:
                with open(path, "x", encoding="ascii") as handle:
                    handle.write(secrets.token_urlsafe(32))
                path.chmod(0o600)
            except FileExistsError:
                pass
        return path.read_text(encoding="ascii").strip().encode()
    raise CryptoError(
        _("Kein Passwort für die Schlüssel gesetzt: AMTSWEG_KEY_PASSPHRASE oder %(name)s angeben.")
        % {"name": _env_name(authority_key)}
    )


def private_key_path(authority_key: str, kid: str) -> Path:
    return key_dir() / authority_key / f"{kid}.pem"


def _generate_rsa(bits: int) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def create_key(authority, *, activate: bool = True):
    """Generate a key pair for `authority`: private key to a file, public JWK to the database.

    Returns the `AuthorityKey` row."""
    from amtsweg.cases.models import AuthorityKey

    if not private_keys_enabled():
        raise PrivateKeysUnavailable(
            _("Diese Installation verwaltet keine privaten Schlüssel (AMTSWEG_PRIVATE_KEYS=0).")
        )
    bits = int(getattr(settings, "CASES_RSA_BITS", 3072))
    private = _generate_rsa(bits)
    jwk = RSAKey.import_key(private)
    kid = jwk.thumbprint()
    public = RSAKey.import_key(private.public_key()).as_dict(private=False)
    public.update({"kid": kid, "use": "enc", "alg": "RSA-OAEP-256"})
    path = private_key_path(authority.key, kid)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(passphrase(authority.key)),
    )
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(pem)
    with transaction.atomic():
        if activate:
            AuthorityKey.objects.filter(authority=authority, is_active=True).update(
                is_active=False, retired_at=timezone.now()
            )
        row = AuthorityKey.objects.create(
            authority=authority, kid=kid, public_jwk=public, bits=bits, is_active=activate
        )
    logger.info("authority key created", extra={"authority": authority.key, "kid": kid})
    return row


def ensure_key(authority):
    """The authority's active key, created if missing (idempotent; safe under concurrency)."""
    from amtsweg.cases.models import AuthorityKey

    existing = AuthorityKey.objects.filter(authority=authority, is_active=True).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return create_key(authority)
    except IntegrityError:
        return AuthorityKey.objects.get(authority=authority, is_active=True)


def active_key(authority, *, create: bool | None = None):
    """The public key new submissions are encrypted with. Creates one on the fly only in demo/test mode
    (or with AMTSWEG_AUTO_AUTHORITY_KEYS=1) and only where private keys are kept."""
    from amtsweg.cases.models import AuthorityKey

    row = AuthorityKey.objects.filter(authority=authority, is_active=True).first()
    if row is not None:
        return row
    if create is None:
        create = bool(getattr(settings, "CASES_AUTO_KEYS", False)) and private_keys_enabled()
    if create:
        return ensure_key(authority)
    raise NoAuthorityKey(
        _(
            "Die zuständige Behörde (%(name)s) kann noch keine verschlüsselten Anträge empfangen. Bitte "
            "versuchen Sie es später."
        )
        % {"name": authority.name}
    )


def fingerprint(row) -> str:
    """SHA-256 of the public JWK thumbprint, grouped for reading aloud (shown to authority administrators)."""
    digest = hashlib.sha256(row.kid.encode()).hexdigest()[:32].upper()
    return " ".join(digest[i : i + 4] for i in range(0, 32, 4))


def load_private_key(authority_key: str, kid: str) -> RSAKey:
    if not private_keys_enabled():
        raise PrivateKeysUnavailable(
            _("Diese Installation kann keine Anträge entschlüsseln (nur öffentliche Schlüssel vorhanden).")
        )
    cache_key = f"{authority_key}/{kid}"
    with _cache_lock:
        cached = _private_cache.get(cache_key)
    if cached is not None:
        return cached
    path = private_key_path(authority_key, kid)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise CryptoError(
            _("Der private Schlüssel %(kid)s fehlt auf diesem Server.") % {"kid": kid[:12]}
        ) from None
    try:
        private = serialization.load_pem_private_key(data, password=passphrase(authority_key))
    except (ValueError, TypeError):
        raise CryptoError(
            _("Der private Schlüssel lässt sich mit dem gesetzten Passwort nicht öffnen.")
        ) from None
    key = RSAKey.import_key(private)
    with _cache_lock:
        _private_cache[cache_key] = key
    return key


def clear_cache() -> None:
    with _cache_lock:
        _private_cache.clear()


# --- JWE --------------------------------------------------------------------------------------------------


def canonical_json(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str).encode()


def encrypt_for(key_row, payload: dict) -> str:
    """Compact JWE of `payload` (JSON) for the authority key `key_row`."""
    public = RSAKey.import_key(key_row.public_jwk)
    header = {"alg": "RSA-OAEP-256", "enc": "A256GCM", "kid": key_row.kid, "cty": "application/json"}
    return jwe.encrypt_compact(header, canonical_json(payload), public, registry=registry())


def decrypt(authority_key: str, token: str) -> dict:
    """Decrypt a compact JWE with the authority's private key named by its `kid` header (back office only)."""
    header_part = token.split(".", 1)[0]
    try:
        header = json.loads(base64.urlsafe_b64decode(header_part + "=" * (-len(header_part) % 4)))
        kid = header["kid"]
    except (ValueError, KeyError, TypeError):
        raise CryptoError(_("Der verschlüsselte Inhalt ist beschädigt.")) from None
    key = load_private_key(authority_key, kid)
    try:
        result = jwe.decrypt_compact(token, key, registry=registry())
    except Exception as exc:  # joserfc raises several error types; all mean "cannot open"
        raise CryptoError(_("Der verschlüsselte Inhalt lässt sich nicht öffnen.")) from exc
    return json.loads(result.plaintext)


def jwe_kid(token: str) -> str:
    header_part = token.split(".", 1)[0]
    header = json.loads(base64.urlsafe_b64decode(header_part + "=" * (-len(header_part) % 4)))
    return header.get("kid", "")


# --- files (AES-256-GCM with a per-file key) --------------------------------------------------------------

FILE_MAGIC = b"AWF1"


def new_file_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


def encrypt_file(key: bytes, plaintext: bytes, *, aad: bytes = b"") -> bytes:
    nonce = os.urandom(12)
    return FILE_MAGIC + nonce + AESGCM(key).encrypt(nonce, plaintext, aad or None)


def decrypt_file(key: bytes, blob: bytes, *, aad: bytes = b"") -> bytes:
    if not blob.startswith(FILE_MAGIC) or len(blob) < 4 + 12 + 16:
        raise CryptoError(_("Die Datei ist beschädigt."))
    try:
        return AESGCM(key).decrypt(blob[4:16], blob[16:], aad or None)
    except Exception as exc:
        raise CryptoError(_("Die Datei lässt sich nicht öffnen oder wurde verändert.")) from exc


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


# --- drafts -----------------------------------------------------------------------------------------------


def _draft_key() -> bytes:
    configured = getattr(settings, "CASES_DRAFT_KEY", "")
    material = configured.encode() if configured else settings.SECRET_KEY.encode()
    return hashlib.sha256(b"amtsweg-draft-key-v1:" + material).digest()


def seal_draft(data: dict, draft_id) -> bytes:
    return encrypt_file(_draft_key(), canonical_json(data), aad=str(draft_id).encode())


def open_draft(blob: bytes, draft_id) -> dict:
    if not blob:
        return {}
    try:
        return json.loads(decrypt_file(_draft_key(), bytes(blob), aad=str(draft_id).encode()))
    except CryptoError:
        logger.warning("draft cannot be opened (key changed?)", extra={"draft": str(draft_id)})
        return {}
