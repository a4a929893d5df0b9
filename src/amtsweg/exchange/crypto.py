"""Envelopes of messages between authorities: signed by the sender, then encrypted for the recipient.

Choice (documented in docs/exchange.md): **JWS with the sending authority's own key**, not an HMAC per
recipient.
A signature proves which authority sent the message to every recipient with one public key (published at
`/austausch/schluessel.json`), needs no shared secret per pair and cannot be forged by a recipient. The signed
message is then **encrypted for the recipient** (JWE), so the outbox holds no readable personal data while a
message waits for delivery.

* Signature: compact JWS, alg `Ed25519` (RFC 9864), header `kid`, `typ`, `aud` (recipient key), `idk`
  (idempotency key = message id), `mtyp` (message type), `iat`; payload = the message bytes (XML).
* Encryption: compact JWE, `ECDH-ES+A256KW` / `A256GCM` for the recipient's X25519 key, `cty: JWS`.
* Sender keys: `SenderKey` rows hold the public JWK; the private key is a PKCS#8 PEM file
  `EXCHANGE_KEY_DIR/<authority>/<kid>.pem` (0600), encrypted with `AMTSWEG_EXCHANGE_KEY_PASSPHRASE` if set.
  In demo and test mode keys are created on first use; in production run `amtsweg manage init_exchange_keys`.
* SANDBOX recipients get generated X25519 key pairs under `EXCHANGE_KEY_DIR/sandbox/`.
"""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from joserfc import jwe, jws
from joserfc.errors import JoseError
from joserfc.jwk import OKPKey
from joserfc.registry import HeaderParameter

SIGNATURE_ALG = "Ed25519"
KEY_ALG, CONTENT_ALG = "ECDH-ES+A256KW", "A256GCM"
TYP = "amtsweg-austausch+jws"
MAX_ENVELOPE_BYTES = 4 * 1024 * 1024
_lock = threading.Lock()
_private_cache: dict[str, OKPKey] = {}


class EnvelopeError(Exception):
    """The envelope cannot be made or opened; German message."""


class NoSenderKey(EnvelopeError):
    pass


def _jws_registry() -> jws.JWSRegistry:
    headers = {
        "aud": HeaderParameter("recipient key", "str", True),
        "idk": HeaderParameter("idempotency key (message id)", "str", True),
        "mtyp": HeaderParameter("message type", "str", True),
        "iat": HeaderParameter("issued at", "int", True),
    }
    return jws.JWSRegistry(header_registry=headers, algorithms=[SIGNATURE_ALG])


def _jwe_registry() -> jwe.JWERegistry:
    registry = jwe.JWERegistry(algorithms=[KEY_ALG, CONTENT_ALG])
    registry.max_ciphertext_length = MAX_ENVELOPE_BYTES
    return registry


def key_dir() -> Path:
    configured = getattr(settings, "EXCHANGE_KEY_DIR", None)
    return Path(configured) if configured else Path(settings.DATA_DIR) / "exchange-keys"


def _passphrase() -> bytes | None:
    value = os.environ.get("AMTSWEG_EXCHANGE_KEY_PASSPHRASE", "")
    return value.encode() if value else None


def _write_private(path: Path, key: OKPKey) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    private = key.private_key
    passphrase = _passphrase()
    encryption = (
        serialization.BestAvailableEncryption(passphrase) if passphrase else serialization.NoEncryption()
    )
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)


def _read_private(path: Path) -> OKPKey:
    cached = _private_cache.get(str(path))
    if cached is not None:
        return cached
    try:
        pem = path.read_bytes()
    except FileNotFoundError:
        raise EnvelopeError(_("Der private Schlüssel für den Datenaustausch fehlt.")) from None
    private = serialization.load_pem_private_key(pem, password=_passphrase())
    key = OKPKey.import_key(private)
    key.ensure_kid()  # the RFC 7638 thumbprint, as when the key was generated (auto_kid)
    _private_cache[str(path)] = key
    return key


def clear_cache() -> None:
    _private_cache.clear()


# --- sender keys --------------------------------------------------------------------------------------------


def _private_path(authority_key: str, kid: str) -> Path:
    return key_dir() / authority_key / f"{kid}.pem"


def create_sender_key(authority):
    from amtsweg.exchange.models import SenderKey

    key = OKPKey.generate_key("Ed25519", auto_kid=True)
    public = key.as_dict(private=False)
    _write_private(_private_path(authority.key, key.kid), key)
    with transaction.atomic():
        SenderKey.objects.filter(authority=authority, active=True).update(active=False)
        return SenderKey.objects.create(authority=authority, kid=key.kid, public_jwk=public)


def sender_key(authority, *, create: bool | None = None):
    """The authority's active signing key; created on first use in demo/test mode (EXCHANGE_AUTO_KEYS)."""
    from amtsweg.exchange.models import SenderKey

    row = SenderKey.objects.filter(authority=authority, active=True).first()
    if row is not None:
        return row
    if create is None:
        create = bool(getattr(settings, "EXCHANGE_AUTO_KEYS", False))
    if not create:
        raise NoSenderKey(
            _("Für %(authority)s ist kein Signaturschlüssel für den Datenaustausch eingerichtet.")
            % {"authority": authority.name}
        )
    with _lock:
        row = SenderKey.objects.filter(authority=authority, active=True).first()
        if row is not None:
            return row
        try:
            return create_sender_key(authority)
        except IntegrityError:  # another process created it first
            return SenderKey.objects.get(authority=authority, active=True)


def public_sender_keys() -> list[dict]:
    from amtsweg.exchange.models import SenderKey

    rows = SenderKey.objects.select_related("authority").order_by("authority__key", "-created_at")
    return [
        {**row.public_jwk, "use": "sig", "alg": SIGNATURE_ALG, "authority": row.authority.key} for row in rows
    ]


# --- recipient keys (SANDBOX) -------------------------------------------------------------------------------


def _sandbox_path(recipient_key: str) -> Path:
    return key_dir() / "sandbox" / f"{recipient_key}.pem"


def ensure_sandbox_key(recipient) -> dict:
    """Give a SANDBOX recipient an X25519 key pair (private part in the key folder) and store its public
    JWK."""
    path = _sandbox_path(recipient.key)
    if path.exists():
        key = _read_private(path)
    else:
        key = OKPKey.generate_key("X25519", auto_kid=True)
        try:
            _write_private(path, key)
        except FileExistsError:
            key = _read_private(path)
    public = key.as_dict(private=False)
    if recipient.public_jwk != public:
        recipient.public_jwk = public
        recipient.save(update_fields=["public_jwk", "updated_at"])
    return public


def sandbox_private_key(recipient) -> OKPKey:
    return _read_private(_sandbox_path(recipient.key))


# --- envelopes ----------------------------------------------------------------------------------------------


def seal(*, authority, recipient, payload: bytes, message_id: str, message_type: str) -> str:
    """Sign `payload` with the authority's key and encrypt it for the recipient. Returns the compact JWE."""
    if not recipient.public_jwk:
        raise EnvelopeError(
            _("Für %(recipient)s ist kein Verschlüsselungsschlüssel hinterlegt.")
            % {"recipient": recipient.name}
        )
    row = sender_key(authority)
    private = _read_private(_private_path(authority.key, row.kid))
    header = {
        "alg": SIGNATURE_ALG,
        "kid": row.kid,
        "typ": TYP,
        "aud": recipient.key,
        "idk": str(message_id),
        "mtyp": message_type,
        "iat": int(time.time()),
    }
    signed = jws.serialize_compact(header, payload, private, registry=_jws_registry())
    try:
        public = OKPKey.import_key(recipient.public_jwk)
        protected = {
            "alg": KEY_ALG,
            "enc": CONTENT_ALG,
            "cty": "JWS",
            "kid": recipient.public_jwk.get("kid", ""),
        }
        return jwe.encrypt_compact(protected, signed.encode("ascii"), public, registry=_jwe_registry())
    except (JoseError, ValueError, TypeError) as exc:
        raise EnvelopeError(_("Die Nachricht konnte nicht verschlüsselt werden.")) from exc


def open_envelope(token: str, private_key: OKPKey) -> tuple[dict, bytes]:
    """Decrypt and verify an envelope (receiver side). Returns (JWS header, payload). Raises EnvelopeError."""
    from amtsweg.exchange.models import SenderKey

    if not isinstance(token, str) or len(token) > MAX_ENVELOPE_BYTES * 2 or token.count(".") != 4:
        raise EnvelopeError(_("Der Umschlag hat kein gültiges Format."))
    try:
        inner = jwe.decrypt_compact(token, private_key, registry=_jwe_registry()).plaintext
    except (JoseError, ValueError, TypeError) as exc:
        raise EnvelopeError(_("Der Umschlag lässt sich nicht entschlüsseln.")) from exc
    try:
        header = json.loads(_unverified_header(inner))
        if not isinstance(header, dict):
            raise ValueError("header is not an object")
    except (ValueError, UnicodeDecodeError) as exc:
        raise EnvelopeError(_("Die Signatur hat kein gültiges Format.")) from exc
    row = SenderKey.objects.select_related("authority").filter(kid=str(header.get("kid", ""))[:100]).first()
    if row is None:
        raise EnvelopeError(_("Der Absenderschlüssel ist unbekannt."))
    try:
        verified = jws.deserialize_compact(inner, OKPKey.import_key(row.public_jwk), registry=_jws_registry())
    except (JoseError, ValueError, TypeError) as exc:
        raise EnvelopeError(_("Die Signatur ist ungültig.")) from exc
    header = dict(verified.protected)
    header["authority"] = row.authority.key
    return header, verified.payload


def _unverified_header(compact: bytes) -> str:
    """The protected header of a compact JWS, decoded but NOT verified (only to find the key)."""
    head = compact.split(b".", 1)[0]
    if len(head) > 4096:
        raise ValueError("header too long")
    return base64.urlsafe_b64decode(head + b"=" * (-len(head) % 4)).decode("utf-8")
