"""Only the owner sees or starts a payment; return URLs cannot be abused; the sandbox is off by default."""

import logging
import uuid

import pytest
from django.test import Client

from amtsweg.payments import services
from amtsweg.payments.models import Payment, PaymentRequest, PaymentState
from amtsweg.payments.services import PaymentPermissionDenied, UnsafeReturnPath

from .factories import make_authority, make_request, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def others_request():
    return make_request(owner=make_user("mallory-opfer"))


def test_anonymous_is_sent_to_login(client, others_request):
    response = client.get(f"/zahlung/{others_request.public_id}/")
    assert response.status_code == 302
    assert "/anmelden/" in response["Location"] or "login" in response["Location"]


@pytest.mark.parametrize("suffix", ["", "status/", "girocode.svg"])
def test_someone_elses_payment_is_a_404(citizen_client, others_request, suffix):
    assert citizen_client.get(f"/zahlung/{others_request.public_id}/{suffix}").status_code == 404


def test_starting_someone_elses_payment_is_a_404_and_creates_nothing(citizen_client, others_request):
    response = citizen_client.post(f"/zahlung/{others_request.public_id}/bezahlen/", {"anbieter": "sandbox"})
    assert response.status_code == 404
    assert not Payment.objects.exists()


def test_service_refuses_a_start_for_someone_elses_request_and_logs_it(citizen, others_request, caplog):
    caplog.set_level(logging.WARNING, logger="amtsweg.payments.security")
    with pytest.raises(PaymentPermissionDenied, match="anderen Konto"):
        services.start_payment(others_request, citizen, "sandbox")
    assert not Payment.objects.exists()
    assert "someone else's request" in caplog.text


def test_return_url_of_someone_elses_payment_is_a_404(citizen_client, others_request):
    payment, _ = services.start_payment(others_request, others_request.owner, "sandbox")
    response = citizen_client.get(f"/zahlung/rueckkehr/{payment.public_id}/?ergebnis=paid")
    assert response.status_code == 404
    payment.refresh_from_db()
    assert payment.state == PaymentState.PENDING


def test_tampered_return_parameters_are_ignored(citizen, citizen_client):
    pr = make_request(owner=citizen)
    payment, _ = services.start_payment(pr, citizen, "sandbox")
    response = citizen_client.get(
        f"/zahlung/rueckkehr/{payment.public_id}/?ergebnis=paid&status=paid&amount_cents=1", follow=True
    )
    assert "Zahlung wird noch bestätigt" in response.content.decode()
    payment.refresh_from_db()
    assert payment.state == PaymentState.PENDING  # the provider says "open", not "paid"


def test_unknown_ids_are_404(citizen_client):
    assert citizen_client.get(f"/zahlung/{uuid.uuid4()}/").status_code == 404
    assert citizen_client.get(f"/zahlung/rueckkehr/{uuid.uuid4()}/").status_code == 404
    assert citizen_client.get("/zahlung/123/").status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "https://evil.example/",
        "//evil.example/konto/",
        "/\\evil.example",
        "javascript:alert(1)",
        "/konto/../../betrieb/admin/",
        "/betrieb/admin/",
        "konto/",
        "/konto/\r\nSet-Cookie: x",
        "/konto/" + "a" * 400,
    ],
)
def test_unsafe_continue_paths_are_refused_and_nothing_is_created(citizen, path):
    with pytest.raises(UnsafeReturnPath, match="Rücksprungadresse ist nicht erlaubt"):
        make_request(owner=citizen, continue_path=path)
    assert not PaymentRequest.objects.exists()


def test_allowed_continue_path_is_kept():
    assert make_request(continue_path="/konto/antraege/42/").continue_path == "/konto/antraege/42/"


def test_create_request_is_idempotent_but_refuses_a_different_owner_for_the_same_reference(citizen):
    authority = make_authority()
    first = make_request(owner=citizen, authority=authority, reference="case:42")
    again = make_request(
        owner=citizen, authority=authority, reference="case:42", case_number=first.case_number
    )
    assert again.pk == first.pk
    with pytest.raises(PaymentPermissionDenied, match="bereits eine andere Zahlungsanforderung"):
        make_request(owner=make_user(), authority=authority, reference="case:42")
    with pytest.raises(PaymentPermissionDenied):
        make_request(owner=citizen, authority=authority, reference="case:42", amount_cents=1)
    assert PaymentRequest.objects.count() == 1


@pytest.mark.parametrize("amount", [0, -100, "12,80", 12.8, True, None])
def test_request_amount_must_be_positive_integer_cents(citizen, amount):
    with pytest.raises(services.PaymentError):
        make_request(owner=citizen, amount_cents=amount)
    assert not PaymentRequest.objects.exists()


def test_sandbox_is_404_when_disabled(settings, citizen, citizen_client):
    pr = make_request(owner=citizen)
    payment, _url = services.start_payment(pr, citizen, "sandbox")
    settings.PAYMENTS_SANDBOX_ENABLED = False
    anonymous = Client()
    for path in (
        "/sandbox/zahlung/",
        f"/sandbox/zahlung/{payment.provider_reference}/",
        f"/sandbox/zahlung/api/transaktionen/{payment.provider_reference}/",
    ):
        assert anonymous.get(path).status_code == 404
    assert (
        anonymous.post(
            "/sandbox/zahlung/api/transaktionen/", data=b"{}", content_type="application/json"
        ).status_code
        == 404
    )
    html = citizen_client.get(f"/zahlung/{pr.public_id}/").content.decode()
    assert "SANDBOX" not in html  # not offered as a method any more


def test_sandbox_api_requires_the_merchant_signature(citizen):
    pr = make_request(owner=citizen)
    payment, _ = services.start_payment(pr, citizen, "sandbox")
    anonymous = Client()
    assert (
        anonymous.get(f"/sandbox/zahlung/api/transaktionen/{payment.provider_reference}/").status_code == 403
    )
    response = anonymous.post(
        f"/sandbox/zahlung/api/transaktionen/{payment.provider_reference}/erstattungen/",
        data=b'{"amount_cents": 1, "refund_id": "x"}',
        content_type="application/json",
    )
    assert response.status_code == 403


def test_sandbox_refuses_return_urls_outside_the_merchant_address():
    from amtsweg.payments import http, signing
    from amtsweg.payments.providers.sandbox import conf

    for return_url in ("https://evil.example/", "http://testserver.evil.example/x", "javascript:alert(1)"):
        body = http.dumps(
            {
                "merchant_reference": "x",
                "amount_cents": 100,
                "currency": "EUR",
                "purpose": "p",
                "return_url": return_url,
                "notify_url": "http://testserver/zahlung/benachrichtigung/sandbox/",
            }
        )
        headers = signing.signed_headers(conf.secret(), body, prefix=conf.SIGNATURE_PREFIX)
        response = http.send(
            "POST", "http://testserver/sandbox/zahlung/api/transaktionen/", body=body, headers=headers
        )
        assert response.status == 400
        assert "Händleradresse" in response.json()["error"]


def test_sandbox_secret_lives_in_the_data_folder_with_private_permissions(settings):
    from amtsweg.payments.providers.sandbox import conf

    key = conf.secret()
    path = settings.DATA_DIR / conf.SECRET_FILE
    assert path.read_text().encode() == key
    assert len(key) == 64
    assert path.stat().st_mode & 0o777 == 0o600
    assert conf.secret() == key  # stable


def test_sandbox_chaos_setting_is_validated(settings):
    from amtsweg.payments.providers.sandbox import conf

    settings.PAYMENTS_SANDBOX_CHAOS = "late=0.5,duplicate,delay=5"
    assert conf.chaos() == conf.Chaos(late=0.5, duplicate=1.0, delay=5)
    settings.PAYMENTS_SANDBOX_CHAOS = "explode"
    with pytest.raises(ValueError, match="unbekannte Angabe"):
        conf.chaos()
