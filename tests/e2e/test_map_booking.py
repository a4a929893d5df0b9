"""Issue 12, "Done when": a new user opens the map, filters by district, finds the next Bürgerkoffer stop
near Plauen, books a slot, confirms it through the e-mail link, receives the confirmation with .ics and QR
code, and cancels through the link. Every page on the way passes axe-core and fits 360 px."""

import re

import pytest
from django.core import mail
from django.core.management import call_command
from icalendar import Calendar

from amtsweg.assisted import demo
from amtsweg.assisted.models import Appointment, Slot

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture then skips (or fails with CI=true) and says why
    expect = None

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WIDEST = """() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 361)
  .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"""


def drain():
    call_command(
        "db_worker", "--batch", "--no-reload", "--no-startup-delay", "--queue-name", "*", verbosity=0
    )


def link_in(body: str, part: str) -> str:
    return next(
        line.strip() for line in body.splitlines() if part in line and line.strip().startswith("http")
    )


@pytest.fixture
def demo_data(live_server, settings):
    from amtsweg.directory.loader import load_authorities

    settings.BASE_URL = live_server.url
    call_command("load_regions", verbosity=0)
    load_authorities()
    demo.load_assisted()
    mail.outbox.clear()


def fits_360(page) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 360, page.evaluate(WIDEST)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_find_book_confirm_and_cancel_a_buergerkoffer_stop_near_plauen(
    page, demo_data, assert_accessible, browser_errors
):
    # 1. The map with the offline base layer and markers.
    page.goto("/vor-ort/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bürgerterminals und Bürgerkoffer vor Ort")
    expect(page.locator("#aw-vor-ort-karte")).to_be_visible()
    expect(page.locator(".aw-marker").first).to_be_visible()
    expect(page.locator(".leaflet-overlay-pane path").first).to_be_attached()  # Saxony's outline
    assert_accessible(page)
    fits_360(page)

    # 2. Filter: Vogtlandkreis, Bürgerkoffer, near Plauen.
    district = page.get_by_role("combobox", name=re.compile("^Kreis oder kreisfreie Stadt"))
    district.select_option(label="Vogtlandkreis")
    page.get_by_role("combobox", name=re.compile("^Art")).select_option(label="Bürgerkoffer")
    page.get_by_role("textbox", name=re.compile("^In der Nähe von")).fill("Plauen")
    page.get_by_role("button", name="Anzeigen").click()
    expect(page.get_by_role("status").filter(has_text="sortiert nach Entfernung von Plauen")).to_be_visible()
    cards = page.locator(".aw-place")
    expect(cards.first).to_contain_text("Vogtlandkreis")
    expect(cards.first).to_contain_text("Demo")
    first_name = cards.first.locator("h3").inner_text()
    distance = re.search(r"ca\. (\d+) km Luftlinie von Plauen", cards.first.inner_text())
    assert distance, cards.first.inner_text()
    assert int(distance.group(1)) < 15
    assert "Görlitz" not in page.locator(".aw-places").inner_text()
    # The map shows the same stops; its popup offers the booking. (Close markers are drawn as one numbered
    # marker; choosing it zooms in until the stop has its own.)
    for _ in range(4):
        page.get_by_role("button", name=re.compile(re.escape(first_name))).first.click()
        page.wait_for_timeout(400)
        if page.locator(".leaflet-popup").count():
            break
    expect(page.locator(".leaflet-popup")).to_contain_text(first_name)
    expect(page.locator(".leaflet-popup")).to_contain_text("Termin buchen")
    assert_accessible(page)

    # 3. Book the first free slot of that stop, without an account.
    cards.first.get_by_role("link", name=re.compile("^Termin buchen")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Termin buchen")
    assert_accessible(page)
    fits_360(page)
    page.locator("input[name=termin]").first.check()
    page.get_by_role("textbox", name="Vor- und Nachname").fill("Erika Beispiel")
    page.get_by_role("textbox", name="E-Mail-Adresse").fill("erika@example.org")
    page.get_by_label("Ich bin einverstanden").check()
    page.get_by_role("button", name="Termin verbindlich anfragen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bitte bestätigen Sie Ihren Termin")
    assert_accessible(page)
    appointment = Appointment.objects.get()
    assert appointment.status == Appointment.Status.PENDING

    # 4. Double opt-in: the link from the e-mail.
    drain()
    opt_in = next(m for m in mail.outbox if "Bitte bestätigen" in m.subject)
    page.goto(link_in(opt_in.body, "/termine/bestaetigen/"))
    assert_accessible(page)
    page.get_by_role("button", name="Termin verbindlich bestätigen").click()
    expect(page.locator("main")).to_contain_text("Ihr Termin ist bestätigt")
    expect(page.locator("main")).to_contain_text(appointment.reference)
    expect(page.get_by_role("img", name=re.compile("QR-Code"))).to_be_visible()
    page.wait_for_function(
        "() => { const i = document.querySelector('img.aw-qr-image');"
        " return i && i.complete && i.naturalWidth > 100; }"
    )
    expect(page.get_by_role("link", name=re.compile(r"Kalender"))).to_have_attribute(
        "href", re.compile(r"\.ics$")
    )
    assert_accessible(page)
    fits_360(page)

    # 5. The confirmation e-mail: .ics in Berlin time and the QR code.
    drain()
    confirmation = next(m for m in mail.outbox if m.subject.startswith("Terminbestätigung"))
    attachments = {p.get_filename(): p for p in confirmation.message().walk() if p.get_filename()}
    event = Calendar.from_ical(attachments["termin.ics"].get_payload(decode=True)).walk("VEVENT")[0]
    appointment.refresh_from_db()
    assert event.decoded("DTSTART") == appointment.slot.starts_at
    assert str(event.decoded("DTSTART").tzinfo) == "Europe/Berlin"
    assert attachments["termin-qr.png"].get_payload(decode=True).startswith(b"\x89PNG")

    # 6. Cancel through the link in the e-mail.
    page.goto(link_in(confirmation.body, "/termine/verwalten/"))
    page.get_by_role("button", name="Termin absagen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ihr Termin ist abgesagt")
    assert_accessible(page)
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED
    assert Slot.objects.get(pk=appointment.slot_id).booked == 0

    # The old link now explains itself (with status 400, which the browser logs).
    browser_errors.allow("400 (Bad Request)")
    page.goto(link_in(confirmation.body, "/termine/verwalten/"))
    expect(page.get_by_role("alert")).to_contain_text("gilt nicht mehr")


def test_list_view_and_home_visit_form_are_accessible(page, demo_data, assert_accessible, browser_errors):
    page.goto("/vor-ort/liste/?kreis=14626")
    expect(page.locator(".aw-places")).to_contain_text("Görlitz")
    assert page.locator("#aw-vor-ort-karte").count() == 0
    assert_accessible(page)
    fits_360(page)
    page.goto("/termine/hausbesuch/")
    assert_accessible(page)
    browser_errors.allow("400 (Bad Request)")  # an invalid form answers 400
    page.get_by_role("button", name="Anfrage senden").click()
    expect(page.locator("main")).to_contain_text("zwingend erforderlich")
    assert_accessible(page)
    fits_360(page)


def test_detail_pages_and_staff_tour_planning_are_accessible(page, live_server, demo_data, assert_accessible):
    from django.test import Client

    from accounts.factories import login_staff, make_staff
    from amtsweg.assisted.models import Site, Tour, TourStop
    from amtsweg.directory import services as directory

    stop = TourStop.objects.filter(tour__status=Tour.Status.PUBLISHED, is_public=True).first()
    paths = (
        f"/vor-ort/halt/{stop.pk}/",
        "/vor-ort/standort/demo-terminal-treuen/",
        "/termine/standort/demo-buergerbuero-plauen/",
        "/termine/",
    )
    for path in paths:
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert_accessible(page)
        fits_360(page)
    assert Site.objects.filter(slug="demo-buergerbuero-plauen").exists()

    authority = directory.authority_for_district("14521")  # the demo's draft tour is in the Erzgebirgskreis
    user, device, _membership = make_staff(authority, ("assisted_operator",))
    client = Client(SERVER_NAME="localhost")
    login_staff(client, user, device)
    cookie = {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}
    page.context.add_cookies([cookie])
    draft = Tour.objects.get(status=Tour.Status.DRAFT)
    page.goto("/verwaltung/touren/")
    expect(page.get_by_role("link", name=draft.title)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name=draft.title).click()
    expect(page.locator("main")).to_contain_text("Schätzung: Luftlinie × 1,3")
    assert_accessible(page)
    page.get_by_role("button", name="Nach Fahrstrecke ordnen").click()
    expect(page.get_by_role("status").filter(has_text="nach Fahrstrecke geordnet")).to_be_visible()
    page.get_by_role("button", name="Tour veröffentlichen").click()
    expect(page.get_by_role("status").filter(has_text="Die Tour ist veröffentlicht")).to_be_visible()
    fits_360(page)
    for path in ("/verwaltung/touren/hausbesuche/", "/verwaltung/touren/ausstattung/"):
        page.goto(path)
        assert_accessible(page)
