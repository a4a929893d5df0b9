import logging
from urllib.parse import urlsplit

import pytest
from django.test import Client

from amtsweg.payments import services
from amtsweg.payments.models import Payment, PaymentEvent, PaymentState
from amtsweg.payments.providers.sandbox.models import SandboxTransaction
from amtsweg.payments.services import RefundError

from .conftest import drain_all
from .factories import make_request

pytestmark = pytest.mark.django_db(transaction=True)

CARD_OK = {
    "method": "card",
    "card-number": "4242424242424242",
    "card-expiry": "12/39",
    "card-cvc": "123",
    "card-holder": "Erika Beispiel",
}


def paid_payment(citizen, amount=1280):
    pr = make_request(owner=citizen, amount_cents=amount)
    payment, url = services.start_payment(pr, citizen, "sandbox")
    assert Client().post(urlsplit(url).path, CARD_OK).status_code == 303
    services.handle_return(None, payment)
    payment.refresh_from_db()
    assert payment.state == PaymentState.PAID
    return payment


def test_partial_then_full_refund_through_the_provider(citizen):
    payment = paid_payment(citizen)
    services.refund(payment, 280, reason="Teilrücknahme")
    assert payment.state == PaymentState.PARTIALLY_REFUNDED
    assert payment.refunded_cents == 280
    services.refund(payment, 1000)
    assert payment.state == PaymentState.REFUNDED
    assert payment.refunded_cents == 1280
    tx = SandboxTransaction.objects.get(pk=payment.provider_reference)
    assert tx.refunded_cents == 1280
    assert tx.status == "refunded"
    # the provider's refund notifications arrive later and change nothing
    drain_all()
    payment.refresh_from_db()
    assert payment.state == PaymentState.REFUNDED
    assert payment.refunded_cents == 1280
    assert list(payment.events.filter(kind="refund").values_list("amount_cents", flat=True)) == [280, 1000]


@pytest.mark.parametrize("amount", [1281, 0, -5, 10**12])
def test_refund_larger_than_the_payment_or_not_positive_is_refused(citizen, amount, caplog):
    caplog.set_level(logging.WARNING, logger="amtsweg.payments.security")
    payment = paid_payment(citizen)
    with pytest.raises(RefundError, match="noch erstattbaren Betrag von 12,80 €"):
        services.refund(payment, amount)
    payment.refresh_from_db()
    assert payment.state == PaymentState.PAID
    assert payment.refunded_cents == 0
    assert SandboxTransaction.objects.get(pk=payment.provider_reference).refunded_cents == 0
    assert PaymentEvent.objects.filter(payment=payment, kind="refund_refused").exists()
    assert "refund refused" in caplog.text


def test_refund_beyond_what_is_left_after_a_partial_refund_is_refused(citizen):
    payment = paid_payment(citizen)
    services.refund(payment, 1000)
    with pytest.raises(RefundError, match="2,80 €"):
        services.refund(payment, 300)
    assert Payment.objects.get(pk=payment.pk).refunded_cents == 1000


@pytest.mark.parametrize("amount", ["100", 1.5, True, None])
def test_refund_amount_must_be_integer_cents(citizen, amount):
    payment = paid_payment(citizen)
    with pytest.raises(RefundError, match="ganze Zahl in Cent"):
        services.refund(payment, amount)


def test_unpaid_payment_cannot_be_refunded(citizen):
    pr = make_request(owner=citizen)
    payment, _ = services.start_payment(pr, citizen, "sandbox")
    with pytest.raises(RefundError, match="Nur bezahlte Zahlungen"):
        services.refund(payment, 100)


def test_second_successful_payment_is_detected_and_refunded_automatically(citizen, citizen_client):
    pr = make_request(owner=citizen)
    # Two tabs: the citizen starts two attempts and pays both.
    first, first_url = services.start_payment(pr, citizen, "sandbox")
    second, second_url = services.start_payment(pr, citizen, "sandbox")
    Client().post(urlsplit(first_url).path, CARD_OK)
    Client().post(urlsplit(second_url).path, CARD_OK)
    services.handle_return(None, first)
    services.handle_return(None, second)

    pr.refresh_from_db()
    first.refresh_from_db()
    second.refresh_from_db()
    assert pr.paid_payment == first
    assert second.is_duplicate
    assert second.state == PaymentState.PAID
    assert PaymentEvent.objects.filter(payment=second, kind="duplicate_detected").exists()

    drain_all()  # the refund job runs (over HTTP to the provider)
    second.refresh_from_db()
    first.refresh_from_db()
    assert second.state == PaymentState.REFUNDED
    assert second.refunded_cents == second.amount_cents
    assert first.state == PaymentState.PAID
    assert SandboxTransaction.objects.get(pk=second.provider_reference).status == "refunded"
    html = citizen_client.get(f"/zahlung/{pr.public_id}/").content.decode()
    assert "bezahlt" in html


def test_payment_arriving_after_the_request_was_cancelled_is_refunded(citizen):
    pr = make_request(owner=citizen)
    payment, url = services.start_payment(pr, citizen, "sandbox")
    assert services.cancel_payment_request(pr.reference)
    Client().post(urlsplit(url).path, CARD_OK)
    services.handle_return(None, payment)
    drain_all()
    payment.refresh_from_db()
    assert payment.state == PaymentState.REFUNDED
