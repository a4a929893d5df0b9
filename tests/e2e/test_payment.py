"""A citizen pays a fee through the SANDBOX provider's hosted page in a real browser."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from amtsweg.directory.models import Authority
from amtsweg.payments import http as payment_http
from amtsweg.payments import services
from amtsweg.payments.models import Payment, PaymentState

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture then skips (or fails with CI=true) and says why
    expect = None

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def payer(live_server, settings, page):
    """A logged-in citizen with a fee to pay; the platform and the sandbox talk over real HTTP."""
    payment_http.set_transport(None)
    settings.BASE_URL = live_server.url
    settings.PAYMENTS_CALLBACK_BASE_URL = ""
    settings.PAYMENTS_SANDBOX_URL = ""
    settings.PAYMENTS_SANDBOX_ENABLED = True
    settings.PAYMENTS_SANDBOX_CHAOS = ""
    settings.PAYMENTS_SANDBOX_SEPA_SECONDS = 0
    user = get_user_model().objects.create_user(username="erika-e2e", password=None)
    authority, _ = Authority.objects.get_or_create(
        key="landratsamt-e2e", defaults={"name": "Landratsamt Beispielkreis"}
    )
    payment_request = services.create_payment_request(
        reference="case:e2e-1",
        owner=user,
        authority=authority,
        amount_cents=1280,
        purpose="Zulassung eines Fahrzeugs (online)",
        procedure_key="kfz-neuzulassung",
        case_number="KFZ-2026-00001",
    )
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return payment_request


def test_pay_by_card_on_the_sandbox_page_and_see_paid(page, payer, assert_accessible):
    page.goto(f"/zahlung/{payer.public_id}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Gebühr bezahlen")
    expect(page.locator("main")).to_contain_text("12,80 €")
    expect(page.locator("main")).to_contain_text("Zulassung eines Fahrzeugs (online)")
    assert_accessible(page)

    page.get_by_label("Testzahlung (SANDBOX)").check()
    page.get_by_role("button", name="Weiter zur Zahlung").click()

    # The provider's hosted page: clearly a sandbox, with its own URL prefix.
    expect(page).to_have_url(re.compile(r"/sandbox/zahlung/[0-9a-f-]{36}/$"))
    expect(page.locator("main")).to_contain_text("SANDBOX")
    assert_accessible(page)
    page.get_by_label("Kartennummer").fill("4242 4242 4242 4242")
    page.get_by_label("Gültig bis (MM/JJ)").fill("12/39")
    page.get_by_label("Prüfnummer (CVC)").fill("123")
    page.get_by_label("Name auf der Karte").fill("Erika Beispiel")
    page.get_by_role("button", name="12,80 € mit Karte bezahlen").click()

    # Back on amtsweg (return page → status page): paid.
    expect(page).to_have_url(re.compile(rf"/zahlung/{payer.public_id}/$"))
    expect(page.get_by_role("status").filter(has_text="bezahlt")).to_be_visible()
    assert_accessible(page)
    payment = Payment.objects.get(request=payer)
    assert payment.state == PaymentState.PAID
    assert services.is_paid("case:e2e-1")


def test_sepa_pending_page_updates_itself_when_the_debit_settles(page, payer, assert_accessible):
    page.goto(f"/zahlung/{payer.public_id}/")
    page.get_by_label("Testzahlung (SANDBOX)").check()
    page.get_by_role("button", name="Weiter zur Zahlung").click()
    page.get_by_label("Kontoinhaber/in").fill("Erika Beispiel")
    page.get_by_label("IBAN").fill("DE89 3704 0044 0532 0130 00")
    page.get_by_label("Ich erteile das SEPA-Lastschriftmandat (Test).").check()
    page.get_by_role("button", name="Per Lastschrift bezahlen").click()

    expect(page.locator("#zahlstatus")).to_contain_text("Zahlung wird noch bestätigt")
    expect(page.get_by_role("link", name="Stand jetzt neu laden")).to_be_visible()
    assert_accessible(page)

    # The provider settles the debit and notifies us in the background; htmx polling shows it, no reload.
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
    for _ in range(2):
        call_command(
            "db_worker", "--batch", "--no-reload", "--no-startup-delay", "--queue-name", "*", verbosity=0
        )
    expect(page.locator("#zahlstatus")).to_contain_text("bezahlt", timeout=15_000)
    expect(page.locator("#zahlstatus")).not_to_contain_text("wird noch bestätigt")
    assert Payment.objects.get(request=payer).state == PaymentState.PAID
