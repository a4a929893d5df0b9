"""The sandbox eID's own endpoints: discovery, JWKS, authorize validation, token endpoint rules, userinfo."""

from __future__ import annotations

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlsplit

import pytest

from amtsweg.sandbox_eid import conf
from amtsweg.sandbox_eid.keys import key_path, public_jwks
from amtsweg.sandbox_eid.models import SandboxGrant

pytestmark = pytest.mark.django_db

REDIRECT = "http://testserver/anmelden/sandbox/rueckkehr/"


@pytest.fixture(autouse=True)
def _sandbox_on(settings):
    settings.SANDBOX_EID = True
    settings.SANDBOX_EID_ISSUER = ""


def _challenge(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def _authorize_params(verifier, **overrides):
    params = {
        "response_type": "code",
        "client_id": conf.CLIENT_ID,
        "redirect_uri": REDIRECT,
        "scope": "openid profile email address organisation",
        "state": "zustand-1",
        "nonce": "nonce-1",
        "code_challenge": _challenge(verifier),
        "code_challenge_method": "S256",
    }
    params.update(overrides)
    return params


def _code(client, verifier, identity="max", level="substanziell"):
    response = client.post(
        "/sandbox/eid/authorize",
        {**_authorize_params(verifier), "identity": identity, "level": level, "action": "login"},
    )
    assert response.status_code == 302
    query = parse_qs(urlsplit(response["Location"]).query)
    assert query["state"] == ["zustand-1"]
    return query["code"][0]


def _basic(client_id=conf.CLIENT_ID, secret=None):
    secret = conf.client_secret() if secret is None else secret
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


def _token(client, code, verifier, *, auth=None, redirect_uri=REDIRECT):
    return client.post(
        "/sandbox/eid/token",
        {
            "grant_type": "authorization_code",
            "code": code,
            "code_verifier": verifier,
            "redirect_uri": redirect_uri,
        },
        HTTP_AUTHORIZATION=auth or _basic(),
    )


def test_discovery_names_the_endpoints_under_the_issuer(client):
    doc = client.get("/sandbox/eid/.well-known/openid-configuration").json()
    assert doc["issuer"] == "http://testserver/sandbox/eid"
    assert doc["token_endpoint"] == "http://testserver/sandbox/eid/token"
    assert doc["code_challenge_methods_supported"] == ["S256"]
    assert doc["id_token_signing_alg_values_supported"] == ["RS256"]


def test_jwks_publishes_only_the_public_key_and_the_private_key_stays_in_data_dir(client, settings):
    keys = client.get("/sandbox/eid/jwks").json()["keys"]
    assert len(keys) == 1
    assert keys[0]["kty"] == "RSA"
    assert keys[0]["use"] == "sig"
    assert keys[0]["alg"] == "RS256"
    assert "d" not in keys[0]
    assert "p" not in keys[0]
    path = key_path()
    assert str(path).startswith(str(settings.DATA_DIR))
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert public_jwks() == {"keys": keys}


def test_authorize_page_is_marked_as_sandbox(client):
    page = client.get("/sandbox/eid/authorize", _authorize_params("v" * 50)).content.decode()
    assert "SANDBOX – kein echter Ausweis" in page
    assert "Erika Beispiel-Musterfrau" in page
    assert "Muster Bohr GmbH (Sandbox)" in page
    assert "Friseursalon Haarscharf Beispiel (Sandbox)" in page


@pytest.mark.parametrize(
    "override",
    [
        {"client_id": "fremd"},
        {"redirect_uri": "https://evil.example/anmelden/sandbox/rueckkehr/"},
        {"redirect_uri": "http://testserver/anderer/pfad/"},
        {"redirect_uri": "javascript:alert(1)"},
    ],
)
def test_authorize_refuses_unknown_clients_and_foreign_redirects_without_redirecting(client, override):
    response = client.get("/sandbox/eid/authorize", _authorize_params("v" * 50, **override))
    assert response.status_code == 400
    assert "nicht gestartet" in response.content.decode()


@pytest.mark.parametrize(
    ("override", "error"),
    [
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"scope": "profile"}, "invalid_scope"),
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"nonce": ""}, "invalid_request"),
    ],
)
def test_authorize_reports_bad_requests_to_the_client(client, override, error):
    response = client.get("/sandbox/eid/authorize", _authorize_params("v" * 50, **override))
    assert response.status_code == 302
    assert parse_qs(urlsplit(response["Location"]).query)["error"] == [error]
    assert SandboxGrant.objects.count() == 0


def test_code_is_single_use_and_a_replay_revokes_the_access_token(client):
    verifier = secrets.token_urlsafe(48)
    code = _code(client, verifier)
    first = _token(client, code, verifier)
    assert first.status_code == 200
    assert first["Cache-Control"] == "no-store"
    access = first.json()["access_token"]
    assert client.get("/sandbox/eid/userinfo", HTTP_AUTHORIZATION=f"Bearer {access}").status_code == 200
    second = _token(client, code, verifier)
    assert second.status_code == 400
    assert second.json() == {"error": "invalid_grant"}
    assert client.get("/sandbox/eid/userinfo", HTTP_AUTHORIZATION=f"Bearer {access}").status_code == 401


def test_wrong_pkce_verifier_is_refused(client):
    verifier = secrets.token_urlsafe(48)
    code = _code(client, verifier)
    assert _token(client, code, secrets.token_urlsafe(48)).json() == {"error": "invalid_grant"}


def test_wrong_client_secret_is_refused(client):
    verifier = secrets.token_urlsafe(48)
    code = _code(client, verifier)
    response = _token(client, code, verifier, auth=_basic(secret="geraten"))
    assert response.status_code == 401
    assert response.json() == {"error": "invalid_client"}
    assert _token(client, code, verifier).status_code == 200  # the failed attempt did not spend the code


def test_redirect_uri_must_match(client):
    verifier = secrets.token_urlsafe(48)
    code = _code(client, verifier)
    assert _token(client, code, verifier, redirect_uri="http://testserver/x/").json() == {
        "error": "invalid_grant"
    }


def test_userinfo_returns_claims_by_scope(client):
    verifier = secrets.token_urlsafe(48)
    code = _code(client, verifier, identity="haarscharf")
    access = _token(client, code, verifier).json()["access_token"]
    info = client.get("/sandbox/eid/userinfo", HTTP_AUTHORIZATION=f"Bearer {access}").json()
    assert info["org_name"] == "Friseursalon Haarscharf Beispiel (Sandbox)"
    assert info["address"]["locality"] == "Annaberg-Buchholz"
    assert client.get("/sandbox/eid/userinfo", HTTP_AUTHORIZATION="Bearer falsch").status_code == 401
    assert client.get("/sandbox/eid/userinfo").status_code == 401


def test_sandbox_is_off_by_default_outside_demo_and_tests(monkeypatch):
    """settings.py: AMTSWEG_SANDBOX_EID defaults to DEMO or TESTING; without both it is off."""
    import importlib
    import os

    for name in ("AMTSWEG_DEMO", "AMTSWEG_TESTING", "AMTSWEG_SANDBOX_EID"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AMTSWEG_DEBUG", "1")  # no secret key required
    from amtsweg.config import settings as settings_module

    try:
        reloaded = importlib.reload(settings_module)
        assert reloaded.SANDBOX_EID is False
        monkeypatch.setenv("AMTSWEG_SANDBOX_EID", "1")
        assert importlib.reload(settings_module).SANDBOX_EID is True
    finally:
        monkeypatch.setenv("AMTSWEG_TESTING", os.environ.get("AMTSWEG_TESTING", "1"))
        monkeypatch.undo()
        importlib.reload(settings_module)
