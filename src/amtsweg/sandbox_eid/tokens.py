"""SANDBOX: signing of ID tokens (one function, so tests can replace it with a forger)."""

from __future__ import annotations

from joserfc import jwt

from amtsweg.sandbox_eid.keys import signing_key


def sign_id_token(claims: dict) -> str:
    key = signing_key()
    return jwt.encode({"alg": "RS256", "typ": "JWT", "kid": key.kid}, claims, key)
