"""i-Kfz in a real browser (issue 11, "Done when"):

1. a fictional citizen deregisters a demo car with its codes, pays 2,10 € in the SANDBOX, sees the decision at
   once and finds the sealed decision in the postbox;
2. a change of holder with a failed insurance check lands with a case worker;
3. the sample-review list works.
Every page passes axe-core (no serious or critical violations).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "procedures"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine_fixtures import drain, login_citizen, login_staff
from engine_fixtures import engine_settings as engine_settings
from engine_fixtures import key_pool as key_pool
from engine_fixtures import shared_key_dir as shared_key_dir
from engine_fixtures import shared_pki_dir as shared_pki_dir

from kfz.factories import ikfz as ikfz
from kfz.factories import kfz_settings as kfz_settings

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture then skips (or fails with CI=true)
    expect = None

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(ikfz, live_server, settings):
    """The seeded SANDBOX register, the payment sandbox talking real HTTP to the live server."""
    from amtsweg.payments import http as payment_http
    from amtsweg.vehicle_register.seed import seed

    payment_http.set_transport(None)
    settings.BASE_URL = live_server.url
    settings.PAYMENTS_CALLBACK_BASE_URL = ""
    settings.PAYMENTS_SANDBOX_URL = ""
    settings.PAYMENTS_SANDBOX_ENABLED = True
    settings.PAYMENTS_SANDBOX_CHAOS = ""
    seed()
    return ikfz


def _browser_login(page, live_server, client):
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def _demo_codes(plate):
    from amtsweg.vehicle_register.models import Vehicle
    from amtsweg.vehicle_register.views import current_codes

    return current_codes(Vehicle.objects.get(plate=plate))


def _run_worker():
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
    drain()
    call_command(
        "db_worker", "--batch", "--no-reload", "--no-startup-delay", "--queue-name", "*", verbosity=0
    )


def _pay_by_card(page, amount):
    page.get_by_label("Testzahlung (SANDBOX)").check()
    page.get_by_role("button", name="Weiter zur Zahlung").click()
    expect(page).to_have_url(re.compile(r"/sandbox/zahlung/[0-9a-f-]{36}/$"))
    expect(page.locator("main")).to_contain_text("SANDBOX")
    page.get_by_label("Kartennummer").fill("4242 4242 4242 4242")
    page.get_by_label("Gültig bis (MM/JJ)").fill("12/39")
    page.get_by_label("Prüfnummer (CVC)").fill("123")
    page.get_by_label("Name auf der Karte").fill("Erika Beispiel-Musterfrau")
    page.get_by_role("button", name=f"{amount} mit Karte bezahlen").click()
    expect(page.get_by_role("status").filter(has_text="bezahlt")).to_be_visible()
    page.get_by_role("link", name="Weiter").click()


def test_deregister_demo_car_pay_and_find_the_sealed_decision(
    page, demo, live_server, assert_accessible, browser_errors, settings
):
    from amtsweg.cases.models import Case
    from amtsweg.vehicle_register.models import RegisterOperation

    settings.KFZ_SAMPLE_REVIEW_SHARE = 1.0  # so that the sample-review list has this decision (step 3)
    browser_errors.allow("422")  # the wrong code answers 422 Unprocessable Content (logged by Chromium)
    client = login_citizen(Client(), demo.erika, "niedrig")
    _browser_login(page, live_server, client)
    codes = _demo_codes("ERZ-EB 101")

    # The catalogue's start URL opens the i-Kfz dialogue.
    page.goto("/antrag/kfz-ausserbetriebsetzung/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Fahrzeug außer Betrieb setzen (online)")
    expect(page.get_by_text("Bevor Sie die Codes freilegen")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Antrag beginnen").click()

    # Step 1: a typo in a seal code is counted and named, then the right codes.
    expect(page.get_by_text("Schritt 1 von 3")).to_be_visible()
    page.get_by_label("Kennzeichen").fill("erz-eb 101")
    page.get_by_label("Sicherheitscode der Zulassungsbescheinigung Teil I", exact=True).fill(codes["zb1"])
    page.get_by_label("Code der Stempelplakette vorn").fill(codes["seal_front"])
    page.get_by_label("Code der Stempelplakette hinten").fill("AAA" if codes["seal_rear"] != "AAA" else "BBB")
    page.get_by_role("button", name="Codes prüfen").click()
    expect(page.get_by_role("alert").first).to_contain_text("Sie haben noch 3 Korrekturversuche")
    assert_accessible(page)
    page.get_by_label("Kennzeichen").fill("ERZ-EB 101")
    page.get_by_label("Sicherheitscode der Zulassungsbescheinigung Teil I", exact=True).fill(codes["zb1"])
    page.get_by_label("Code der Stempelplakette vorn").fill(codes["seal_front"])
    page.get_by_label("Code der Stempelplakette hinten").fill(codes["seal_rear"])
    page.get_by_role("button", name="Codes prüfen").click()

    # Step 2: no plate reservation.
    expect(page.get_by_text("Schritt 2 von 3")).to_be_visible()
    expect(page.get_by_text("Die Sicherheitscodes stimmen")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Weiter zur Prüfung").click()

    # Step 3: checks and fee, confirm, pay 2,10 € in the sandbox.
    expect(page.get_by_text("Sofortige Entscheidung möglich")).to_be_visible()
    expect(page.locator("#gebuehr-summe")).to_have_text("2,10 €")
    assert_accessible(page)
    page.get_by_label(re.compile("Ich habe meine Angaben geprüft")).check()
    page.get_by_role("button", name="Gebührenpflichtig beantragen und 2,10 € bezahlen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gebühr bezahlen")
    _pay_by_card(page, "2,10 €")

    # Back from the payment: submitted at once (the page presses "übermitteln" itself), decision on screen.
    expect(page.get_by_role("heading", level=1)).to_have_text("Ihr Antrag ist entschieden", timeout=15_000)
    expect(page.get_by_text("Ihr Fahrzeug ist außer Betrieb gesetzt")).to_be_visible()
    assert_accessible(page)
    case = Case.objects.get(applicant=demo.erika, procedure_key="kfz-ausserbetriebsetzung")
    assert case.decided_automatically
    assert case.outcome == "granted"
    vehicle = RegisterOperation.objects.get(kind="deregister").vehicle
    assert vehicle.status == "deregistered"
    assert vehicle.plate == ""
    assert vehicle.holder_family_name == "Beispiel-Musterfrau"

    # The worker seals the decision; the result page picks it up by itself (htmx polling).
    _run_worker()
    expect(
        page.get_by_role("link", name=re.compile(r"Außerbetriebsetzung des Fahrzeugs ERZ-EB 101 \(PDF\)"))
    ).to_be_visible(timeout=15_000)

    # ... and it is in the postbox.
    page.goto("/postfach/")
    expect(page.get_by_text("Bescheid zu Ihrem Antrag", exact=False).first).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("Bescheid zu Ihrem Antrag")).first.click()
    expect(page.locator("main")).to_contain_text("Außerbetriebsetzung des Fahrzeugs ERZ-EB 101")
    assert_accessible(page)

    # 3. The sample-review list shows the automatic decision; the case worker confirms it.
    user, device = demo.staff
    staff_client = login_staff(Client(), user, device)
    page.context.clear_cookies()
    _browser_login(page, live_server, staff_client)
    page.goto("/verwaltung/kfz/stichprobe/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Stichprobe automatischer Entscheidungen")
    assert_accessible(page)
    page.get_by_role("link", name=case.number).click()
    expect(page.locator("main")).to_contain_text("ikfz-checks/")
    assert_accessible(page)
    page.get_by_role("button", name=re.compile("Antragsdaten entschlüsseln")).click()
    expect(page.locator("main")).to_contain_text("ERZ-EB 101")
    page.get_by_label("Vermerk").fill("Stichprobe ohne Befund.")
    page.get_by_role("button", name="Entscheidung bestätigen").click()
    expect(page.get_by_text("Die Entscheidung ist als richtig bestätigt.")).to_be_visible()
    assert case.decisions.get().review_result == "confirmed"


def test_change_of_holder_with_expired_insurance_lands_with_a_case_worker(
    page, demo, live_server, assert_accessible, browser_errors
):
    from amtsweg.cases.models import Case

    client = login_citizen(Client(), demo.erika, "substanziell")
    _browser_login(page, live_server, client)
    codes = _demo_codes("ERZ-BV 55")

    page.goto("/antrag/kfz-umschreibung/")
    page.get_by_role("button", name="Antrag beginnen").click()
    page.get_by_label("Kennzeichen").fill("ERZ-BV 55")
    page.get_by_label("Sicherheitscode der Zulassungsbescheinigung Teil I", exact=True).fill(codes["zb1"])
    page.get_by_label("Sicherheitscode der Zulassungsbescheinigung Teil II", exact=True).fill(codes["zb2"])
    page.get_by_role("button", name="Codes prüfen").click()

    expect(page.get_by_text("Schritt 2 von 3")).to_be_visible()
    expect(page.get_by_label("Postleitzahl")).to_have_value("09456")  # prefilled from the profile
    page.get_by_label("bisheriges Kennzeichen behalten").check()
    page.get_by_label("eVB-Nummer (Versicherungsbestätigung)").fill("ALT0001")  # expired (see sandbox page)
    page.get_by_label("IBAN für die Kraftfahrzeugsteuer (SEPA-Lastschriftmandat)").fill(
        "DE89 3704 0044 0532 0130 00"
    )
    assert_accessible(page)
    page.get_by_role("button", name="Weiter zur Prüfung").click()

    expect(page.get_by_text("Die Versicherungsbestätigung (eVB) ist abgelaufen")).to_be_visible()
    expect(page.get_by_text("Prüfung durch die Zulassungsbehörde")).to_be_visible()
    expect(page.locator("#gebuehr-summe")).to_have_text("10,40 €")
    assert_accessible(page)
    page.get_by_label(re.compile("Ich habe meine Angaben geprüft")).check()
    page.get_by_role("button", name="Gebührenpflichtig beantragen und 10,40 € bezahlen").click()
    _pay_by_card(page, "10,40 €")

    expect(page.get_by_role("heading", level=1)).to_have_text("Ihr Antrag ist eingegangen", timeout=15_000)
    expect(page.get_by_text("Diese Punkte prüft die Behörde")).to_be_visible()
    assert_accessible(page)
    case = Case.objects.get(applicant=demo.erika, procedure_key="kfz-umschreibung")
    assert case.state == "in_review"
    assert not case.decided_automatically

    user, device = demo.staff
    staff_client = login_staff(Client(), user, device)
    page.context.clear_cookies()
    _browser_login(page, live_server, staff_client)
    page.goto("/verwaltung/kfz/")
    row = page.get_by_role("row").filter(has_text=case.number)
    expect(row).to_contain_text("Die Versicherungsbestätigung (eVB) ist abgelaufen")
    expect(row).to_contain_text("Fahrzeug umschreiben")
    assert_accessible(page)
