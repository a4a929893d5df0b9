"""The service portal in a real browser: the issue's "done when" walk, suggestions, no-JS forms, a11y.

A new user searches "Auto abmelden", lands on the deregistration service, enters 09456 and sees the
Landratsamt Erzgebirgskreis with today's opening hours. Every page on the way is axe-clean.
"""

import json
import re

import pytest
from django.core.management import call_command
from django.utils import timezone

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture then skips these tests (or fails them with CI=true) and says why
    expect = None

pytestmark = pytest.mark.e2e


@pytest.fixture
def portal_data(transactional_db):
    """Regions, the shipped authorities and the shipped catalogue, as `amtsweg demo` loads them."""
    from amtsweg.catalog.demo import SHIPPED
    from amtsweg.catalog.formats import import_catalog
    from amtsweg.directory.loader import load_authorities

    call_command("load_regions", verbosity=0)
    load_authorities()
    import_catalog(json.loads(SHIPPED.read_text(encoding="utf-8")), author="test")


def _today_text() -> str:
    """What the page must show as today's hours of the Landratsamt Erzgebirgskreis."""
    from amtsweg.directory import services as directory

    authority = directory.authority_by_key("landratsamt-erzgebirgskreis") or directory.authority_for_district(
        "14521"
    )
    today = directory.serialize_authority(authority, timezone.now())["opening_hours"]["today"]
    if today["closed"]:
        return "heute geschlossen"
    first = today["intervals"][0]
    return f"{first['opens']}–{first['closes']}"


def test_done_when_search_service_and_responsible_authority(
    page, live_server, portal_data, assert_accessible
):
    page.goto("/")
    assert_accessible(page)
    search = page.get_by_role("searchbox", name="Wonach suchen Sie?")
    search.fill("Auto abmelden")
    search.press("Enter")
    expect(page).to_have_url(re.compile(r"/suche/\?q=Auto\+abmelden"))
    results = page.locator("ol.aw-results > li")
    expect(results.first).to_contain_text("Fahrzeug außer Betrieb setzen (abmelden)")
    assert_accessible(page)

    results.first.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/leistungen/fahrzeug-ausser-betrieb/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Fahrzeug außer Betrieb setzen (abmelden)")
    assert_accessible(page)

    page.get_by_label("Postleitzahl oder Ort").fill("09456")
    page.get_by_role("button", name="Stelle finden").click()
    authority = page.locator("#zustaendige-behoerde")
    expect(authority.get_by_role("heading", level=3)).to_have_text("Landratsamt Erzgebirgskreis")
    expect(authority).to_contain_text("Öffnungszeiten heute")
    expect(authority.locator(".aw-today-hours")).to_contain_text(_today_text())
    assert_accessible(page)

    # The API answers the same.
    answer = page.request.get(
        "/api/v1/responsibility?service=fahrzeug-ausser-betrieb&postal_code=09456"
    ).json()
    assert answer["authority"]["name"] == "Landratsamt Erzgebirgskreis"
    assert answer["authority"]["district_ags"] == "14521"


def test_suggestions_while_typing(page, live_server, portal_data, assert_accessible):
    page.goto("/")
    page.get_by_role("searchbox", name="Wonach suchen Sie?").press_sequentially("Fuehrersch", delay=30)
    suggestions = page.locator("#start-suche-vorschlaege")
    expect(suggestions.get_by_role("link").first).to_contain_text("Führerschein")
    assert_accessible(page)
    suggestions.get_by_role("link").first.click()
    expect(page).to_have_url(re.compile(r"/leistungen/[a-z-]*fuehrerschein[a-z-]*/$"))


def test_ambiguous_postal_code_asks_which_place_without_javascript(browser, live_server, portal_data):
    from amtsweg.regions import services as regions

    places = regions.places_for_postal_code("09456")  # Annaberg-Buchholz and a neighbouring municipality
    assert len(places) > 1
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False, locale="de-DE")
    page = context.new_page()
    page.goto("/leistungen/gewerbe-anmelden/")
    page.get_by_label("Postleitzahl oder Ort").fill("09456")
    page.get_by_role("button", name="Stelle finden").click()
    radios = page.get_by_role("radio")
    expect(radios).to_have_count(len(places))
    page.get_by_role("radio", name=re.compile(places[0].name)).check()
    page.get_by_role("button", name="Ort übernehmen").click()
    expect(page.locator("#zustaendige-behoerde")).to_be_visible()
    expect(page.locator("section.aw-finder")).to_contain_text(f"Für {places[0].name} ist zuständig")
    context.close()


@pytest.mark.parametrize(
    "path", ["/leistungen/", "/lebenslagen/", "/lebenslagen/fahrzeug/", "/suche/?q=Perso"]
)
def test_portal_pages_are_accessible_and_fit_360_px(page, live_server, portal_data, assert_accessible, path):
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
    assert_accessible(page)


def test_bad_input_pages(page, live_server, portal_data, browser_errors):
    browser_errors.allow("400 (Bad Request)")
    browser_errors.allow("404 (Not Found)")
    response = page.goto("/suche/?q=%00")
    assert response.status == 400
    expect(page.get_by_role("alert")).to_contain_text("unzulässige Steuerzeichen")
    response = page.goto("/leistungen/fahrzeug-ausser-betrieb/?ort=10115")
    assert response.status == 404
    expect(page.get_by_role("alert")).to_contain_text("nicht in Sachsen")
    response = page.goto("/leistungen/gibt-es-nicht/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Leistung nicht gefunden")
