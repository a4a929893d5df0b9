from datetime import date
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError

from amtsweg.payments import services
from amtsweg.payments.fees import FeeError, compute_fee
from amtsweg.payments.models import FeeRule

from .factories import make_authority, make_rule

pytestmark = pytest.mark.django_db


def rule(**values):
    base = dict(
        kind="fixed",
        label="Gebühr",
        amount_cents=0,
        min_cents=None,
        max_cents=None,
        unit_cents=0,
        unit_label="",
        max_units=999,
        items=[],
        legal_basis="Testgrundlage",
    )
    base.update(values)
    return SimpleNamespace(**base)


def test_fixed_fee():
    quote = compute_fee(rule(amount_cents=1280, label="Zulassung (online)"))
    assert quote.total_cents == 1280
    assert quote.total_display == "12,80 €"
    assert [(line.label, line.amount_cents) for line in quote.lines] == [("Zulassung (online)", 1280)]
    assert quote.legal_basis == "Testgrundlage"


def test_range_fee_inside_the_legal_bounds():
    assert (
        compute_fee(rule(kind="range", amount_cents=3000, min_cents=2200, max_cents=11200)).total_cents
        == 3000
    )


@pytest.mark.parametrize("amount", [2199, 11201, 0])
def test_range_fee_outside_the_legal_bounds_is_refused(amount):
    with pytest.raises(FeeError, match="außerhalb des gesetzlichen Rahmens von 22,00 € bis 112,00 €"):
        compute_fee(rule(kind="range", amount_cents=amount, min_cents=2200, max_cents=11200))


def test_range_rule_outside_bounds_cannot_be_saved_through_validation():
    authority = make_authority()
    with pytest.raises(ValidationError, match="außerhalb des gesetzlichen Rahmens"):
        make_rule(kind="range", authority=authority, amount_cents=1500, min_cents=2200, max_cents=11200)
    assert not FeeRule.objects.exists()


def test_range_rule_without_bounds_is_refused():
    with pytest.raises(FeeError, match="Minimum und Maximum"):
        compute_fee(rule(kind="range", amount_cents=3000))


def test_per_item_fee():
    register = rule(kind="per_item", amount_cents=1200, unit_cents=300, unit_label="je weiterer Betrieb")
    assert compute_fee(register).total_cents == 1200
    quote = compute_fee(register, {"quantity": "2"})
    assert quote.total_cents == 1800
    assert quote.lines[1].label == "je weiterer Betrieb"
    assert quote.lines[1].quantity == 2


@pytest.mark.parametrize("quantity", [-1, 1000, "zwei", True, None, "1" * 500, 2.5])
def test_per_item_fee_refuses_bad_quantities(quantity):
    with pytest.raises(FeeError, match="Anzahl"):
        compute_fee(rule(kind="per_item", amount_cents=1200, unit_cents=300), {"quantity": quantity})


def test_sum_of_items_with_required_and_chosen_items():
    kfz = rule(
        kind="sum_of_items",
        amount_cents=1280,
        items=[
            {"key": "plaketten", "label": "Stempelplaketten", "amount_cents": 140, "required": True},
            {"key": "wunsch", "label": "Wunschkennzeichen", "amount_cents": 1020},
            {"key": "reservierung", "label": "Reservierung", "amount_cents": 260},
        ],
    )
    assert compute_fee(kfz).total_cents == 1420
    quote = compute_fee(kfz, {"items": ["wunsch"]})
    assert quote.total_cents == 2440
    assert [line.label for line in quote.lines] == ["Gebühr", "Stempelplaketten", "Wunschkennzeichen"]


@pytest.mark.parametrize("items", [["unbekannt"], "wunsch", {"a": 1}, 5])
def test_sum_of_items_refuses_unknown_or_malformed_choices(items):
    kfz = rule(
        kind="sum_of_items", amount_cents=100, items=[{"key": "wunsch", "label": "W", "amount_cents": 1}]
    )
    with pytest.raises(FeeError):
        compute_fee(kfz, {"items": items})


def test_free_fee():
    quote = compute_fee(rule(kind="free", legal_basis=""))
    assert quote.total_cents == 0
    assert quote.is_free


def test_unknown_kind_and_missing_legal_basis_are_refused():
    with pytest.raises(FeeError, match="Unbekannte Gebührenart"):
        compute_fee(rule(kind="magic"))
    with pytest.raises(FeeError, match="Rechtsgrundlage"):
        compute_fee(rule(amount_cents=100, legal_basis=""))


def test_inputs_must_be_a_mapping():
    with pytest.raises(FeeError, match="ungültig"):
        compute_fee(rule(amount_cents=100), ["quantity", 1])


def test_authority_rule_wins_over_the_statewide_rule_and_validity_is_respected():
    dippoldiswalde = make_authority("gemeinde-14628-dippoldiswalde")
    other = make_authority("gemeinde-x")
    make_rule(kind="range", amount_cents=3000, min_cents=2200, max_cents=11200)
    make_rule(kind="range", authority=dippoldiswalde, amount_cents=5000, min_cents=2200, max_cents=11200)
    assert services.quote_fee("gewerbe-anmeldung", dippoldiswalde).total_cents == 5000
    assert services.quote_fee("gewerbe-anmeldung", other).total_cents == 3000

    make_rule(procedure_key="alt", amount_cents=100, valid_until=date(2020, 12, 31))
    with pytest.raises(FeeError, match="keine Gebühr hinterlegt"):
        services.quote_fee("alt", other)


def test_quote_endpoint_renders_the_same_result_as_the_server(client):
    authority = make_authority("stadt-test")
    make_rule(
        procedure_key="gewerbe-registerauskunft",
        kind="per_item",
        amount_cents=1200,
        unit_cents=300,
        unit_label="je weiterer Betrieb",
        legal_basis="10. SächsKVZ Nr. 46",
    )
    server = services.quote_fee("gewerbe-registerauskunft", authority, inputs={"quantity": 3})
    page = client.get(
        "/zahlung/gebuehr/",
        {"verfahren": "gewerbe-registerauskunft", "behoerde": "stadt-test", "anzahl": "3"},
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert f'data-total-cents="{server.total_cents}"' in html
    assert "21,00 €" in html
    assert "10. SächsKVZ Nr. 46" in html

    as_json = client.get(
        "/zahlung/gebuehr/",
        {"verfahren": "gewerbe-registerauskunft", "behoerde": "stadt-test", "anzahl": "3", "format": "json"},
    ).json()
    assert as_json == server.as_dict()


def test_quote_endpoint_explains_bad_input_in_german(client):
    make_rule(procedure_key="gewerbe-registerauskunft", kind="per_item", amount_cents=1200, unit_cents=300)
    response = client.get(
        "/zahlung/gebuehr/", {"verfahren": "gewerbe-registerauskunft", "anzahl": "-5", "format": "json"}
    )
    assert response.status_code == 400
    assert "Anzahl muss zwischen 0 und 999 liegen" in response.json()["error"]
    response = client.get("/zahlung/gebuehr/", {"verfahren": "gibt-es-nicht", "behoerde": "x" * 5000})
    assert "Diese Behörde ist nicht bekannt" in response.content.decode()


def test_fee_quote_template_tag_renders_the_same_fragment():
    from django.template import Context, Template

    authority = make_authority("gemeinde-tag")
    make_rule(kind="range", authority=authority, amount_cents=4500, min_cents=2200, max_cents=11200)
    html = Template('{% load payment_tags %}{% fee_quote "gewerbe-anmeldung" authority %}').render(
        Context({"authority": authority})
    )
    assert 'data-total-cents="4500"' in html
    assert "45,00 €" in html
    missing = Template('{% load payment_tags %}{% fee_quote "gibt-es-nicht" %}').render(Context({}))
    assert "keine Gebühr hinterlegt" in missing
