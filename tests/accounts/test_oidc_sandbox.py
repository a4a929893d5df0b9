"""The OIDC client against the sandbox eID over real HTTP (live server): the happy path and every forgery."""

from __future__ import annotations

import base64
import json
import logging
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from joserfc import jwt
from joserfc.jwk import OctKey, RSAKey

from amtsweg.accounts.models import ExternalIdentity, Organisation, OrganisationMembership, User
from amtsweg.accounts.trust import SESSION_KEY, TrustLevel
from amtsweg.sandbox_eid import conf as sandbox_conf
from amtsweg.sandbox_eid import keys as sandbox_keys
from amtsweg.sandbox_eid import tokens
from amtsweg.sandbox_eid.identities import BY_KEY

from .factories import login_citizen, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def start(client, *, next_url="/konto/", stufe=None):
    data = {"next": next_url}
    if stufe:
        data["stufe"] = stufe
    response = client.post("/anmelden/sandbox/", data)
    assert response.status_code == 302, response.content[:500]
    return response["Location"]


def authorize(client, authorize_url, *, identity="erika", level="hoch"):
    """Play the tester on the sandbox page: pick a person and a level; returns the callback URL."""
    page = client.get(_path(authorize_url))
    assert page.status_code == 200
    assert "SANDBOX – kein echter Ausweis" in page.content.decode()
    params = {k: v[0] for k, v in parse_qs(urlsplit(authorize_url).query).items()}
    answer = client.post(
        urlsplit(authorize_url).path, {**params, "identity": identity, "level": level, "action": "login"}
    )
    assert answer.status_code == 302
    return answer["Location"]


def sandbox_login(client, *, identity="erika", level="hoch", next_url="/konto/", stufe=None):
    callback = authorize(
        client, start(client, next_url=next_url, stufe=stufe), identity=identity, level=level
    )
    return client.get(_path(callback)), callback


def _forge(monkeypatch, change):
    """Replace the sandbox's ID token signer; `change(claims) -> token string`."""
    monkeypatch.setattr(tokens, "sign_id_token", change)


def _sign(claims, key=None, header=None):
    key = key or sandbox_keys.signing_key()
    return jwt.encode(header or {"alg": "RS256", "kid": key.kid}, claims, key)


def assert_rejected(response, caplog, *, text="nicht geprüft werden"):
    body = response.content.decode()
    assert response.status_code == 400
    assert text in body
    assert "_auth_user_id" not in response.wsgi_request.session
    assert User.objects.count() == 0
    assert ExternalIdentity.objects.count() == 0
    assert any(r.name == "amtsweg.accounts.security" and r.levelname == "WARNING" for r in caplog.records)


# --- the happy path
# ----------------------------------------------------------------------------------------------
def test_login_through_sandbox_at_level_hoch_over_http(client, sandbox_live):
    response, _callback = sandbox_login(client, identity="erika", level="hoch")
    assert response.status_code == 302
    assert response["Location"] == "/konto/"
    user = User.objects.get()
    assert (user.first_name, user.last_name) == ("Erika", "Beispiel-Musterfrau")
    assert user.locality == "Annaberg-Buchholz"
    assert user.birth_date.isoformat() == "1964-08-12"
    assert not user.has_usable_password()
    link = ExternalIdentity.objects.get(user=user)
    assert (link.provider, link.subject, link.trust_level) == ("sandbox", BY_KEY["erika"].subject, 3)
    assert client.session[SESSION_KEY] == TrustLevel.HOCH
    profile = client.get("/konto/").content.decode()
    assert "Erika Beispiel-Musterfrau" in profile
    assert "hoch" in profile


def test_second_login_reuses_the_account(client, sandbox_live):
    sandbox_login(client, identity="max", level="substanziell")
    client.logout()
    sandbox_login(client, identity="max", level="niedrig")
    assert User.objects.count() == 1
    assert ExternalIdentity.objects.get().trust_level == TrustLevel.NIEDRIG
    assert client.session[SESSION_KEY] == TrustLevel.NIEDRIG


def test_company_login_creates_the_organisation_and_acts_for_it(client, sandbox_live):
    response, _ = sandbox_login(client, identity="muster-bohr", level="substanziell")
    assert response.status_code == 302
    organisation = Organisation.objects.get()
    assert organisation.name == "Muster Bohr GmbH (Sandbox)"
    assert organisation.kind == "drilling_firm"
    assert (organisation.external_provider, organisation.external_id) == ("sandbox", "SANDBOX-HRB-4711")
    assert OrganisationMembership.objects.get().role == "owner"
    assert client.session["amtsweg.acting_for"] == {"organisation": organisation.pk}
    profile = client.get("/konto/").content.decode()
    assert "Sie handeln für" in profile
    assert "Muster Bohr GmbH (Sandbox)" in profile


def test_step_up_from_local_account_links_the_eid(client, sandbox_live):
    user = make_user("erika.lokal@example.org")
    login_citizen(client, user, TrustLevel.NIEDRIG)
    response, _ = sandbox_login(
        client, identity="erika", level="hoch", next_url="/konto/daten/", stufe="hoch"
    )
    assert response["Location"] == "/konto/daten/"
    assert ExternalIdentity.objects.get().user == user
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.session[SESSION_KEY] == TrustLevel.HOCH


def test_level_below_the_required_one_sends_back_to_step_up(client, sandbox_live):
    response, _ = sandbox_login(
        client, identity="lena", level="niedrig", next_url="/konto/daten/", stufe="hoch"
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/anmelden/?")
    assert "stufe=hoch" in response["Location"]
    page = client.get(response["Location"]).content.decode()
    assert "nur das Vertrauensniveau „niedrig“" in page


def test_next_pointing_elsewhere_is_ignored(client, sandbox_live):
    response, _ = sandbox_login(client, next_url="https://evil.example/steal")
    assert response["Location"] == "/konto/"


def test_key_rotation_is_picked_up_by_refetching_the_jwks(client, sandbox_live):
    sandbox_login(client)
    client.logout()
    # The provider rotates its key; the client still has the old JWKS cached and must refetch on the unknown
    # kid.
    sandbox_keys.key_path().unlink()
    sandbox_keys._loaded.clear()
    response, _ = sandbox_login(client)
    assert response.status_code == 302
    assert response["Location"] == "/konto/"


# --- forged and broken tokens
# --------------------------------------------------------------------------------------
def test_token_signed_with_another_key_is_rejected(client, sandbox_live, monkeypatch, caplog):
    stranger = RSAKey.generate_key(2048)
    _forge(
        monkeypatch,
        lambda claims: _sign(
            claims, header={"alg": "RS256", "kid": sandbox_keys.signing_key().kid}, key=stranger
        ),
    )
    caplog.set_level(logging.WARNING)
    response, _ = sandbox_login(client)
    assert_rejected(response, caplog)


def test_token_with_unknown_kid_is_rejected(client, sandbox_live, monkeypatch, caplog):
    stranger = RSAKey.generate_key(2048, parameters={"kid": "fremder-schluessel"})
    _forge(
        monkeypatch,
        lambda claims: _sign(claims, key=stranger, header={"alg": "RS256", "kid": "fremder-schluessel"}),
    )
    caplog.set_level(logging.WARNING)
    response, _ = sandbox_login(client)
    assert_rejected(response, caplog)
    assert any("no signing key" in getattr(r, "reason", "") for r in caplog.records)


def test_alg_none_is_rejected(client, sandbox_live, monkeypatch, caplog):
    def unsigned(claims):
        header = base64.urlsafe_b64encode(json.dumps({"alg": "none"}).encode()).rstrip(b"=").decode()
        payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
        return f"{header}.{payload}."

    _forge(monkeypatch, unsigned)
    caplog.set_level(logging.WARNING)
    response, _ = sandbox_login(client)
    assert_rejected(response, caplog)
    assert any("not allowed" in getattr(r, "reason", "") for r in caplog.records)


def test_hmac_token_made_with_the_client_secret_is_rejected(client, sandbox_live, monkeypatch, caplog):
    secret = OctKey.import_key(sandbox_conf.client_secret())
    _forge(monkeypatch, lambda claims: jwt.encode({"alg": "HS256"}, claims, secret))
    caplog.set_level(logging.WARNING)
    response, _ = sandbox_login(client)
    assert_rejected(response, caplog)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda c: {**c, "aud": "eine-andere-anwendung"}, "audience"),
        (lambda c: {**c, "aud": ["amtsweg-sandbox", "noch-jemand"]}, "azp"),
        (lambda c: {**c, "exp": int(time.time()) - 3600, "iat": int(time.time()) - 4000}, "expired"),
        (lambda c: {**c, "iat": int(time.time()) + 3600}, "iat"),
        (lambda c: {**c, "iss": "https://falscher-aussteller.example"}, "issuer"),
        (lambda c: {**c, "nonce": "eine-andere-nonce"}, "nonce"),
        (lambda c: {k: v for k, v in c.items() if k != "nonce"}, "nonce"),
        (lambda c: {k: v for k, v in c.items() if k != "sub"}, "sub"),
        (lambda c: {**c, "exp": "morgen"}, "expired"),
    ],
    ids=[
        "wrong-aud",
        "multi-aud-no-azp",
        "expired",
        "iat-future",
        "wrong-iss",
        "wrong-nonce",
        "no-nonce",
        "no-sub",
        "exp-text",
    ],
)
def test_tampered_claims_are_rejected(client, sandbox_live, monkeypatch, caplog, change, reason):
    _forge(monkeypatch, lambda claims: _sign(change(claims)))
    caplog.set_level(logging.WARNING)
    response, _ = sandbox_login(client)
    assert_rejected(response, caplog)
    assert any(reason in getattr(r, "reason", "") for r in caplog.records)


def test_unknown_trust_level_is_rejected(client, sandbox_live, monkeypatch, caplog):
    _forge(monkeypatch, lambda claims: _sign({**claims, "acr": "urn:irgendwas:stufe-9"}))
    caplog.set_level(logging.WARNING)
    response, _ = sandbox_login(client)
    assert_rejected(response, caplog, text="kein bekanntes Vertrauensniveau")


def test_garbage_instead_of_a_token_is_rejected(client, sandbox_live, monkeypatch, caplog):
    _forge(monkeypatch, lambda claims: "kein.jwt")
    caplog.set_level(logging.WARNING)
    response, _ = sandbox_login(client)
    assert_rejected(response, caplog)


# --- replays and unknown providers
# ----------------------------------------------------------------------------------
def test_replayed_callback_state_is_rejected(client, sandbox_live, caplog):
    first, callback = sandbox_login(client)
    assert first.status_code == 302
    client.logout()
    caplog.set_level(logging.WARNING)
    again = client.get(_path(callback))
    assert again.status_code == 400
    assert "abgelaufen oder wurde bereits abgeschlossen" in again.content.decode()
    assert "_auth_user_id" not in client.session
    assert any("replayed state" in getattr(r, "reason", "") for r in caplog.records)


def test_code_injected_into_another_flow_is_refused(client, sandbox_live, caplog):
    """A code from flow A replayed into flow B fails: B's PKCE verifier does not match A's challenge
    (and A's nonce would not match B's; that check is covered by the wrong-nonce case above)."""
    callback_a = authorize(client, start(client))
    start_b = start(client)
    state_b = parse_qs(urlsplit(start_b).query)["state"][0]
    code_a = parse_qs(urlsplit(callback_a).query)["code"][0]
    caplog.set_level(logging.WARNING)
    response = client.get("/anmelden/sandbox/rueckkehr/", {"state": state_b, "code": code_a})
    assert_rejected(response, caplog)
    assert any("token endpoint answered 400" in getattr(r, "reason", "") for r in caplog.records)
    # Flow A's state is still usable once, but its code is now spent (single use): rejected as well.
    response_a = client.get(_path(callback_a))
    assert response_a.status_code == 400
    assert User.objects.count() == 0


def test_callback_state_from_another_browser_is_rejected(client, sandbox_live, django_user_model):
    from django.test import Client

    callback = authorize(client, start(client))
    other_browser = Client()
    response = other_browser.get(_path(callback))
    assert response.status_code == 400
    assert "abgelaufen" in response.content.decode()
    assert django_user_model.objects.count() == 0


def test_cancel_at_the_provider(client, sandbox_live):
    url = start(client)
    params = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    answer = client.post(urlsplit(url).path, {**params, "action": "cancel"})
    response = client.get(_path(answer["Location"]))
    assert response.status_code == 400
    assert "abgebrochen" in response.content.decode()
    assert User.objects.count() == 0


@pytest.mark.parametrize("key", ["gibtsnicht", "oidc", "local", "x" * 60])
def test_unknown_or_non_redirect_provider(client, sandbox_live, key, caplog):
    caplog.set_level(logging.WARNING)
    start_response = client.post(f"/anmelden/{key}/", {"next": "/konto/"})
    assert start_response.status_code == 404
    assert "Diesen Anmeldedienst gibt es hier nicht" in start_response.content.decode()
    callback = client.get(f"/anmelden/{key}/rueckkehr/", {"state": "x", "code": "y"})
    assert callback.status_code in (400, 404)
    assert User.objects.count() == 0


def test_sandbox_switched_off_means_404_everywhere(client, sandbox_live, settings):
    settings.SANDBOX_EID = False
    for path in [
        "/sandbox/eid",
        "/sandbox/eid/.well-known/openid-configuration",
        "/sandbox/eid/jwks",
        "/sandbox/eid/authorize",
    ]:
        assert client.get(path).status_code == 404, path
    assert client.post("/sandbox/eid/token", {"grant_type": "authorization_code"}).status_code == 404
    assert client.get("/sandbox/eid/userinfo").status_code == 404
    assert client.post("/anmelden/sandbox/", {"next": "/konto/"}).status_code == 404
    assert "Sandbox-eID" not in client.get("/anmelden/").content.decode()


def test_provider_unreachable_gives_a_clear_message(client, settings, caplog):
    settings.SANDBOX_EID = True
    settings.SANDBOX_EID_ISSUER = "http://127.0.0.1:9/sandbox/eid"  # discard port: nobody listens
    caplog.set_level(logging.WARNING)
    response = client.post("/anmelden/sandbox/", {"next": "/konto/"})
    assert response.status_code == 502
    assert "nicht erreichbar" in response.content.decode()


def test_discovery_with_a_different_issuer_is_refused(client, sandbox_live, settings, caplog):
    # The client expects one issuer, the server's discovery document names another.
    from amtsweg.accounts.providers.sandbox import SandboxEIDProvider

    class Liar(SandboxEIDProvider):
        def issuer(self, request):
            return "http://aussteller.example/sandbox/eid"

        def discovery_url(self, issuer):
            return sandbox_live.url + "/sandbox/eid/.well-known/openid-configuration"

    monkeypatched = Liar()
    caplog.set_level(logging.WARNING)
    from amtsweg.accounts.providers.base import LoginError

    request = client.get("/anmelden/").wsgi_request
    with pytest.raises(LoginError) as error:
        monkeypatched.start(request, next_url="/konto/", min_level=None)
    assert "issuer" in error.value.reason


def test_identity_is_not_linked_to_a_session_that_did_not_start_the_flow(client, sandbox_live):
    """Someone else logged in between start and return: the eID gets its own account, never theirs."""
    url = start(client)
    someone = make_user("jemand@example.org")
    login_citizen(client, someone, TrustLevel.NIEDRIG)
    response = client.get(_path(authorize(client, url)))
    assert response.status_code == 302
    assert not ExternalIdentity.objects.filter(user=someone).exists()
    link = ExternalIdentity.objects.get()
    assert link.user != someone
    assert client.session["_auth_user_id"] == str(link.user.pk)
