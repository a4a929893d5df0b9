"""Pilot 2 in a real browser: a drilling firm (organisation account) notifies a 120 m geothermal probe near
Freiberg for a client; the LfULG, the Mittelsachsen water authority and the Oberbergamt each see it; the water
authority adds conditions as a sealed decision; later the firm submits the layer log, the LfULG closes the
case,
and the registry map shows the drilling. All people and firms are fictional.
"""

from __future__ import annotations

import datetime as dt
import importlib
import re
import sys
from pathlib import Path

import pytest
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
    small_pdf,
)

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture then skips (or fails with CI=true) and says why
    expect = None

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def run_worker(rounds: int = 4) -> None:
    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    from amtsweg.cases import outbox

    for _ in range(rounds):
        outbox.sweep(older_than_seconds=-3600)
        DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
        call_command(
            "db_worker", "--batch", "--no-reload", "--no-startup-delay", "--queue-name", "*", verbosity=0
        )


@pytest.fixture
def drilling_world(live_server, settings):
    from django.apps import apps

    from bohrung.bohrung_factories import make_bohrung_world

    settings.BASE_URL = live_server.url
    settings.TILE_URL = ""  # offline: only the shipped base layer
    from amtsweg.documents.defaults import ensure_default_templates

    # Transactional tests start without the data migrations' rows (an earlier one flushed them).
    ensure_default_templates()
    importlib.import_module("amtsweg.cases.migrations.0002_receipt_template").create(apps, None)
    return make_bohrung_world(make_world())


def use_session(page, client, live_server):
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def as_firm(page, bw, live_server):
    from amtsweg.accounts.acting import SESSION_KEY

    client = login_citizen(Client(), bw.firm_user, "substanziell")
    session = client.session
    session[SESSION_KEY] = {"organisation": bw.firm.pk}
    session.save()
    use_session(page, client, live_server)


def as_staff(page, staff, live_server):
    use_session(page, login_staff(Client(), *staff), live_server)


def next_step(page):
    # Let the inline field checks (htmx posts on change) finish before the step is posted.
    page.wait_for_load_state("networkidle")
    page.get_by_role("button", name="Weiter", exact=True).click()


def test_drilling_firm_notifies_a_deep_probe_near_freiberg(
    page, drilling_world, live_server, assert_accessible, browser_errors, tmp_path
):
    from amtsweg.cases.models import Case
    from amtsweg.documents.models import Document

    browser_errors.allow("422 (Unprocessable Content)")  # form pages answer 422 when they show errors
    bw, world = drilling_world, drilling_world.base
    today = timezone.localdate()

    # --- the drilling firm fills in the notification --------------------------------------------------------
    as_firm(page, bw, live_server)
    page.goto("/antrag/bohranzeige/")
    page.get_by_role("button", name="Antrag beginnen").click()
    page.get_by_label("Anzeigende Person oder Firma").fill("Tiefbohr Testfirma GmbH (Demo)")
    page.get_by_label("Anschrift der Anzeigenden").fill("Bohrweg 1, 09599 Freiberg")
    page.get_by_label("E-Mail für Rückfragen").fill("info@tiefbohr.example")
    page.get_by_label("Auftraggeberin oder Auftraggeber", exact=True).fill("Erika Musterfrau (Demo)")
    page.get_by_label("Anschrift der Auftraggeberin oder des Auftraggebers").fill(
        "Burgstraße 1, 09599 Freiberg"
    )
    page.get_by_label("Bohrunternehmen", exact=True).fill("Tiefbohr Testfirma GmbH (Demo)")
    page.get_by_label("Ansprechperson und Telefon des Bohrunternehmens").fill(
        "Bert Bohrmeister, 03731 000000"
    )
    next_step(page)
    page.get_by_label("Bezeichnung der Bohrung(en)").fill("EWS 1")
    page.get_by_label("Anzahl der Bohrungen").fill("1")
    page.get_by_label("Zweck", exact=True).select_option(label="Erdwärmesonde")
    page.get_by_role("group", name="Bohrverfahren").get_by_label("Imlochhammer (Druckluft)").check()
    page.get_by_label("Geplanter Beginn").fill((today + dt.timedelta(days=45)).isoformat())
    page.get_by_label("Geplantes Ende").fill((today + dt.timedelta(days=47)).isoformat())
    next_step(page)

    # The location step: a click on the offline map sets WGS 84 coordinates in Saxony ...
    picker = page.locator("[data-bohrung-pick]")
    expect(picker).to_be_visible()
    expect(
        page.locator(".aw-bohrung-map path.leaflet-interactive, .aw-bohrung-map svg path").first
    ).to_be_attached()
    assert_accessible(page)
    picker.locator("[data-map]").click()
    expect(
        page.get_by_role("group", name="Koordinatensystem").get_by_label(re.compile("^WGS 84"))
    ).to_be_checked()
    lat = float(page.get_by_label("Hochwert (Nord) oder geografische Breite").input_value())
    lon = float(page.get_by_label("Rechtswert (Ost) oder geografische Länge").input_value())
    assert 50.1 < lat < 51.7
    assert 11.8 < lon < 15.1
    expect(picker.locator("[data-announce]")).to_contain_text("Bohrpunkt gesetzt")
    # ... and the firm then types the exact point from its site plan (Freiberg, Obermarkt) in UTM.
    page.get_by_role("group", name="Koordinatensystem").get_by_label(re.compile("UTM Zone 33N")).check()
    page.get_by_label("Rechtswert (Ost) oder geografische Länge").fill("383498")
    page.get_by_label("Hochwert (Nord) oder geografische Breite").fill("5641336")
    page.get_by_label("Ansatzhöhe (m über NHN)").fill("400")
    next_step(page)
    page.get_by_role("group", name="Bohrpfad").get_by_label("senkrecht").check()
    page.get_by_label("Geplante Endtiefe (m unter Ansatzpunkt)").fill("120")
    page.get_by_label("Erwartete Schichtenfolge").fill("0–2 m Lehm, darunter Gneis")
    next_step(page)
    page.get_by_role("group", name="Wird Grundwasser erwartet?").get_by_label("ja").check()
    page.get_by_role("group", name="Liegt der Bohrort in einem Wasserschutzgebiet?").get_by_label(
        "nein"
    ).check()
    page.get_by_label("Erdwärmesonde: Heizleistung der Wärmepumpe (kW)").fill("9")
    page.get_by_label("Erdwärmesonde: Wärmeträgerflüssigkeit").fill("Wasser-Glykol")
    next_step(page)
    plan = tmp_path / "lageplan.pdf"
    plan.write_bytes(small_pdf("Lageplan (Demo)"))
    page.get_by_label("Lageplan", exact=True).set_input_files(str(plan))
    page.get_by_role("button", name="Weiter zur Übersicht").click()
    main = page.locator("main")
    expect(main).to_contain_text("Freiberg, Mittelsachsen")
    expect(main).to_contain_text("Hohlraumgebiet")
    assert_accessible(page)
    page.get_by_label("Ich habe meine Angaben geprüft. Sie sind vollständig und richtig.").check()
    page.get_by_role("button", name="Antrag verbindlich absenden").click()
    expect(page).to_have_url(re.compile(r"/meine-antraege/[0-9a-f-]{36}/$"))
    case = Case.objects.get(procedure_key="bohranzeige")
    assert case.organisation == bw.firm
    run_worker()

    # --- LfULG, the Mittelsachsen water authority and the Oberbergamt each see it --------------------------
    for staff, label in (
        (world.lfulg_staff, "Geologie"),
        (world.lra_staff, "Wasserrecht"),
        (world.oba_staff, "Bergbau"),
    ):
        as_staff(page, staff, live_server)
        page.goto("/verwaltung/bohrung/")
        row = page.locator("tr", has_text=label)
        expect(row).to_contain_text("Freiberg")
        expect(row).to_contain_text("120")
    assert_accessible(page)

    # --- the water authority adds conditions as a sealed decision ------------------------------------------
    as_staff(page, world.lra_staff, live_server)
    page.goto(f"/verwaltung/bohrung/vorgang/{case.public_id}/")
    page.get_by_role("button", name="Anzeige öffnen").click()
    expect(page.get_by_test_id("angaben")).to_contain_text("Erika Musterfrau (Demo)")
    page.get_by_role("group", name="Entscheidung").get_by_label("Auflagen").check()
    page.get_by_label("Auflagen oder Begründung").fill("Sperrrohr bis 10 m; Verfüllung von unten nach oben.")
    assert_accessible(page)
    page.get_by_role("button", name="Bescheid erlassen und gesiegelt zustellen").click()
    expect(main).to_contain_text("Der Bescheid ist erlassen")
    run_worker()
    decision = case.decisions.get()
    assert decision.part.authority == world.landratsamt
    assert decision.document_id is not None, decision.issue_error
    assert Document.objects.get(pk=decision.document_id).sha256

    # --- LfULG checks the notification and waits for the results -------------------------------------------
    as_staff(page, world.lfulg_staff, live_server)
    page.goto(f"/verwaltung/bohrung/vorgang/{case.public_id}/")
    page.get_by_role("button", name="Anzeige geprüft – Ergebnisse abwarten").click()
    expect(page.get_by_test_id("status")).to_have_text("Nachreichung erwartet")

    # --- the firm sees the status per authority and later submits the layer log ----------------------------
    as_firm(page, bw, live_server)
    page.goto(f"/meine-antraege/{case.public_id}/")
    page.get_by_role("link", name="Stand bei jeder beteiligten Behörde und Ergebnisse der Bohrung").click()
    status = page.get_by_test_id("status-je-behoerde")
    expect(status).to_contain_text("Keine Einwände unter Auflagen")
    expect(status).to_contain_text("Oberbergamt")
    assert_accessible(page)
    page.get_by_role("link", name="Ergebnisse einreichen").click()
    page.get_by_label("Erreichte Endtiefe (m)").fill("120")
    page.get_by_label("Schicht 1: Tiefe von").fill("0")
    page.get_by_label("Schicht 1: Tiefe bis").fill("2,5")
    page.get_by_label("Schicht 1: Beschreibung").fill("Lehm, braun")
    page.get_by_label("Schicht 2: Tiefe von").fill("2,5")
    page.get_by_label("Schicht 2: Tiefe bis").fill("120")
    page.get_by_label("Schicht 2: Beschreibung").fill("Gneis, grau, geklüftet")
    page.get_by_label("Schicht 2: Grundwasser angetroffen").check()
    page.get_by_label("Ausbau und Verfüllung").fill("Doppel-U-Sonde, verfüllt 0–120 m (Demo).")
    assert_accessible(page)
    page.get_by_role("button", name="Ergebnisse verbindlich einreichen").click()
    expect(main).to_contain_text("Ihre Ergebnisse sind eingegangen")
    run_worker()

    # --- LfULG reads the layer log and closes its part ------------------------------------------------------
    as_staff(page, world.lfulg_staff, live_server)
    page.goto(f"/verwaltung/bohrung/vorgang/{case.public_id}/")
    page.get_by_role("button", name="Anzeige öffnen").click()
    expect(page.get_by_test_id("schichtenverzeichnis")).to_contain_text("Gneis, grau, geklüftet")
    page.get_by_role("button", name="Vorgang abschließen").click()
    expect(page.get_by_test_id("status")).to_have_text("abgeschlossen")

    # --- the registry map shows the drilling ----------------------------------------------------------------
    page.goto("/verwaltung/bohrung/register/")
    registry = page.locator("[data-bohrung-registry]")
    expect(registry).to_have_attribute("data-count", "1")
    expect(registry.locator("path.leaflet-interactive")).to_have_count(1)
    expect(page.get_by_test_id("register")).to_contain_text(case.number)
    assert_accessible(page)
    registry.locator("path.leaflet-interactive").click()
    expect(page.locator(".leaflet-popup")).to_contain_text(case.number)
