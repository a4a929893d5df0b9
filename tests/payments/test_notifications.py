"""Server-to-server notifications: forged, replayed, reordered, duplicated, amount-mismatched."""

import json
import logging
import time
import uuid

import pytest

from amtsweg.payments import services
from amtsweg.payments.models import (
    NotificationOutcome,
    Payment,
    PaymentEvent,
    PaymentState,
    ProviderNotification,
)

from .factories import make_request, notification, post_notification, signed_notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def payment(citizen):
    pr = make_request(owner=citizen)
    payment, _url = services.start_payment(pr, citizen, "sandbox")
    return payment


def send(client, payload, **kwargs):
    body, headers = signed_notification(payload, **kwargs)
    return post_notification(client, body, headers)


def test_paid_notification_marks_paid(client, payment):
    response = send(client, notification(payment, "paid"))
    assert response.status_code == 200
    assert response.json() == {"outcome": "applied"}
    payment.refresh_from_db()
    assert payment.state == PaymentState.PAID
    assert payment.request.state == "paid"


def test_forged_signature_is_refused_and_changes_nothing(client, payment, caplog):
    caplog.set_level(logging.WARNING, logger="amtsweg.payments.security")
    response = send(client, notification(payment, "paid"), secret=b"x" * 64)
    assert response.status_code == 403
    payment.refresh_from_db()
    assert payment.state == PaymentState.PENDING
    assert not ProviderNotification.objects.exists()
    assert "payment notification refused" in caplog.text


def test_tampered_body_with_a_valid_signature_of_another_body_is_refused(client, payment):
    body, headers = signed_notification(notification(payment, "failed"))
    tampered = body.replace(b'"failed"', b'"paid"')
    assert post_notification(client, tampered, headers).status_code == 403
    payment.refresh_from_db()
    assert payment.state == PaymentState.PENDING


def test_missing_headers_are_refused(client, payment):
    response = client.post(
        "/zahlung/benachrichtigung/sandbox/",
        data=json.dumps(notification(payment, "paid")),
        content_type="application/json",
    )
    assert response.status_code == 403
    payment.refresh_from_db()
    assert payment.state == PaymentState.PENDING


def test_replayed_old_notification_is_refused(client, payment):
    response = send(client, notification(payment, "paid"), timestamp=time.time() - 3600)
    assert response.status_code == 403
    assert "Zeitfenster" in response.json()["reason"]
    payment.refresh_from_db()
    assert payment.state == PaymentState.PENDING


def test_same_notification_twice_is_applied_once(client, payment):
    payload = notification(payment, "paid")
    assert send(client, payload).json()["outcome"] == "applied"
    assert send(client, payload).json()["outcome"] == "duplicate"
    assert ProviderNotification.objects.count() == 1
    assert PaymentEvent.objects.filter(payment=payment, to_state="paid", kind="state").count() == 1


def test_out_of_order_pending_after_paid_changes_nothing(client, payment):
    send(client, notification(payment, "paid"))
    response = send(client, notification(payment, "pending"))
    assert response.status_code == 200
    assert response.json()["outcome"] == "ignored"
    payment.refresh_from_db()
    assert payment.state == PaymentState.PAID


def test_failed_after_paid_does_not_undo_the_payment(client, payment):
    send(client, notification(payment, "paid"))
    send(client, notification(payment, "failed"))
    payment.refresh_from_db()
    assert payment.state == PaymentState.PAID


def test_amount_mismatch_is_rejected_logged_and_recorded(client, payment, caplog):
    caplog.set_level(logging.WARNING, logger="amtsweg.payments.security")
    response = send(client, notification(payment, "paid", amount_cents=1))
    assert response.status_code == 422
    payment.refresh_from_db()
    assert payment.state == PaymentState.PENDING
    assert payment.request.state == "open"
    record = ProviderNotification.objects.get()
    assert record.outcome == NotificationOutcome.REJECTED
    event = PaymentEvent.objects.get(payment=payment, kind="amount_mismatch")
    assert event.amount_cents == 1
    assert event.detail["expected_cents"] == payment.amount_cents
    assert "different amount" in caplog.text


def test_notification_for_an_unknown_payment(client, payment):
    payload = notification(payment, "paid")
    payload["transaction_id"] = str(uuid.uuid4())
    assert send(client, payload).status_code == 404
    payment.refresh_from_db()
    assert payment.state == PaymentState.PENDING


def test_notification_for_another_providers_payment_does_not_match(client, citizen):
    from .factories import make_payee

    pr = make_request(owner=citizen)
    make_payee(pr.authority)
    transfer, _ = services.start_payment(pr, citizen, "ueberweisung")
    payload = notification(transfer, "paid")
    assert send(client, payload).status_code == 404
    transfer.refresh_from_db()
    assert transfer.state == PaymentState.PENDING


@pytest.mark.parametrize(
    "change",
    [
        {"status": "geschenkt"},
        {"amount_cents": "1280"},
        {"amount_cents": True},
        {"notification_id": ""},
        {"notification_id": "x" * 500},
        {"refunded_cents": -5},
        {"transaction_id": None},
    ],
)
def test_malformed_but_signed_notifications_are_refused(client, payment, change):
    payload = {**notification(payment, "paid"), **change}
    assert send(client, payload).status_code == 400
    payment.refresh_from_db()
    assert payment.state == PaymentState.PENDING


def test_signed_garbage_and_huge_bodies_are_refused(client, payment):
    from amtsweg.payments import signing
    from amtsweg.payments.providers.sandbox import conf

    for body in (b"not json", b"[1,2,3]", b"{" + b" " * 20000 + b"}"):
        headers = signing.signed_headers(conf.secret(), body, prefix=conf.SIGNATURE_PREFIX)
        assert post_notification(client, body, headers).status_code in (400, 413)
    payment.refresh_from_db()
    assert payment.state == PaymentState.PENDING


def test_unknown_provider_and_get_requests(client):
    assert (
        client.post(
            "/zahlung/benachrichtigung/gibtsnicht/", data=b"{}", content_type="application/json"
        ).status_code
        == 404
    )
    assert client.get("/zahlung/benachrichtigung/sandbox/").status_code == 405


def test_transfer_provider_accepts_no_notifications(client, payment):
    body, headers = signed_notification(notification(payment, "paid"))
    assert post_notification(client, body, headers, provider="ueberweisung").status_code == 404
    payment.refresh_from_db()
    assert payment.state == PaymentState.PENDING


def test_notifications_from_a_disabled_sandbox_are_refused(client, payment, settings):
    settings.PAYMENTS_SANDBOX_ENABLED = False
    assert send(client, notification(payment, "paid")).status_code == 404
    assert Payment.objects.get(pk=payment.pk).state == PaymentState.PENDING


def test_refund_notification_before_paid_notification_ends_refunded(client, payment):
    send(client, notification(payment, "refunded", refunded_cents=payment.amount_cents))
    send(client, notification(payment, "paid"))
    payment.refresh_from_db()
    assert payment.state == PaymentState.REFUNDED
    assert payment.refunded_cents == payment.amount_cents
