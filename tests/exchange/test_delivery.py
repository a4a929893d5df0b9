"""The outbox: delivery by the task worker, retries, exactly once, log retention, tenancy, address book."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from amtsweg.exchange import sandbox, services, signals, transport
from amtsweg.exchange.addressbook import load_address_book
from amtsweg.exchange.models import DeliveryAttempt, OutgoingMessage, Recipient, SandboxMessage

from .factories import XML, make_authority, make_recipient, make_staff, queue_message, run_worker

pytestmark = pytest.mark.django_db


def test_queued_message_is_delivered_by_the_worker_and_logged():
    sender, recipient = make_authority(), make_recipient()
    delivered = []
    signals.message_delivered.connect(
        lambda **kw: delivered.append(kw["reference"]), weak=False, dispatch_uid="t1"
    )
    try:
        message = queue_message(
            sender, recipient, field_groups=["satzkopf", "betrieb"], legal_basis="§ 14 GewO"
        )
        assert message.status == OutgoingMessage.Status.PENDING
        assert message.envelope
        run_worker()
    finally:
        signals.message_delivered.disconnect(dispatch_uid="t1")
    message.refresh_from_db()
    assert message.status == OutgoingMessage.Status.DELIVERED
    assert message.receipt.startswith("SBX-")
    assert message.envelope == ""  # nothing readable or decryptable stays after delivery
    assert message.delete_after == timezone.localdate() + dt.timedelta(days=183)
    assert message.field_groups == ["satzkopf", "betrieb"]
    assert delivered == ["case:test"]
    stored = SandboxMessage.objects.get(recipient=recipient)
    assert stored.idempotency_key == message.pk
    assert [a.outcome for a in message.delivery_attempts.all()] == ["delivered"]


@pytest.mark.parametrize("status", [500, 503, 429])
def test_errors_are_retried_and_delivered_exactly_once(status):
    sender, recipient = make_authority(), make_recipient()
    sandbox.fail_next(recipient, 2, status)
    message = queue_message(sender, recipient)
    run_worker(rounds=4)
    message.refresh_from_db()
    assert message.status == OutgoingMessage.Status.DELIVERED
    assert [a.status_code for a in message.delivery_attempts.all()] == [status, status, 200]
    assert SandboxMessage.objects.filter(recipient=recipient).count() == 1


def test_a_lost_answer_does_not_store_twice(monkeypatch):
    """The receiver stored the message but the answer got lost: the retry is acknowledged, not stored
    again."""
    sender, recipient = make_authority(), make_recipient()
    from .conftest import client_transport

    calls = []

    def lossy(url, body, headers):
        response = client_transport(url, body, headers)
        calls.append(response.status)
        if len(calls) == 1:
            raise transport.TransportError("Verbindung nach dem Senden abgebrochen")
        return response

    transport.set_transport(lossy)
    message = queue_message(sender, recipient)
    run_worker(rounds=3)
    message.refresh_from_db()
    assert calls == [200, 200]
    assert message.status == OutgoingMessage.Status.DELIVERED
    stored = SandboxMessage.objects.get(recipient=recipient)
    assert stored.times_received == 2


def test_unreachable_recipient_gives_up_after_the_last_attempt_and_can_be_sent_again(
    django_capture_on_commit_callbacks,
):
    sender, recipient = make_authority(), make_recipient(endpoint="https://empfang.invalid/gewerbe")
    failed = []
    signals.message_failed.connect(
        lambda **kw: failed.append(kw["message"].pk), weak=False, dispatch_uid="t2"
    )
    try:
        message = queue_message(sender, recipient)
        run_worker(rounds=services.MAX_ATTEMPTS + 2)
    finally:
        signals.message_failed.disconnect(dispatch_uid="t2")
    message.refresh_from_db()
    assert message.status == OutgoingMessage.Status.FAILED
    assert message.attempts == services.MAX_ATTEMPTS
    assert "nicht erreichbar" in message.last_error
    assert message.envelope  # kept: it can still be delivered
    assert failed == [message.pk]
    # Staff of another authority cannot touch it; the sender's staff can send it again.
    with pytest.raises(services.ExchangeError, match="nicht zu Ihrer Behörde"):
        services.send_again(message, make_staff(make_authority()))
    recipient.endpoint = "sandbox"
    recipient.save()
    from amtsweg.exchange import crypto

    crypto.ensure_sandbox_key(recipient)
    # The envelope was encrypted for the old key: a fresh one is needed after a key change, so a real
    # operator would re-issue. Here the key stays the same object, so prepare a new envelope for the test.
    fresh = services.prepare(
        sender=sender, recipient=recipient, payload=XML, message_type="t", message_id=message.pk
    )
    OutgoingMessage.objects.filter(pk=message.pk).update(envelope=fresh.envelope)
    staff = make_staff(sender)
    with django_capture_on_commit_callbacks(execute=True):
        services.send_again(message, staff)
    with pytest.raises(services.ExchangeError, match="Nur gescheiterte"):
        services.send_again(message, staff)
    run_worker()
    message.refresh_from_db()
    assert message.status == OutgoingMessage.Status.DELIVERED
    assert SandboxMessage.objects.filter(recipient=recipient).count() == 1


@pytest.mark.django_db(transaction=True)
def test_queue_refuses_to_run_outside_a_transaction():
    sender, recipient = make_authority(), make_recipient()
    prepared = services.prepare(sender=sender, recipient=recipient, payload=XML, message_type="t")
    with pytest.raises(RuntimeError, match="inside the transaction"):
        services.queue(prepared, reference="case:x")
    assert OutgoingMessage.objects.count() == 0


def test_queue_and_prepare_check_their_input():
    sender, recipient = make_authority(), make_recipient()
    prepared = services.prepare(sender=sender, recipient=recipient, payload=XML, message_type="t")
    with transaction.atomic(), pytest.raises(services.ExchangeError, match="Bezug"):
        services.queue(prepared, reference="x" * 201)
    with pytest.raises(services.ExchangeError, match="leer"):
        services.prepare(sender=sender, recipient=recipient, payload=b"", message_type="t")
    with pytest.raises(services.ExchangeError, match="zu groß"):
        services.prepare(
            sender=sender, recipient=recipient, payload=b"x" * (3 * 1024 * 1024), message_type="t"
        )
    recipient.active = False
    with pytest.raises(services.ExchangeError, match="nicht aktiv"):
        services.prepare(sender=sender, recipient=recipient, payload=XML, message_type="t")
    assert OutgoingMessage.objects.count() == 0


def test_rollback_of_the_state_change_sends_nothing():
    sender, recipient = make_authority(), make_recipient()
    prepared = services.prepare(sender=sender, recipient=recipient, payload=XML, message_type="t")

    def change_then_fail():
        with transaction.atomic():
            services.queue(prepared, reference="case:x")
            raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        change_then_fail()
    run_worker()
    assert OutgoingMessage.objects.count() == 0
    assert SandboxMessage.objects.count() == 0


def test_sweep_requeues_a_message_whose_task_got_lost(monkeypatch):
    sender, recipient = make_authority(), make_recipient()
    monkeypatch.setattr(services, "schedule", lambda message_id: None)  # the enqueue after commit is lost
    message = queue_message(sender, recipient)
    monkeypatch.undo()
    run_worker()
    assert OutgoingMessage.objects.get(pk=message.pk).status == OutgoingMessage.Status.PENDING
    assert services.sweep(older_than_seconds=300) == 0  # too young
    OutgoingMessage.objects.filter(pk=message.pk).update(created_at=timezone.now() - dt.timedelta(minutes=10))
    assert services.sweep(older_than_seconds=300) == 1
    run_worker()
    assert OutgoingMessage.objects.get(pk=message.pk).status == OutgoingMessage.Status.DELIVERED
    assert services.sweep(older_than_seconds=300) == 0


def test_log_is_deleted_after_its_retention_and_only_then():
    sender, recipient = make_authority(), make_recipient()
    message = queue_message(sender, recipient)
    run_worker()
    message.refresh_from_db()
    assert services.purge_logs(today=message.delete_after)["log_entries"] == 0
    assert services.purge_logs(today=message.delete_after + dt.timedelta(days=1))["log_entries"] == 1
    assert not OutgoingMessage.objects.filter(pk=message.pk).exists()
    assert not DeliveryAttempt.objects.filter(message_id=message.pk).exists()
    # Pending or failed messages are never purged.
    pending = queue_message(sender, make_recipient(endpoint="https://x.invalid/"))
    assert services.purge_logs(today=timezone.localdate() + dt.timedelta(days=5000))["log_entries"] == 0
    assert OutgoingMessage.objects.filter(pk=pending.pk).exists()


def test_staff_see_only_their_authoritys_log():
    mine, theirs = make_authority(), make_authority()
    recipient = make_recipient()
    own = queue_message(mine, recipient, reference="case:a")
    queue_message(theirs, recipient, reference="case:b")
    staff = make_staff(mine)
    assert list(services.log_for_staff(staff)) == [own]
    assert list(services.log_for_staff(staff, "case:b")) == []
    assert [m.pk for m in services.log_for_reference("case:a")] == [own.pk]


def test_address_book_loads_idempotently_and_resolves_by_district():
    first = load_address_book()
    assert first["created"] > 30
    assert load_address_book() == {"created": 0, "updated": first["created"]}
    assert services.recipient_for("ihk", "14522").key == "ihk-chemnitz"
    assert services.recipient_for("ihk", "14612").key == "ihk-dresden"
    assert services.recipient_for("hwk", "14730").key == "hwk-leipzig"
    assert services.recipient_for("statistik", "14522").key == "statistik-sachsen"
    assert services.recipient_for("lebensmittel", "14522").key == "lebensmittel-14522"
    assert services.recipient_for("ihk", "99999") is None
    assert Recipient.objects.filter(kind="lebensmittel").count() == 13
    assert not Recipient.objects.filter(verified=True).exists()  # nothing claims to be confirmed
    # An operator's endpoint survives a reload.
    Recipient.objects.filter(key="ihk-chemnitz").update(endpoint="https://ihk.example/xga", active=False)
    load_address_book()
    changed = Recipient.objects.get(key="ihk-chemnitz")
    assert changed.endpoint == "https://ihk.example/xga"
    assert not changed.active
    assert services.recipient_for("ihk", "14522") is None
    book = services.address_book("14522")
    assert {"hwk", "finanzamt", "statistik", "registergericht"} <= set(book)
