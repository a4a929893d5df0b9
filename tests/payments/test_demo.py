import pytest

from amtsweg.payments import services
from amtsweg.payments.demo import load_payment_demo
from amtsweg.payments.models import FeeRule, PayeeAccount
from amtsweg.payments.references import is_valid_iban

from .factories import make_authority

pytestmark = pytest.mark.django_db


def test_demo_fee_rules_load_idempotently_and_compute():
    dippoldiswalde = make_authority("gemeinde-14628-dippoldiswalde", "Stadtverwaltung Dippoldiswalde")
    load_payment_demo()
    count = FeeRule.objects.count()
    load_payment_demo()
    assert FeeRule.objects.count() == count

    assert services.quote_fee("kfz-ausserbetriebsetzung").total_display == "2,10 €"
    assert (
        services.quote_fee("kfz-ausserbetriebsetzung", inputs={"items": ["reservierung"]}).total_cents == 470
    )
    registration = services.quote_fee("kfz-neuzulassung", inputs={"items": ["wunschkennzeichen"]})
    assert registration.total_cents == 1280 + 140 + 30 + 1020
    assert "221.1.1" in registration.legal_basis
    assert services.quote_fee("kfz-adressaenderung").total_cents == 430
    assert services.quote_fee("gewerbe-anmeldung", dippoldiswalde).total_cents == 3000
    assert services.quote_fee("gewerbe-registerauskunft", inputs={"quantity": 2}).total_cents == 1800
    assert services.quote_fee("gewerbe-auskunft-eu").is_free
    for rule in FeeRule.objects.filter(kind="range"):
        assert 2200 <= rule.amount_cents <= 11200

    account = PayeeAccount.objects.get(authority=dippoldiswalde)
    assert is_valid_iban(account.iban)
