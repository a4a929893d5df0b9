"""The back office in a real browser (issue #6, "done when"): a case worker logs in with the second factor,
finds the application in the worklist, asks a follow-up question, the citizen answers, the case worker
drafts the decision, a second person releases it (four eyes) and the citizen finds the sealed decision in the
postbox.
Every back-office page passes axe-core."""

from __future__ import annotations

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
sys.path.insert(0, str(TESTS / "backoffice"))
sys.path.insert(0, str(TESTS))

from backoffice_helpers import submitted  # noqa: E402
from engine_fixtures import engine_settings as engine_settings  # noqa: E402
from engine_fixtures import key_pool as key_pool  # noqa: E402
from engine_fixtures import login_citizen, login_staff, staff  # noqa: E402
from engine_fixtures import shared_key_dir as shared_key_dir  # noqa: E402
from engine_fixtures import shared_pki_dir as shared_pki_dir  # noqa: E402
from engine_fixtures import test_procedures as test_procedures  # noqa: E402
from engine_fixtures import world as world  # noqa: E402

from accounts.factories import PASSWORD, totp_code  # noqa: E402

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture then skips (or fails with CI=true) and says why
    expect = None

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def run_worker(rounds: int = 3) -> None:
    from django_tasks_db.models import DBTaskResult

    from amtsweg.cases import outbox

    for _ in range(rounds):
        outbox.sweep(older_than_seconds=-3600)
        DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
        call_command(
            "db_worker", "--batch", "--no-reload", "--no-startup-delay", "--queue-name", "*", verbosity=0
        )


def use_session(page, client, live_server):
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def test_case_worker_asks_drafts_and_an_approver_releases(
    page, world, live_server, settings, assert_accessible, browser_errors
):
    from django.apps import apps

    from amtsweg.backoffice.models import ProcedureSetting
    from amtsweg.cases.models import Decision
    from amtsweg.documents.defaults import ensure_default_templates

    settings.BASE_URL = live_server.url
    # The database is flushed between browser tests: put back what migrations install.
    ensure_default_templates()
    importlib.import_module("amtsweg.cases.migrations.0002_receipt_template").create(apps, None)
    ProcedureSetting.objects.create(authority=world.stadt, procedure_key="test-gewerbe", second_approval=True)
    worker, device = world.stadt_staff
    worker.set_password(PASSWORD)
    worker.save()
    approver, approver_device = staff(world.stadt, ("approver",))
    case = submitted(world)
    run_worker()

    # --- the case worker logs in with password and TOTP code ---------------------------------------------
    page.goto("/verwaltung/vorgaenge/")
    expect(page).to_have_url(re.compile(r"/verwaltung/anmelden/\?next="))
    page.get_by_label("Benutzername").fill(worker.username)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Weiter").click()
    page.get_by_label(re.compile("Code aus der Authenticator-App")).fill(totp_code(device))
    page.get_by_role("button", name="Anmelden").click()
    expect(page).to_have_url(re.compile(r"/verwaltung/vorgaenge/$"))

    # --- finds the application by the applicant's name (sent by POST, not in the URL) ----------------------
    page.get_by_label("Suche (Vorgangsnummer oder Name)").fill(world.citizen.last_name)
    page.get_by_role("button", name="Anzeigen").click()
    expect(page.locator("main")).to_contain_text(case.number)
    assert world.citizen.last_name not in page.url
    assert_accessible(page)
    page.get_by_role("link", name=case.number).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(case.number)
    page.get_by_role("button", name="Antrag öffnen").click()
    expect(page.locator("main")).to_contain_text("ausweis.pdf")
    assert_accessible(page)

    # --- asks a follow-up question -------------------------------------------------------------------------
    page.get_by_label("Angaben oder Dokumente, die nachgereicht oder korrigiert werden sollen").select_option(
        label="Angaben zum Betrieb: Tätigkeit"
    )
    page.get_by_label("Ihre Nachricht").fill("Bitte beschreiben Sie die Tätigkeit genauer.")
    page.get_by_role("button", name="Rückfrage senden").click()
    expect(page.locator("main")).to_contain_text("Rückfrage ist an die antragstellende Person gesendet")
    expect(page.get_by_test_id("state")).to_have_text("Rückfrage an Sie")
    staff_cookies = page.context.cookies()
    run_worker()

    # --- the citizen answers -------------------------------------------------------------------------------
    use_session(page, login_citizen(Client(), world.citizen), live_server)
    page.goto(f"/meine-antraege/{case.public_id}/")
    page.get_by_role("link", name="Jetzt antworten").click()
    page.get_by_label("Tätigkeit", exact=True).fill("Damen- und Herrenfriseur mit Kosmetik")
    page.get_by_role("button", name="Antwort absenden").click()
    expect(page.get_by_text("Ihre Antwort ist bei der Behörde eingegangen")).to_be_visible()

    # --- the case worker sees the answer and drafts the decision --------------------------------------------
    page.context.clear_cookies()
    page.context.add_cookies(staff_cookies)
    page.goto(f"/verwaltung/vorgaenge/{case.public_id}/")
    expect(page.get_by_test_id("state")).to_have_text("in Bearbeitung")
    page.get_by_role("button", name="Antrag öffnen").click()
    expect(page.locator("main")).to_contain_text("Damen- und Herrenfriseur mit Kosmetik")
    page.get_by_role("link", name="Bescheid entwerfen").click()
    expect(page.get_by_label("Betreff")).to_have_value(re.compile(case.number))
    page.get_by_label("Begründung").fill(
        "Die Anzeige ist vollständig; die Tätigkeit ist nun genau beschrieben."
    )
    assert_accessible(page)
    page.get_by_role("button", name="Entwurf speichern").click()
    expect(page.locator("main")).to_contain_text("Der Entwurf ist gespeichert")
    with page.expect_popup() as popup:
        page.get_by_role("link", name="Vorschau als PDF").click()
    popup.value.close()
    page.get_by_role("button", name="Zur Freigabe vorlegen").click()
    expect(page.locator("main")).to_contain_text("Der Bescheid liegt zur Freigabe vor")
    assert not Decision.objects.exists()

    # --- a second person releases it -----------------------------------------------------------------------
    use_session(page, login_staff(Client(), approver, approver_device), live_server)
    page.goto("/verwaltung/vorgaenge/freigaben/")
    assert_accessible(page)
    page.get_by_role("link", name=case.number).click()
    expect(page.locator("main")).to_contain_text("die Tätigkeit ist nun genau beschrieben")
    assert_accessible(page)
    page.get_by_role("button", name="Freigeben und erlassen").click()
    expect(page.locator("main")).to_contain_text("Freigegeben: Der Bescheid ist erlassen")
    decision = Decision.objects.get()
    assert decision.decided_by == worker
    run_worker()
    decision.refresh_from_db()
    assert decision.document_id is not None

    # --- the citizen receives the decision in the postbox -----------------------------------------------
    use_session(page, login_citizen(Client(), world.citizen), live_server)
    page.goto("/postfach/")
    page.get_by_role("link", name=f"Bescheid zu Ihrem Antrag {case.number}").click()
    expect(page.locator("main")).to_contain_text(case.number)
    assert not browser_errors.unexpected, browser_errors.unexpected
