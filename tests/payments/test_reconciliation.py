"""Users who never come back: the periodic reconciliation asks the provider and settles or expires."""

import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from amtsweg.core import jobs
from amtsweg.payments import http as payment_http
from amtsweg.payments import services
from amtsweg.payments.models import Payment, PaymentState
from amtsweg.payments.providers.sandbox.models import SandboxTransaction

from .conftest import drain, drain_all
from .factories import make_payee, make_request

CARD_OK = {
    "method": "card",
    "card-number": "4242424242424242",
    "card-expiry": "12/39",
    "card-cvc": "123",
    "card-holder": "Erika Beispiel",
}


def age(payment, minutes):
    Payment.objects.filter(pk=payment.pk).update(created_at=timezone.now() - timedelta(minutes=minutes))


@pytest.mark.django_db(transaction=True)
def test_closed_browser_and_lost_notifications_still_end_paid_through_reconciliation(citizen, settings):
    settings.PAYMENTS_SANDBOX_CHAOS = "drop"  # the provider never notifies
    pr = make_request(owner=citizen)
    payment, url = services.start_payment(pr, citizen, "sandbox")
    Client().post(urlsplit(url).path, CARD_OK)  # paid at the provider; the browser closes, no return
    drain_all()
    payment.refresh_from_db()
    assert payment.state == PaymentState.PENDING

    assert services.reconcile_pending().checked == 0  # not yet past the threshold
    age(payment, 20)
    assert "payments.reconcile" in jobs.tick()  # the scheduler enqueues the periodic job
    drain()
    payment.refresh_from_db()
    pr.refresh_from_db()
    assert payment.state == PaymentState.PAID
    assert pr.state == "paid"
    assert payment.events.filter(source="reconciliation", to_state="paid").exists()


@pytest.mark.django_db(transaction=True)
def test_abandoned_payment_page_expires(citizen, settings):
    pr = make_request(owner=citizen)
    payment, _url = services.start_payment(pr, citizen, "sandbox")
    SandboxTransaction.objects.update(
        created_at=timezone.now() - timedelta(hours=2)
    )  # the provider's session timed out
    age(payment, 20)
    result = services.reconcile_pending()
    assert result.checked == 1
    assert result.changed == 1
    payment.refresh_from_db()
    assert payment.state == PaymentState.EXPIRED
    # ... and the citizen may simply try again
    assert services.start_payment(pr, citizen, "sandbox")[0].state == PaymentState.PENDING


@pytest.mark.django_db
def test_unreachable_provider_is_retried_later_and_expires_only_after_the_expiry(citizen, settings):
    pr = make_request(owner=citizen)
    payment, _url = services.start_payment(pr, citizen, "sandbox")
    age(payment, 20)
    settings.PAYMENTS_SANDBOX_URL = "http://provider.invalid"
    result = services.reconcile_pending()
    assert result.errors == 1
    payment.refresh_from_db()
    assert payment.state == PaymentState.PENDING
    assert services.reconcile_pending().checked == 0  # checked recently: not hammered again
    age(payment, 60 * 25)
    Payment.objects.filter(pk=payment.pk).update(last_checked_at=None)
    assert services.reconcile_pending().expired == 1


@pytest.mark.django_db
def test_transfers_are_not_queried_and_expire_late(citizen):
    pr = make_request(owner=citizen)
    make_payee(pr.authority)
    transfer, _ = services.start_payment(pr, citizen, "ueberweisung")
    age(transfer, 60 * 24 * 10)
    result = services.reconcile_pending()
    assert result.checked == 1
    assert result.errors == 0
    assert result.expired == 0
    age(transfer, 60 * 24 * 61)
    Payment.objects.filter(pk=transfer.pk).update(last_checked_at=None)
    assert services.reconcile_pending().expired == 1


@pytest.mark.django_db(transaction=True)
def test_status_page_polling_asks_the_provider_when_notifications_are_lost(citizen, citizen_client, settings):
    settings.PAYMENTS_SANDBOX_CHAOS = "drop"
    pr = make_request(owner=citizen)
    payment, url = services.start_payment(pr, citizen, "sandbox")
    Client().post(urlsplit(url).path, CARD_OK)
    Payment.objects.filter(pk=payment.pk).update(last_checked_at=timezone.now() - timedelta(minutes=1))
    fragment = citizen_client.get(f"/zahlung/{pr.public_id}/status/").content.decode()
    assert "bezahlt" in fragment


@pytest.mark.django_db(transaction=True)
def test_closing_the_browser_over_real_http_ends_paid_through_reconciliation(live_server, settings, citizen):
    """Integration: real sockets between our plugin, the SANDBOX gateway and our notification endpoint."""
    payment_http.set_transport(None)
    settings.BASE_URL = live_server.url
    settings.PAYMENTS_SANDBOX_CHAOS = "drop"
    pr = make_request(owner=citizen)
    browser = Client()
    browser.force_login(citizen)
    response = browser.post(f"/zahlung/{pr.public_id}/bezahlen/", {"anbieter": "sandbox"})
    hosted = response["Location"]
    assert hosted.startswith(live_server.url + "/sandbox/zahlung/")
    # The payer fills in the provider's page (real HTTP, with its CSRF token), then closes the browser.
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect())
    page = opener.open(hosted).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({**CARD_OK, "csrfmiddlewaretoken": token}).encode()
    request = urllib.request.Request(hosted, data=data, headers={"Referer": hosted}, method="POST")  # noqa: S310
    with pytest.raises(urllib.error.HTTPError) as redirect:
        opener.open(request)
    assert redirect.value.code == 303  # back to us — but nobody follows it
    payment = Payment.objects.get(request=pr)
    assert payment.state == PaymentState.PENDING

    age(payment, 30)
    jobs.tick()
    drain()
    payment.refresh_from_db()
    assert payment.state == PaymentState.PAID
    assert pr.__class__.objects.get(pk=pr.pk).state == "paid"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None
