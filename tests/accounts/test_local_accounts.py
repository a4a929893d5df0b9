"""Local accounts: registration, e-mail verification, login (argon2), password reset, brute-force lock-out."""

from __future__ import annotations

import logging
import re

import pytest
from django.core import mail, signing

from amtsweg.accounts.models import User
from amtsweg.accounts.trust import SESSION_KEY, TrustLevel

from .factories import PASSWORD, make_authority, make_staff, make_user

pytestmark = pytest.mark.django_db

GOOD = {
    "first_name": "Dora",
    "last_name": "Demo",
    "email": "Dora.Demo@Example.org",
    "password1": "Lange-Passphrase-2026",
    "password2": "Lange-Passphrase-2026",
    "electronic_access": "on",
}


def _link(message) -> str:
    return re.search(r"https?://\S+", message.body).group(0)


def test_register_verify_and_log_in_at_level_niedrig(client):
    response = client.post("/registrieren/", GOOD)
    assert response.status_code == 200
    assert "Bitte prüfen Sie Ihr E-Mail-Postfach" in response.content.decode()
    user = User.objects.get()
    assert user.email == "dora.demo@example.org"
    assert user.password.startswith("argon2$")
    assert user.email_verified_at is None
    assert len(mail.outbox) == 1
    link = _link(mail.outbox[0])
    assert "/registrieren/bestaetigen/" in link

    blocked = client.post("/anmelden/", {"username": "dora.demo@example.org", "password": GOOD["password1"]})
    assert blocked.status_code == 400
    assert "bestätigen Sie zuerst Ihre E-Mail-Adresse" in blocked.content.decode()
    assert "_auth_user_id" not in client.session

    verified = client.get(
        link.split("testserver", 1)[-1] if "testserver" in link else "/" + link.split("/", 3)[3]
    )
    assert verified.status_code == 302
    user.refresh_from_db()
    assert user.email_verified_at is not None

    ok = client.post(
        "/anmelden/",
        {"username": "DORA.demo@example.org", "password": GOOD["password1"], "next": "/konto/daten/"},
    )
    assert ok.status_code == 302
    assert ok["Location"] == "/konto/daten/"
    assert client.session[SESSION_KEY] == TrustLevel.NIEDRIG


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"password2": "Etwas-Anderes-2026"}, "stimmen nicht überein"),
        ({"password1": "1234567890", "password2": "1234567890"}, "Passwort"),
        ({"email": "keine-adresse"}, "E-Mail-Adresse"),
        ({"electronic_access": ""}, "elektronischen Kommunikation"),
        ({"first_name": "x" * 500}, "höchstens"),
    ],
)
def test_registration_rejects_bad_input_and_creates_nothing(client, change, message):
    response = client.post("/registrieren/", {**GOOD, **change})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert User.objects.count() == 0
    assert mail.outbox == []


def test_registering_an_existing_address_reveals_nothing_and_creates_nothing(client):
    make_user("dora.demo@example.org")
    response = client.post("/registrieren/", GOOD)
    assert response.status_code == 200
    assert "Bitte prüfen Sie Ihr E-Mail-Postfach" in response.content.decode()
    assert User.objects.count() == 1
    assert mail.outbox[0].subject == "Sie haben bereits ein Konto"


@pytest.mark.parametrize(
    "token", ["kaputt", "a" * 300, signing.dumps({"u": 1, "e": "x@example.org"}, salt="falsch")]
)
def test_forged_verification_link_is_rejected(client, token, caplog):
    user = make_user("x@example.org", verified=False)
    caplog.set_level(logging.WARNING)
    response = client.get(f"/registrieren/bestaetigen/{token}/")
    assert response.status_code == 400
    assert "ungültig" in response.content.decode()
    user.refresh_from_db()
    assert user.email_verified_at is None


def test_expired_verification_link_is_rejected(client, settings):
    user = make_user("spaet@example.org", verified=False)
    settings.EMAIL_VERIFICATION_DAYS = -1
    token = signing.dumps(
        {"u": user.pk, "e": user.email}, salt="amtsweg.accounts.verify-email", compress=True
    )
    response = client.get(f"/registrieren/bestaetigen/{token}/")
    assert response.status_code == 400
    assert "abgelaufen" in response.content.decode()


def test_verification_link_for_an_old_address_does_not_verify_the_new_one(client):
    user = make_user("alt@example.org", verified=False)
    token = signing.dumps(
        {"u": user.pk, "e": "alt@example.org"}, salt="amtsweg.accounts.verify-email", compress=True
    )
    user.email = "neu@example.org"
    user.save()
    assert client.get(f"/registrieren/bestaetigen/{token}/").status_code == 400


def test_wrong_password_is_rejected_with_a_german_message(client, caplog):
    make_user("erika@example.org")
    caplog.set_level(logging.WARNING)
    response = client.post("/anmelden/", {"username": "erika@example.org", "password": "falsch-falsch"})
    assert response.status_code == 400
    assert "E-Mail-Adresse oder Passwort ist falsch." in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert any(r.name == "amtsweg.accounts.security" for r in caplog.records)


def test_password_login_cannot_satisfy_a_higher_level(client):
    make_user("erika@example.org")
    response = client.post("/anmelden/?stufe=hoch", {"username": "erika@example.org", "password": PASSWORD})
    assert response.status_code == 400
    assert "nur das Vertrauensniveau „niedrig“" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_staff_account_cannot_use_the_citizen_login(client):
    staff, _device, _m = make_staff(make_authority())
    response = client.post("/anmelden/", {"username": staff.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "Anmeldung für die Verwaltung" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_brute_force_locks_the_account_for_this_address(client, settings):
    make_user("ziel@example.org")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/anmelden/", {"username": "ziel@example.org", "password": "geraten-123"})
    locked = client.post("/anmelden/", {"username": "ziel@example.org", "password": PASSWORD})
    assert locked.status_code == 429
    assert "Anmeldung vorübergehend gesperrt" in locked.content.decode()
    assert "15 Minuten" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # Another account from the same address is not affected (user name + address are locked together).
    make_user("andere@example.org")
    assert (
        client.post("/anmelden/", {"username": "andere@example.org", "password": PASSWORD}).status_code == 302
    )


def test_spoofed_forwarded_for_header_does_not_escape_the_lock(client, settings):
    make_user("ziel@example.org")
    for n in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            "/anmelden/",
            {"username": "ziel@example.org", "password": "x" * 12},
            HTTP_X_FORWARDED_FOR=f"10.0.0.{n}",
        )
    locked = client.post(
        "/anmelden/", {"username": "ziel@example.org", "password": PASSWORD}, HTTP_X_FORWARDED_FOR="10.9.9.9"
    )
    assert locked.status_code == 429


def test_password_reset_sends_a_link_and_sets_a_new_password(client):
    user = make_user("vergessen@example.org")
    client.post("/passwort-vergessen/", {"email": "vergessen@example.org"})
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Neues Passwort für amtsweg"
    path = "/" + _link(mail.outbox[0]).split("/", 3)[3]
    form = client.get(path, follow=True)
    assert form.status_code == 200
    set_url = form.redirect_chain[-1][0]
    done = client.post(
        set_url, {"new_password1": "Neue-Passphrase-2026", "new_password2": "Neue-Passphrase-2026"}
    )
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Neue-Passphrase-2026")
    assert user.password.startswith("argon2$")


def test_password_reset_for_unknown_address_sends_nothing_but_says_the_same(client):
    response = client.post("/passwort-vergessen/", {"email": "niemand@example.org"}, follow=True)
    assert "Wenn es zu der Adresse ein Konto gibt" in response.content.decode()
    assert mail.outbox == []


def test_tampered_session_cookie_is_treated_as_logged_out(client):
    user = make_user("erika@example.org")
    client.post("/anmelden/", {"username": "erika@example.org", "password": PASSWORD})
    assert client.get("/konto/").status_code == 200
    client.cookies["sessionid"] = client.cookies["sessionid"].value[:-4] + "abcd"
    response = client.get("/konto/")
    assert response.status_code == 302
    assert response["Location"].startswith("/anmelden/?next=")
    assert User.objects.count() == 1
    assert User.objects.get() == user


def test_deleted_account_cannot_log_in(client):
    user = make_user("weg@example.org")
    from amtsweg.accounts.privacy import delete_account

    delete_account(user)
    response = client.post("/anmelden/", {"username": "weg@example.org", "password": PASSWORD})
    assert response.status_code == 400
