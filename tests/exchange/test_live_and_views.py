"""Real HTTP against the live server (a receiver that fails first), and the SANDBOX pages and endpoints."""

from __future__ import annotations

import socket
import uuid

import pytest
from django.test import Client

from amtsweg.exchange import crypto, sandbox, transport
from amtsweg.exchange.models import OutgoingMessage, SandboxMessage

from .factories import XML, make_authority, make_recipient, make_staff, queue_message, run_worker


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.django_db(transaction=True)
def test_live_receiver_that_is_down_then_answers_500_gets_the_message_exactly_once(live_server, settings):
    transport.set_transport(None)  # real sockets
    settings.BASE_URL = live_server.url
    sender = make_authority()
    recipient = make_recipient()
    # First the receiver is down (nothing listens on the port) …
    down = f"http://127.0.0.1:{_closed_port()}/empfang/"
    recipient.endpoint = down
    recipient.save()
    message = queue_message(sender, recipient)
    run_worker()
    message.refresh_from_db()
    assert message.status == OutgoingMessage.Status.PENDING
    assert "nicht erreichbar" in message.last_error
    # … then it is up but answers 500 twice, then 200.
    recipient.endpoint = "sandbox"
    recipient.save()
    sandbox.fail_next(recipient, 2, 500)
    run_worker(rounds=4)
    message.refresh_from_db()
    assert message.status == OutgoingMessage.Status.DELIVERED
    codes = [a.status_code for a in message.delivery_attempts.all()]
    assert codes == [None, 500, 500, 200]
    assert SandboxMessage.objects.filter(recipient=recipient, idempotency_key=message.pk).count() == 1
    # A duplicate delivery over real HTTP (e.g. a second worker) is acknowledged and not stored again.
    envelope = crypto.seal(
        authority=sender, recipient=recipient, payload=XML, message_id=str(message.pk), message_type="t"
    )
    response = transport.post(
        live_server.url + f"/sandbox/empfang/{recipient.key}/nachrichten/",
        envelope.encode(),
        {"Content-Type": "application/jose", "Idempotency-Key": str(message.pk)},
    )
    assert response.status == 200
    assert b'"doppelt": true' in response.body
    assert SandboxMessage.objects.get(recipient=recipient).times_received == 2


@pytest.mark.django_db
def test_receive_endpoint_answers_clear_errors():
    recipient = make_recipient()
    client = Client()
    url = f"/sandbox/empfang/{recipient.key}/nachrichten/"
    response = client.post(
        url, data=b"Unsinn", content_type="application/jose", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4())
    )
    assert response.status_code == 400
    assert "Format" in response.json()["fehler"]
    assert client.get(url).status_code == 405
    response = client.post(url, data=b"x", content_type="application/jose")
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["fehler"]
    huge = b"x" * (sandbox.MAX_BODY + 1)
    response = client.post(
        url, data=huge, content_type="application/jose", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4())
    )
    assert response.status_code == 413
    assert (
        client.post("/sandbox/empfang/unbekannt/nachrichten/", data=b"x", content_type="x").status_code == 404
    )
    assert SandboxMessage.objects.count() == 0


@pytest.mark.django_db
def test_sandbox_is_off_outside_demo_and_test_mode(settings):
    recipient = make_recipient()
    settings.EXCHANGE_SANDBOX_ENABLED = False
    client = Client()
    assert (
        client.post(f"/sandbox/empfang/{recipient.key}/nachrichten/", data=b"x", content_type="x").status_code
        == 404
    )
    staff = make_staff(make_authority())
    _login_staff(client, staff)
    assert client.get("/sandbox/empfang/").status_code == 404


def _login_staff(client, user):
    import time

    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=user, name="Test", confirmed=True)
    client.force_login(user, backend="amtsweg.accounts.backends.EmailOrUsernameBackend")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session["amtsweg.staff_last_seen"] = int(time.time())
    session.save()


@pytest.mark.django_db
def test_inbox_pages_show_what_arrived_only_to_staff(django_capture_on_commit_callbacks):
    sender, recipient = make_authority(), make_recipient()
    message = queue_message(sender, recipient)
    run_worker()
    stored = SandboxMessage.objects.get()
    anonymous = Client()
    assert anonymous.get("/sandbox/empfang/").status_code == 302
    from amtsweg.accounts.models import User

    citizen = User.objects.create_user(username="buerger-x", email="b@example.org")
    other = Client()
    other.force_login(citizen, backend="amtsweg.accounts.backends.EmailOrUsernameBackend")
    assert other.get(f"/sandbox/empfang/{recipient.key}/{stored.pk}/").status_code in (302, 403)
    client = Client()
    _login_staff(client, make_staff(sender))
    page = client.get("/sandbox/empfang/")
    assert page.status_code == 200
    assert "SANDBOX" in page.content.decode()
    assert recipient.name in page.content.decode()
    page = client.get(f"/sandbox/empfang/{recipient.key}/")
    assert "alg.gewerbemeldung.0300" in page.content.decode()
    detail = client.get(f"/sandbox/empfang/{recipient.key}/{stored.pk}/").content.decode()
    assert str(message.pk) in detail
    assert "&lt;x:m" in detail  # shown escaped, never as markup
    assert client.get(f"/sandbox/empfang/{recipient.key}/999999/").status_code == 404


@pytest.mark.django_db
def test_public_keys_list_only_public_parts():
    sender = make_authority()
    crypto.sender_key(sender)
    data = Client().get("/austausch/schluessel.json").json()
    assert [k["authority"] for k in data["keys"]] == [sender.key]
    assert all("d" not in key for key in data["keys"])
    assert data["keys"][0]["crv"] == "Ed25519"
