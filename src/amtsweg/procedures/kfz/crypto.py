"""Encryption of the dialogue data at rest (the portal's own data, like the engine's drafts).

AES-256-GCM with a key derived from SECRET_KEY (or AMTSWEG_DRAFT_KEY) and the dialogue id as associated data,
so a row copied to another dialogue does not open. Security codes are never part of it.
"""

from __future__ import annotations

import hashlib
import json
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings


def _key() -> bytes:
    configured = getattr(settings, "CASES_DRAFT_KEY", "")
    material = configured.encode() if configured else settings.SECRET_KEY.encode()
    return hashlib.sha256(b"amtsweg-kfz-dialogue-v1:" + material).digest()


def seal(data: dict, dialogue_id) -> bytes:
    nonce = os.urandom(12)
    plain = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    return nonce + AESGCM(_key()).encrypt(nonce, plain, str(dialogue_id).encode())


def open_sealed(blob, dialogue_id) -> dict:
    blob = bytes(blob or b"")
    if len(blob) < 13:
        return {}
    try:
        return json.loads(AESGCM(_key()).decrypt(blob[:12], blob[12:], str(dialogue_id).encode()))
    except (InvalidTag, ValueError):
        return {}
