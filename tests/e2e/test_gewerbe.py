"""Pilot 1 in a real browser: a fictional sole trader registers a hairdresser's salon, pays in the sandbox,
the case
worker issues the receipt, the trader finds the sealed receipt in the postbox, and the stand-in recipients
hold
correctly filtered XGewerbeanzeige messages; then the same for the Abmeldung.

Everything runs over real HTTP against the live server: the payment sandbox, and the delivery of the messages
from
the outbox to the SANDBOX receiving inbox. Queued work is run with the real database worker between the steps.
"""

from __future__ import annotations

import datetime as dt
import importlib
import re
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

TESTS = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(TESTS / "procedures"))
sys.path.insert(0, str(TESTS))

from engine_fixtures import (  # noqa: E402, F401 (fixtures)
    engine_settings,
    key_pool,
    login_citizen,
    login_staff,
    make_world,
    shared_key_dir,
    shared_pki_dir,
)

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture then skips (or fails with CI=true) and says why
    expect = None

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def run_worker(rounds: int = 4) -> None:
    from django_tasks_db.models import DBTaskResult

    from amtsweg.cases import outbox
    from amtsweg.exchange import services as exchange

    for _ in range(rounds):
        outbox.sweep(older_than_seconds=-3600)
        exchange.sweep(older_than_seconds=-3600)
        DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
        call_command(
            "db_worker", "--batch", "--no-reload", "--no-startup-delay", "--queue-name", "*", verbosity=0
        )


@pytest.fixture
def trade_office(live_server, settings, tmp_path_factory):
    from django.apps import apps

    from amtsweg.exchange import crypto as exchange_crypto
    from amtsweg.exchange import transport
    from amtsweg.payments import http as payment_http
    from amtsweg.procedures.gewerbe.receipt import ensure_receipt_templates
    from gewerbe.gewerbe_factories import make_gewerbe_world

    settings.BASE_URL = live_server.url
    settings.PAYMENTS_CALLBACK_BASE_URL = ""
    settings.PAYMENTS_SANDBOX_URL = ""
    settings.PAYMENTS_SANDBOX_ENABLED = True
    settings.PAYMENTS_SANDBOX_CHAOS = ""
    settings.EXCHANGE_KEY_DIR = tmp_path_factory.mktemp("exchange-keys")
    settings.EXCHANGE_AUTO_KEYS = True
    settings.EXCHANGE_SANDBOX_ENABLED = True
    payment_http.set_transport(None)
    transport.set_transport(None)  # the outbox posts to the live server's SANDBOX inbox
    exchange_crypto.clear_cache()
    # The database is flushed between browser tests: put back what migrations install.
    ensure_receipt_templates()
    importlib.import_module("amtsweg.cases.migrations.0002_receipt_template").create(apps, None)
    world = make_gewerbe_world(make_world())
    yield world
    exchange_crypto.clear_cache()


def use_session(page, client, live_server):
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def as_citizen(page, world, live_server):
    use_session(page, login_citizen(Client(), world.citizen, "substanziell"), live_server)


def as_case_worker(page, world, live_server):
    use_session(page, login_staff(Client(), world.staff, world.staff_device), live_server)


def pay_in_sandbox(page):
    page.get_by_role("link", name="Jetzt bezahlen").click()
    page.get_by_label("Testzahlung (SANDBOX)").check()
    page.get_by_role("button", name="Weiter zur Zahlung").click()
    expect(page).to_have_url(re.compile(r"/sandbox/zahlung/[0-9a-f-]{36}/$"))
    page.get_by_label("Kartennummer").fill("4242 4242 4242 4242")
    page.get_by_label("Gültig bis (MM/JJ)").fill("12/39")
    page.get_by_label("Prüfnummer (CVC)").fill("123")
    page.get_by_label("Name auf der Karte").fill("Wilma Kammkraus")
    page.get_by_role("button", name=re.compile(r"mit Karte bezahlen")).click()
    expect(page.get_by_role("status").filter(has_text="bezahlt")).to_be_visible()


def submit_reviewed(page):
    page.get_by_label("Ich habe meine Angaben geprüft. Sie sind vollständig und richtig.").check()
    page.get_by_role("button", name="Antrag verbindlich absenden").click()
    expect(page).to_have_url(re.compile(r"/meine-antraege/[0-9a-f-]{36}/$"))


def issue_receipt_in_back_office(page, case):
    page.goto("/verwaltung/gewerbe/")
    page.get_by_role("link", name=case.number).click()
    page.get_by_role("button", name="Anzeige öffnen und prüfen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Prüfung")
    boxes = page.locator("input[name=geprueft]")
    for i in range(boxes.count()):
        boxes.nth(i).check()
    page.get_by_role("button", name="Empfangsbescheinigung ausstellen und weitergeben").click()
    expect(page.locator("main")).to_contain_text("Empfangsbescheinigung ist ausgestellt")


def test_hairdresser_registers_and_deregisters_end_to_end(
    page, trade_office, live_server, assert_accessible, browser_errors
):
    from amtsweg.cases.models import Case
    from amtsweg.documents.services import validate_document
    from amtsweg.exchange.models import OutgoingMessage, SandboxMessage
    from amtsweg.postbox.models import Delivery
    from amtsweg.procedures.gewerbe.models import Gewerbebetrieb

    browser_errors.allow("422 (Unprocessable Content)")  # the step page answers 422 when it shows errors
    world = trade_office
    start = (timezone.localdate() + dt.timedelta(days=10)).isoformat()

    # --- the trader fills in GewA 1 -------------------------------------------------------------------------
    as_citizen(page, world, live_server)
    page.goto("/antrag/gewerbe-anmeldung/")
    page.get_by_role("button", name="Antrag beginnen").click()
    page.get_by_label("Rechtsform", exact=True).select_option(
        label="Einzelunternehmen (nicht im Handelsregister eingetragen)"
    )
    page.get_by_label("Registerart", exact=True).select_option(label="nicht eingetragen")
    page.get_by_role("button", name="Weiter", exact=True).click()
    page.get_by_role("group", name="Sie zeigen an als").get_by_label("Inhaberin / Inhaber").check()
    page.get_by_label("Familienname", exact=True).fill("Kammkraus")
    page.get_by_label("Vornamen", exact=True).fill("Wilma")
    page.get_by_role("group", name="Geschlecht").get_by_label("weiblich").check()
    page.get_by_label("Geburtsort", exact=True).fill("Freiberg")
    page.get_by_label("Geburtsland", exact=True).fill("Deutschland")
    page.get_by_label("Staatsangehörigkeit", exact=True).select_option(label="deutsch")
    page.get_by_role("button", name="Weiter", exact=True).click()
    page.get_by_role("button", name="Weiter", exact=True).click()  # no partners: a sole trader
    page.get_by_label("Geschäftsbezeichnung (Name des Betriebs)").fill("Salon Lockenpracht")
    page.get_by_label("Betriebsstätte: Straße und Hausnummer").fill("Kammgasse 12")
    page.get_by_label("Betriebsstätte: Postleitzahl").fill("09599")
    page.get_by_label("Betriebsstätte: Ort").fill("Freiberg")
    page.get_by_role("group", name="Die Anzeige wird erstattet für").get_by_label(
        "Hauptniederlassung"
    ).check()
    page.get_by_role("button", name="Weiter", exact=True).click()
    page.get_by_label("Schwerpunkt der Tätigkeit (Vorschlag)").select_option(label="Friseursalon (WZ 96021)")
    page.get_by_label("Tätigkeit (genaue Beschreibung)").fill("alles")
    page.get_by_role("group", name="Art des Betriebs").get_by_label("Handwerk").check()
    page.get_by_role("group", name=re.compile("Nebenerwerb")).get_by_label("nein").check()
    page.get_by_label("Beginn der angemeldeten Tätigkeit").fill(start)
    page.get_by_label(re.compile("Vollzeit$")).fill("1")
    page.get_by_label(re.compile("Teilzeit$")).fill("2")
    page.get_by_role("button", name="Weiter", exact=True).click()
    expect(page.locator("main")).to_contain_text(
        "Bitte beschreiben Sie die Tätigkeit genau"
    )  # "alles" is refused
    page.get_by_label("Tätigkeit (genaue Beschreibung)").fill("Friseursalon für Damen und Herren")
    page.get_by_role("button", name="Weiter", exact=True).click()
    page.get_by_label("Grund der Anmeldung", exact=True).select_option(label="Neugründung")
    page.get_by_role("button", name="Weiter", exact=True).click()
    page.get_by_role("group", name="Erlaubnis für die Tätigkeit").get_by_label("nicht erforderlich").check()
    page.get_by_role("group", name=re.compile("^Handwerkskarte")).get_by_label("liegt vor").check()
    page.get_by_label("Handwerkskarte ausgestellt am").fill("2024-05-02")
    page.get_by_label("Handwerkskarte ausgestellt von (Handwerkskammer)").fill("Handwerkskammer Chemnitz")
    page.get_by_role("group", name="Aufenthaltstitel").get_by_label("nicht erforderlich").check()
    page.get_by_role("button", name="Weiter", exact=True).click()
    page.get_by_label("Ich versichere, dass meine Angaben richtig und vollständig sind.").check()
    page.get_by_role("button", name="Weiter zur Übersicht").click()
    expect(page.locator("main")).to_contain_text("30,00 €")
    assert_accessible(page)
    submit_reviewed(page)
    case = Case.objects.get(procedure_key="gewerbe-anmeldung")
    assert case.state == "payment_pending"
    pay_in_sandbox(page)
    run_worker()
    case.refresh_from_db()
    assert case.state == "in_review"

    # --- the case worker checks and issues the receipt ------------------------------------------------------
    as_case_worker(page, world, live_server)
    page.goto("/verwaltung/gewerbe/")
    expect(page.locator("main")).to_contain_text(case.number)
    assert_accessible(page)
    issue_receipt_in_back_office(page, case)
    run_worker()
    page.goto(f"/verwaltung/gewerbe/vorgang/{case.public_id}/")
    expect(page.get_by_test_id("weitergabe")).to_contain_text("Handwerkskammer Chemnitz")
    expect(page.get_by_test_id("weitergabe")).to_contain_text("zugestellt")
    assert_accessible(page)
    log = OutgoingMessage.objects.filter(reference=case.reference)
    assert log.count() >= 6
    assert all(m.status == "delivered" for m in log)

    # --- the stand-in recipients hold filtered messages -----------------------------------------------------
    page.goto("/sandbox/empfang/")
    expect(page.locator("main")).to_contain_text("SANDBOX")
    page.get_by_role("link", name="Handwerkskammer Chemnitz").click()
    page.get_by_role("link", name=re.compile(r"Uhr$")).first.click()
    paths = page.get_by_test_id("pfade")
    expect(paths).to_contain_text("anmeldung/gewerbe/handwerkskarte")
    expect(paths).to_contain_text("anmeldung/gewerbe/beteiligtePerson/geburtsdatum")
    expect(paths).not_to_contain_text("aufenthaltstitel")
    assert_accessible(page)
    zoll = SandboxMessage.objects.get(recipient__key="zoll-dresden")
    assert "Kammkraus" in zoll.content
    assert "beteiligtePerson/anschrift" not in str(zoll.content)
    assert "<xga:anschrift>\n              <xga:strasse>Am" not in zoll.content
    assert not SandboxMessage.objects.filter(recipient__key="ihk-chemnitz").exists()  # a craft business

    # --- the trader finds the sealed receipt in the postbox -------------------------------------------------
    as_citizen(page, world, live_server)
    page.goto("/postfach/")
    page.get_by_role("link", name=f"Bescheid zu Ihrem Antrag {case.number}").click()
    expect(page.locator("main")).to_contain_text("Empfangsbescheinigung über Ihre Gewerbeanmeldung")
    assert_accessible(page)
    delivery = Delivery.objects.get(reference=case.reference, document__doc_type="empfangsbescheinigung")
    with page.expect_download() as download:
        page.get_by_role("link", name="Herunterladen").click()
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF")
    check = validate_document(pdf)
    assert check.genuine
    assert check.intact
    assert check.unchanged
    assert delivery.document.sha256

    # --- the same for the Abmeldung -------------------------------------------------------------------------
    betrieb = Gewerbebetrieb.objects.get()
    page.goto("/gewerbe/")
    expect(page.locator("main")).to_contain_text(betrieb.number)
    assert_accessible(page)
    page.get_by_role("button", name="Gewerbe abmelden").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Überprüfen und absenden")
    page.locator("main .aw-case-summary a[href$='/schritt/4/']").click()  # "Ändern" at the section Tätigkeit
    page.get_by_label("Datum der Betriebsaufgabe").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Weiter", exact=True).click()
    page.get_by_label("Grund der Abmeldung", exact=True).select_option(label="Vollständige Aufgabe")
    page.get_by_role("button", name="Weiter", exact=True).click()
    page.get_by_label("Ich versichere, dass meine Angaben richtig und vollständig sind.").check()
    page.get_by_role("button", name="Weiter zur Übersicht").click()
    submit_reviewed(page)
    closing = Case.objects.get(procedure_key="gewerbe-abmeldung")
    pay_in_sandbox(page)
    run_worker()
    as_case_worker(page, world, live_server)
    issue_receipt_in_back_office(page, closing)
    run_worker()
    betrieb.refresh_from_db()
    assert betrieb.status == "closed"
    hwk = list(SandboxMessage.objects.filter(recipient__key="hwk-chemnitz").order_by("received_at"))
    assert len(hwk) == 2
    assert "<xga:abmeldung>" in hwk[1].content
    assert "ursacheAbmeldungSchluessel" not in hwk[1].content
    as_citizen(page, world, live_server)
    page.goto("/postfach/")
    page.get_by_role("link", name=f"Bescheid zu Ihrem Antrag {closing.number}").click()
    expect(page.locator("main")).to_contain_text("Empfangsbescheinigung über Ihre Gewerbeabmeldung")
