"""Login in a real browser: a citizen through the sandbox eID at level "hoch" (profile, level, data export),
and a case worker who cannot get in without the second factor and gets in with it."""

from __future__ import annotations

import json
import re

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture then skips (or, with CI=true, fails) and says why
    expect = None

from accounts.factories import PASSWORD, make_authority, make_staff, totp_code

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_citizen_logs_in_with_the_sandbox_eid_at_level_hoch(page, assert_accessible, browser_errors):
    page.goto("/anmelden/")
    assert_accessible(page)
    page.get_by_role("button", name=re.compile("Weiter mit Sandbox-eID")).click()

    # The sandbox provider's page (real OIDC redirect) is marked as a sandbox.
    expect(page).to_have_url(re.compile(r"/sandbox/eid/authorize\?"))
    expect(page.get_by_text("SANDBOX – kein echter Ausweis.")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Erika Beispiel-Musterfrau, 09456 Annaberg-Buchholz").check()
    page.get_by_label(re.compile(r"^hoch")).check()
    page.get_by_role("button", name="Anmelden (Sandbox)").click()

    # Back on the platform: the profile with name and trust level.
    expect(page).to_have_url(re.compile(r"/konto/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Mein Konto")
    expect(page.get_by_test_id("profile-name")).to_have_text("Erika Beispiel-Musterfrau")
    expect(page.get_by_test_id("profile-trust-level")).to_have_text("hoch")
    if page.locator("#aw-identity").count():  # the header block, once base.html includes it
        expect(page.locator("#aw-identity").get_by_test_id("trust-level")).to_contain_text("hoch")
    assert_accessible(page)

    # Export of all personal data: the readable page and the JSON file.
    page.get_by_role("link", name="Meine Daten").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Art. 15 DSGVO")
    expect(page.locator("main")).to_contain_text("Beispiel-Musterfrau")
    assert_accessible(page)
    with page.expect_download() as download_info:
        page.get_by_test_id("export-json").click()
    download = download_info.value
    assert download.suggested_filename.startswith("amtsweg-meine-daten-")
    data = json.loads(open(download.path(), encoding="utf-8").read())  # noqa: SIM115
    account = next(s for s in data["abschnitte"] if s["schluessel"] == "konto")["daten"]
    assert account["Familienname"] == "Beispiel-Musterfrau"
    assert account["Anmeldewege"][0]["Vertrauensniveau"] == "hoch"


def test_case_worker_needs_the_second_factor(page, assert_accessible, browser_errors):
    browser_errors.allow("status of 400 (Bad Request)")  # the wrong code is answered with 400 on purpose
    authority = make_authority("Stadtverwaltung Annaberg-Buchholz (Test)")
    _user, device, _m = make_staff(authority, ("case_worker",), username="sb-browser")

    page.goto("/verwaltung/")
    expect(page).to_have_url(re.compile(r"/verwaltung/anmelden/\?next="))
    assert_accessible(page)
    page.get_by_label("Benutzername").fill("sb-browser")
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Weiter").click()
    expect(page).to_have_url(re.compile(r"/verwaltung/anmelden/code/$"))
    assert_accessible(page)

    # Password alone: the staff area stays closed.
    page.goto("/verwaltung/")
    expect(page).to_have_url(re.compile(r"/verwaltung/anmelden/\?next="))
    page.goto("/verwaltung/anmelden/code/")
    page.get_by_label(re.compile("Code aus der Authenticator-App")).fill("000000")
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_text("Der Code ist falsch oder abgelaufen.")).to_be_visible()
    page.wait_for_timeout(1100)  # django-otp makes the next try wait a second after a wrong code

    # With the TOTP code computed like an authenticator app would.
    page.get_by_label(re.compile("Code aus der Authenticator-App")).fill(totp_code(device))
    page.get_by_role("button", name="Anmelden").click()
    expect(page).to_have_url(re.compile(r"/verwaltung/$"))
    expect(page.get_by_test_id("staff-authorities")).to_contain_text(
        "Stadtverwaltung Annaberg-Buchholz (Test)"
    )
    expect(page.get_by_test_id("staff-authorities")).to_contain_text("Sachbearbeitung")
    assert_accessible(page)
