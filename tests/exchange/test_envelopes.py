"""Signed-then-encrypted envelopes and the SANDBOX receiver's checks."""

from __future__ import annotations

import base64
import json
import uuid

import pytest
from joserfc import jwe, jws
from joserfc.jwk import OKPKey

from amtsweg.exchange import crypto, sandbox
from amtsweg.exchange.models import SandboxMessage, SenderKey

from .factories import XML, make_authority, make_recipient

pytestmark = pytest.mark.django_db


def _seal(sender, recipient, message_id, payload=XML):
    return crypto.seal(
        authority=sender,
        recipient=recipient,
        payload=payload,
        message_id=str(message_id),
        message_type="t.0001",
    )


def test_round_trip_names_sender_and_binds_recipient_and_key():
    sender, recipient = make_authority(), make_recipient()
    message_id = uuid.uuid4()
    token = _seal(sender, recipient, message_id)
    assert XML not in token.encode()  # encrypted, not just signed
    header, payload = crypto.open_envelope(token, crypto.sandbox_private_key(recipient))
    assert payload == XML
    assert header["authority"] == sender.key
    assert header["aud"] == recipient.key
    assert header["idk"] == str(message_id)
    assert header["alg"] == "Ed25519"
    key = SenderKey.objects.get(authority=sender)
    assert header["kid"] == key.kid
    assert key.active
    # One key per authority, reused.
    _seal(sender, recipient, uuid.uuid4())
    assert SenderKey.objects.filter(authority=sender).count() == 1


def test_the_private_key_file_is_private(settings):
    sender = make_authority()
    key = crypto.sender_key(sender)
    path = settings.EXCHANGE_KEY_DIR / sender.key / f"{key.kid}.pem"
    assert path.stat().st_mode & 0o777 == 0o600
    assert "d" not in key.public_jwk  # only the public part in the database


def test_no_key_without_auto_keys(settings):
    settings.EXCHANGE_AUTO_KEYS = False
    with pytest.raises(crypto.NoSenderKey, match="kein Signaturschlüssel"):
        crypto.sender_key(make_authority())


def test_another_recipient_cannot_open_it():
    sender, recipient, other = make_authority(), make_recipient(), make_recipient()
    token = _seal(sender, recipient, uuid.uuid4())
    with pytest.raises(crypto.EnvelopeError, match="nicht entschlüsseln"):
        crypto.open_envelope(token, crypto.sandbox_private_key(other))


def test_forged_signature_and_unknown_sender_are_refused():
    sender, recipient = make_authority(), make_recipient()
    crypto.sender_key(sender)
    kid = SenderKey.objects.get(authority=sender).kid
    forger = OKPKey.generate_key("Ed25519")
    registry = jws.JWSRegistry(algorithms=["Ed25519"])
    public = OKPKey.import_key(recipient.public_jwk)
    reg = jwe.JWERegistry(algorithms=["ECDH-ES+A256KW", "A256GCM"])

    def wrap(header):
        signed = jws.serialize_compact(header, XML, forger, registry=registry)
        return jwe.encrypt_compact(
            {"alg": "ECDH-ES+A256KW", "enc": "A256GCM"}, signed.encode(), public, registry=reg
        )

    with pytest.raises(crypto.EnvelopeError, match="Signatur ist ungültig"):
        crypto.open_envelope(wrap({"alg": "Ed25519", "kid": kid}), crypto.sandbox_private_key(recipient))
    with pytest.raises(crypto.EnvelopeError, match="unbekannt"):
        crypto.open_envelope(wrap({"alg": "Ed25519", "kid": "fremd"}), crypto.sandbox_private_key(recipient))
    for garbage in ("", "a.b", "x" * 100, "a.b.c.d.e", 42):
        with pytest.raises(crypto.EnvelopeError):
            crypto.open_envelope(garbage, crypto.sandbox_private_key(recipient))


def test_receiver_refuses_mismatched_keys_and_stores_each_key_once():
    sender, recipient = make_authority(), make_recipient()
    message_id = uuid.uuid4()
    token = _seal(sender, recipient, message_id).encode()
    wrong = sandbox.receive(recipient.key, token, str(uuid.uuid4()))
    assert wrong.status == 400
    assert "Idempotenzschlüssel" in wrong.body["fehler"]
    assert sandbox.receive(recipient.key, token, "keine-uuid").status == 400
    assert sandbox.receive(recipient.key, token, None).status == 400
    assert sandbox.receive("gibt-es-nicht", token, str(message_id)).status == 404
    assert SandboxMessage.objects.count() == 0
    first = sandbox.receive(recipient.key, token, str(message_id))
    again = sandbox.receive(recipient.key, token, str(message_id))
    assert first.status == again.status == 200
    assert first.body["quittung"] == again.body["quittung"]
    assert first.body["doppelt"] is False
    assert again.body["doppelt"] is True
    stored = SandboxMessage.objects.get()
    assert stored.times_received == 2
    assert stored.content.encode() == XML
    assert stored.sender_authority == sender.key


def test_envelope_for_one_recipient_is_refused_by_another_even_with_its_key(monkeypatch):
    """A recipient replaying a message to another recipient: the signed audience does not match."""
    sender, first, second = make_authority(), make_recipient(), make_recipient()
    message_id = uuid.uuid4()
    token = _seal(sender, first, message_id)
    # Re-encrypt the signed inner message for the second recipient (as the first one could).
    inner = jwe.decrypt_compact(
        token,
        crypto.sandbox_private_key(first),
        registry=jwe.JWERegistry(algorithms=["ECDH-ES+A256KW", "A256GCM"]),
    ).plaintext
    rewrapped = jwe.encrypt_compact(
        {"alg": "ECDH-ES+A256KW", "enc": "A256GCM"},
        inner,
        OKPKey.import_key(second.public_jwk),
        registry=jwe.JWERegistry(algorithms=["ECDH-ES+A256KW", "A256GCM"]),
    )
    answer = sandbox.receive(second.key, rewrapped.encode(), str(message_id))
    assert answer.status == 400
    assert "anderen Empfänger" in answer.body["fehler"]
    header = json.loads(base64.urlsafe_b64decode(inner.split(b".")[0] + b"=="))
    assert header["aud"] == first.key


def test_not_xml_is_refused():
    sender, recipient = make_authority(), make_recipient()
    message_id = uuid.uuid4()
    token = _seal(sender, recipient, message_id, payload=b"<nicht xml")
    answer = sandbox.receive(recipient.key, token.encode(), str(message_id))
    assert answer.status == 422
    assert SandboxMessage.objects.count() == 0
