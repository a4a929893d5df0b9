"""A citizen fills in an application in a real browser: saves, resumes, uploads, reviews, submits and answers
a follow-up question (test procedure (a)); every page passes axe-core."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "procedures"))

from engine_fixtures import engine_settings as engine_settings
from engine_fixtures import key_pool as key_pool
from engine_fixtures import shared_key_dir as shared_key_dir
from engine_fixtures import shared_pki_dir as shared_pki_dir
from engine_fixtures import small_pdf
from engine_fixtures import test_procedures as test_procedures
from engine_fixtures import world as world

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture then skips (or fails with CI=true)
    expect = None

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _login(page, user):
    page.goto("/anmelden/?next=/antrag/test-gewerbe/")
    page.get_by_role("textbox", name="E-Mail-Adresse").fill(user.email)
    page.get_by_role("textbox", name="Passwort").fill("Kein-Passwort-2026!")
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url("**/antrag/test-gewerbe/")


def test_fill_save_resume_upload_review_submit_and_answer(
    page, world, assert_accessible, tmp_path, browser_errors
):
    from amtsweg.cases import services
    from amtsweg.cases.models import Case

    browser_errors.allow("422")  # a step with errors answers 422 Unprocessable Content (logged by Chromium)
    user = world.citizen
    _login(page, user)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Testantrag Gewerbe (Prüfung durch Sachbearbeitung)"
    )
    assert_accessible(page)
    page.get_by_role("button", name="Antrag beginnen").click()

    # Step 1: prefilled from the profile, progress indicator.
    expect(page.get_by_text("Schritt 1 von 4")).to_be_visible()
    expect(page.get_by_label("Vorname")).to_have_value("Erika")
    page.get_by_label("Geburtsdatum").fill("1980-05-17")
    assert_accessible(page)
    page.get_by_role("button", name="Weiter", exact=True).click()

    # Step 2: inline validation through htmx, then save the draft.
    expect(page.get_by_text("Schritt 2 von 4")).to_be_visible()
    page.get_by_label("Name des Betriebs").fill("Salon Quirl")
    page.get_by_label("Tätigkeit", exact=True).fill("alles")
    page.get_by_label("Postleitzahl der Betriebsstätte").fill("09599")
    expect(page.locator("#feld-taetigkeit .kern-error")).to_contain_text("nicht „alles“")
    page.get_by_label("Tätigkeit", exact=True).fill("Friseurhandwerk")
    page.get_by_label("Postleitzahl der Betriebsstätte").focus()
    expect(page.locator("#feld-taetigkeit .kern-error")).to_have_count(0)
    page.get_by_role("button", name="Entwurf speichern").click()
    expect(page.get_by_text("Ihr Entwurf ist gespeichert")).to_be_visible()

    # Resume later (a fresh page, as from another device) through "Meine Anträge".
    page.goto("/meine-antraege/")
    assert_accessible(page)
    page.get_by_role("link", name="Testantrag Gewerbe (Prüfung durch Sachbearbeitung)").click()
    page.get_by_role("link", name="2. Angaben zum Betrieb").click()
    expect(page.get_by_label("Name des Betriebs")).to_have_value("Salon Quirl")
    page.get_by_label("Beginn der Tätigkeit").fill("2026-12-01")
    page.get_by_label("Handwerk").check()
    page.get_by_role("button", name="Weiter", exact=True).click()

    # Step 3: upload.
    pdf = tmp_path / "ausweis.pdf"
    pdf.write_bytes(small_pdf("Ausweiskopie"))
    page.get_by_label("Ausweiskopie").set_input_files(str(pdf))
    page.get_by_role("button", name="Weiter", exact=True).click()

    # Step 4 and review.
    page.get_by_label("Ich versichere, dass die Angaben richtig sind.").check()
    page.get_by_role("button", name="Weiter zur Übersicht").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Überprüfen und absenden")
    expect(page.get_by_text("Salon Quirl")).to_be_visible()
    expect(page.get_by_text("ausweis.pdf")).to_be_visible()
    expect(page.get_by_text("Stadtverwaltung Freiberg")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Ich habe meine Angaben geprüft. Sie sind vollständig und richtig.").check()
    page.get_by_role(
        "button", name="Antrag verbindlich absenden"
    ).dblclick()  # a double click: still one case
    expect(page.get_by_text("Ihr Antrag ist eingegangen")).to_be_visible()
    case = Case.objects.get()
    assert Case.objects.count() == 1
    expect(page.get_by_text(case.number).first).to_be_visible()
    assert_accessible(page)

    # The case worker asks a follow-up question; the citizen answers exactly that field.
    staff_user = world.stadt_staff[0]
    services.request_information(
        case, staff_user, fields=["taetigkeit"], note="Bitte beschreiben Sie die Tätigkeit genauer.",
        deadline=dt.date.today() + dt.timedelta(days=14),
    )  # fmt: skip
    page.reload()
    expect(page.get_by_text("Rückfrage der Behörde")).to_be_visible()
    page.get_by_role("link", name="Jetzt antworten").click()
    expect(page.get_by_label("Tätigkeit", exact=True)).to_have_value("Friseurhandwerk")
    expect(page.get_by_label("Name des Betriebs")).to_have_count(0)
    assert_accessible(page)
    page.get_by_label("Tätigkeit", exact=True).fill("Damen- und Herrenfriseur")
    page.get_by_role("button", name="Antwort absenden").click()
    expect(page.get_by_text("Ihre Antwort ist bei der Behörde eingegangen")).to_be_visible()
    case.refresh_from_db()
    assert case.state == "in_review"
    content = services.read_submission(case, staff_user, "Antwort prüfen")
    assert content["answers"][0]["values"]["taetigkeit"] == "Damen- und Herrenfriseur"
