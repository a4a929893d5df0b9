"""The whole card / PayPal-like / SEPA flow through the SANDBOX provider, over HTTP (in process)."""

from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from amtsweg.payments import services
from amtsweg.payments.models import Payment, PaymentEvent, PaymentState, ProviderNotification, RequestState
from amtsweg.payments.providers.sandbox.models import SandboxNotification, SandboxTransaction
from amtsweg.payments.signals import payment_request_paid

from .conftest import drain_all
from .factories import make_request

pytestmark = pytest.mark.django_db(transaction=True)

CARD_OK = {
    "method": "card",
    "card-number": "4242 4242 4242 4242",
    "card-expiry": "12/39",
    "card-cvc": "123",
    "card-holder": "Erika Beispiel",
}
CARD_DECLINED = {**CARD_OK, "card-number": "4000 0000 0000 0002"}


def start(client, payment_request, provider="sandbox"):
    response = client.post(f"/zahlung/{payment_request.public_id}/bezahlen/", {"anbieter": provider})
    assert response.status_code == 303
    return response["Location"]


def hosted_path(url):
    parts = urlsplit(url)
    assert parts.netloc == "testserver"
    assert parts.path.startswith("/sandbox/zahlung/")
    return parts.path


def pay_on_hosted_page(url, data):
    """The payer's browser on the provider's page (a separate client: the provider has no session of ours)."""
    response = Client().post(hosted_path(url), data)
    assert response.status_code == 303, response.content.decode()[:2000]
    return response["Location"]


def test_card_payment_returns_paid_and_notifications_are_idempotent(citizen, citizen_client, settings):
    settings.PAYMENTS_SANDBOX_CHAOS = "duplicate,reorder"
    paid_signals = []
    payment_request_paid.connect(
        lambda **kw: paid_signals.append(kw["reference"]), weak=False, dispatch_uid="t1"
    )
    try:
        pr = make_request(owner=citizen, amount_cents=1280, continue_path="/konto/antraege/")
        page = citizen_client.get(f"/zahlung/{pr.public_id}/")
        assert "12,80 €" in page.content.decode()
        assert "Testzahlung (SANDBOX)" in page.content.decode()

        hosted = start(citizen_client, pr)
        sandbox_page = Client().get(hosted_path(hosted))
        assert "SANDBOX" in sandbox_page.content.decode()

        back = pay_on_hosted_page(hosted, CARD_OK)
        assert back.startswith("http://testserver/zahlung/rueckkehr/")
        result = citizen_client.get(urlsplit(back).path + "?" + urlsplit(back).query, follow=True)
        html = result.content.decode()
        assert "bezahlt" in html
        assert 'href="/konto/antraege/"' in html

        pr.refresh_from_db()
        payment = Payment.objects.get(request=pr)
        assert pr.state == RequestState.PAID
        assert pr.paid_payment == payment
        assert payment.state == PaymentState.PAID
        assert payment.method == "card"

        # Now the provider's notifications arrive: twice each and in reverse order. Nothing changes any more.
        drain_all()
        assert SandboxNotification.objects.filter(delivered_at__isnull=False).count() == 2
        assert ProviderNotification.objects.count() == 2
        payment.refresh_from_db()
        assert payment.state == PaymentState.PAID
        transitions = list(
            PaymentEvent.objects.filter(payment=payment, kind="state").values_list("from_state", "to_state")
        )
        assert transitions == [("created", "pending"), ("pending", "paid")]
        assert paid_signals == [pr.reference]
    finally:
        payment_request_paid.disconnect(dispatch_uid="t1")


def test_declined_card_shows_failed_and_a_retry_succeeds(citizen, citizen_client):
    pr = make_request(owner=citizen)
    back = pay_on_hosted_page(start(citizen_client, pr), CARD_DECLINED)
    html = citizen_client.get(urlsplit(back).path, follow=True).content.decode()
    assert "Zahlung fehlgeschlagen – erneut versuchen" in html
    assert "Erneut bezahlen" in html
    first = Payment.objects.get(request=pr)
    assert first.state == PaymentState.FAILED

    back = pay_on_hosted_page(start(citizen_client, pr), CARD_OK)
    html = citizen_client.get(urlsplit(back).path, follow=True).content.decode()
    assert "bezahlt" in html
    assert "fehlgeschlagen" not in html
    assert pr.payments.count() == 2
    drain_all()
    first.refresh_from_db()
    assert first.state == PaymentState.FAILED


def test_invalid_card_data_stays_on_the_provider_page_without_state_change(citizen, citizen_client):
    pr = make_request(owner=citizen)
    hosted = start(citizen_client, pr)
    response = Client().post(hosted_path(hosted), {**CARD_OK, "card-number": "1234 5678 9012 3456"})
    assert response.status_code == 400
    assert "Die Kartennummer ist ungültig." in response.content.decode()
    assert SandboxTransaction.objects.get().status == "open"
    assert Payment.objects.get(request=pr).state == PaymentState.PENDING


def test_paypal_like_cancel_ends_cancelled(citizen, citizen_client):
    pr = make_request(owner=citizen)
    back = pay_on_hosted_page(start(citizen_client, pr), {"method": "paypal", "decision": "decline"})
    html = citizen_client.get(urlsplit(back).path, follow=True).content.decode()
    assert "Zahlung fehlgeschlagen – erneut versuchen" in html
    assert Payment.objects.get(request=pr).state == PaymentState.CANCELLED


def test_sepa_is_pending_with_polling_until_settled(citizen, citizen_client, settings):
    settings.PAYMENTS_SANDBOX_SEPA_SECONDS = 3600  # settles only when the test says so
    pr = make_request(owner=citizen)
    back = pay_on_hosted_page(
        start(citizen_client, pr),
        {
            "method": "sepa",
            "sepa-holder": "Erika Beispiel",
            "sepa-iban": "DE89 3704 0044 0532 0130 00",
            "sepa-mandate": "on",
        },
    )
    html = citizen_client.get(urlsplit(back).path, follow=True).content.decode()
    assert "Zahlung wird noch bestätigt" in html
    assert f'hx-get="/zahlung/{pr.public_id}/status/"' in html
    assert 'hx-trigger="every 3s"' in html
    assert f'href="/zahlung/{pr.public_id}/"' in html  # reload link without JavaScript

    drain_all()  # the debit settles, the notification arrives
    fragment = citizen_client.get(f"/zahlung/{pr.public_id}/status/").content.decode()
    assert "bezahlt" in fragment
    assert "hx-trigger" not in fragment  # polling stops
    assert Payment.objects.get(request=pr).method == "sepa"


def test_sepa_return_debit_fails(citizen, citizen_client):
    pr = make_request(owner=citizen)
    pay_on_hosted_page(
        start(citizen_client, pr),
        {"method": "sepa", "sepa-holder": "E", "sepa-iban": "DE62370400440532013001", "sepa-mandate": "on"},
    )
    drain_all()
    assert Payment.objects.get(request=pr).state == PaymentState.FAILED


def test_paid_request_cannot_be_started_again(citizen, citizen_client):
    pr = make_request(owner=citizen)
    pay_on_hosted_page(start(citizen_client, pr), CARD_OK)
    drain_all()
    response = citizen_client.post(f"/zahlung/{pr.public_id}/bezahlen/", {"anbieter": "sandbox"}, follow=True)
    assert "Diese Zahlung ist bereits erledigt." in response.content.decode()
    assert pr.payments.count() == 1


def test_provider_unreachable_is_explained_and_the_attempt_fails(citizen, citizen_client, settings):
    settings.PAYMENTS_SANDBOX_URL = "http://provider.invalid"
    pr = make_request(owner=citizen)
    response = citizen_client.post(f"/zahlung/{pr.public_id}/bezahlen/", {"anbieter": "sandbox"}, follow=True)
    assert "Der Zahlungsdienst ist gerade nicht erreichbar" in response.content.decode()
    assert Payment.objects.get(request=pr).state == PaymentState.FAILED


def test_unknown_provider_key_is_refused(citizen, citizen_client):
    pr = make_request(owner=citizen)
    response = citizen_client.post(
        f"/zahlung/{pr.public_id}/bezahlen/", {"anbieter": "../../etc"}, follow=True
    )
    assert "Diese Zahlart gibt es nicht." in response.content.decode()
    assert not pr.payments.exists()
    assert services.is_paid(pr.reference) is False


def test_late_notifications_arrive_after_their_delay(citizen, settings):
    from django_tasks_db.models import DBTaskResult

    from .conftest import drain

    settings.PAYMENTS_SANDBOX_CHAOS = "late,delay=600"
    pr = make_request(owner=citizen)
    payment, url = services.start_payment(pr, citizen, "sandbox")
    Client().post(hosted_path(url), CARD_OK)  # paid at the provider; the citizen never returns
    waiting = DBTaskResult.objects.filter(status="READY")
    assert waiting.count() == 2
    assert all((task.run_after - timezone.now()).total_seconds() > 500 for task in waiting)
    drain()  # nothing is due yet
    payment.refresh_from_db()
    assert payment.state == PaymentState.PENDING
    drain_all()  # ten minutes later
    payment.refresh_from_db()
    assert payment.state == PaymentState.PAID
