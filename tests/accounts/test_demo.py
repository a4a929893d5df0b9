"""Demo data of accounts: idempotent, prints the logins, demo staff can log in with the printed second
factor."""

from __future__ import annotations

import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from amtsweg.accounts import demo
from amtsweg.accounts.models import DataAccessRecord, ExternalIdentity, Mandate, StaffMembership, User

from .factories import totp_code

pytestmark = pytest.mark.django_db


def test_demo_loader_is_idempotent_and_prints_logins(settings):
    settings.DEMO = True
    lines = demo.load_accounts()
    counts = (
        User.objects.count(),
        StaffMembership.objects.count(),
        TOTPDevice.objects.count(),
        Mandate.objects.count(),
    )
    again = demo.load_accounts()
    assert counts == (
        User.objects.count(),
        StaffMembership.objects.count(),
        TOTPDevice.objects.count(),
        Mandate.objects.count(),
    )
    assert lines == again
    text = "\n".join(lines)
    assert "Erika Beispiel-Musterfrau" in text
    assert "Max Testmann" in text
    assert "Muster Bohr GmbH (Sandbox)" in text
    assert "Friseursalon Haarscharf Beispiel (Sandbox)" in text
    assert "dora.demo@example.org / amtsweg-demo" in text
    assert text.count("otpauth://totp/") == len(demo.DEMO_STAFF)
    assert "demo-2fa-code" in text
    names = set(StaffMembership.objects.values_list("authority__name", flat=True))
    assert any("Annaberg-Buchholz" in n for n in names)
    assert "Landratsamt Erzgebirgskreis" in names
    assert any("Landwirtschaft und Geologie" in n for n in names)
    assert DataAccessRecord.objects.filter(subject_user__username="demo-sandbox-erika").count() == 1


def test_demo_staff_log_in_with_password_and_totp(client, settings):
    settings.DEMO = True
    lines = demo.load_accounts()
    line = next(line for line in lines if "demo-lra-sb" in line)
    assert re.search(r"otpauth://totp/\S+secret=[A-Z2-7]+", line)
    device = TOTPDevice.objects.get(user__username="demo-lra-sb")
    client.post("/verwaltung/anmelden/", {"username": "demo-lra-sb", "password": demo.DEMO_PASSWORD})
    assert client.post("/verwaltung/anmelden/code/", {"code": totp_code(device)}).status_code == 302
    assert "Landratsamt Erzgebirgskreis" in client.get("/verwaltung/").content.decode()


def test_demo_citizens_exist_for_the_sandbox_identities(client, sandbox_live, settings):
    settings.DEMO = True
    demo.load_accounts()
    erika = User.objects.get(username="demo-sandbox-erika")
    assert ExternalIdentity.objects.get(user=erika).provider == "sandbox"
    from .test_oidc_sandbox import sandbox_login

    sandbox_login(client, identity="erika", level="hoch")
    assert client.session["_auth_user_id"] == str(erika.pk)
    assert "Prüfung einer Bohranzeige (Demo)" in client.get("/konto/transparenz/").content.decode()


def test_no_demo_logins_outside_demo_mode(settings):
    settings.DEMO = False
    settings.TESTING = False
    assert demo.load_accounts() == ["Konten: keine Demo-Zugänge angelegt (nur im Demo-Modus)."]
    assert User.objects.count() == 0
