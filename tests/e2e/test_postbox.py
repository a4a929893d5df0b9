"""A citizen finds a sealed decision in the postbox, opens it, and checks it on the verification page."""

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client

from amtsweg.accounts.models import User
from amtsweg.accounts.trust import SESSION_KEY as TRUST_SESSION_KEY
from amtsweg.directory.models import Authority, Office
from amtsweg.documents.defaults import ensure_default_templates
from amtsweg.documents.services import DocumentSpec, Fee
from amtsweg.postbox.models import Evidence
from amtsweg.postbox.services import Recipient, issue

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture then skips (or, with CI=true, fails) and says why
    expect = None

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def sealed_delivery(settings, tmp_path):
    settings.DOCUMENTS_PKI_DIR = tmp_path / "pki"
    settings.MEDIA_ROOT = tmp_path / "files"
    settings.DOCUMENTS_TIMESTAMPS = "local"
    settings.DOCUMENTS_AUTO_ISSUE_SEALS = True
    ensure_default_templates()  # data migrations are flushed between transactional tests
    citizen = User.objects.create_user(
        username="erika-e2e",
        email="erika@example.org",
        first_name="Erika",
        last_name="Weißflog",
        password="x-Passwort-2026",
    )
    authority = Authority.objects.create(key="e2e-landratsamt", name="Landratsamt Meißen")
    Office.objects.create(
        authority=authority,
        name="Hauptsitz",
        street="Brauhausstraße 21",
        postal_code="01662",
        city="Meißen",
        is_main=True,
    )
    spec = DocumentSpec(
        doc_type="bescheid",
        authority=authority,
        data={
            "betreff": "Bescheid über die Gewerbeanmeldung „Bäckerei Weißflog“",
            "anrede": "Sehr geehrte Frau Weißflog,",
            "entscheidung": "Die Gewerbeanmeldung wird bestätigt.",
            "begruendung": "Die Angaben sind vollständig und richtig.",
        },
        fees=[Fee("Gewerbeanmeldung", 2600)],
        file_number="32.1-2026-0815",
        issued_on=dt.date(2026, 11, 27),
    )
    delivery = issue(spec, Recipient("Erika Weißflog", ["Am Markt 3", "01662 Meißen"], user=citizen), "e2e:1")
    return citizen, delivery


def _log_in(page, live_server, user):
    client = Client()
    client.force_login(user)
    session = client.session
    session[TRUST_SESSION_KEY] = 3
    session.save()
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session.session_key, "url": live_server.url}]
    )


def test_citizen_sees_and_opens_the_decision(page, live_server, sealed_delivery, assert_accessible, tmp_path):
    citizen, delivery = sealed_delivery
    _log_in(page, live_server, citizen)

    page.goto("/postfach/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ihr Postfach")
    link = page.get_by_role("link", name="Bescheid über die Gewerbeanmeldung „Bäckerei Weißflog“")
    expect(link).to_be_visible()
    expect(page.get_by_text("neu", exact=True)).to_be_visible()
    assert_accessible(page)

    link.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bäckerei Weißflog")
    expect(page.get_by_text(delivery.document.formatted_code)).to_be_visible()
    expect(page.get_by_role("link", name="Dokument öffnen")).to_be_visible()
    assert_accessible(page)

    href = page.get_by_role("link", name="Herunterladen").get_attribute("href")
    response = page.request.get(href)
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    pdf = response.body()
    assert pdf == delivery.document.read_bytes()
    retrieval = Evidence.objects.get(delivery=delivery, event="retrieved")
    assert retrieval.actor_id == citizen.pk
    assert retrieval.trust_level == "hoch"

    # The same file is "echt" on the public verification page; a copy with one changed byte is not.
    path = tmp_path / "bescheid.pdf"
    path.write_bytes(pdf)
    page.goto("/pruefen/")
    page.get_by_label("PDF-Datei", exact=True).set_input_files(str(path))
    page.get_by_role("button", name="Datei prüfen").click()
    expect(page.get_by_role("status").filter(has_text="Echt")).to_be_visible()
    expect(page.get_by_text("Das Dokument ist echt und unverändert.")).to_be_visible()
    assert_accessible(page)

    changed = bytearray(pdf)
    changed[pdf.index(b"ReportLab")] = ord("r")
    path.write_bytes(bytes(changed))
    page.get_by_label("PDF-Datei", exact=True).set_input_files(str(path))
    page.get_by_role("button", name="Datei prüfen").click()
    expect(page.get_by_role("alert").filter(has_text="Nicht echt")).to_be_visible()


def test_a_stranger_gets_not_found(page, live_server, sealed_delivery, browser_errors):
    _citizen, delivery = sealed_delivery
    stranger = User.objects.create_user(
        username="fremd-e2e", email="fremd@example.org", password="x-Passwort-2026"
    )
    _log_in(page, live_server, stranger)
    browser_errors.allow("404")
    response = page.goto(f"/postfach/{delivery.message.pk}/")
    assert response.status == 404
    page.goto("/postfach/")
    expect(page.get_by_text("Ihr Posteingang ist leer.")).to_be_visible()
