"""Portal pages: start page, search, suggestions, A–Z, service page with the finder, life situations."""

import itertools
import re

import pytest
from catalog_factories import finder_world


def text(response) -> str:
    return response.content.decode()


@pytest.fixture
def world(sample_catalog):
    return finder_world()


@pytest.mark.django_db
def test_start_page_has_search_and_life_situations(client, sample_catalog):
    page = text(client.get("/"))
    assert 'action="/suche/"' in page
    assert 'name="q"' in page
    assert 'hx-get="/suche/vorschlaege"' in page
    assert "Unternehmen gründen" in page
    assert 'href="/lebenslagen/unternehmen-gruenden/"' in page


@pytest.mark.django_db
def test_search_page_lists_hits_without_javascript(client, sample_catalog):
    response = client.get("/suche/", {"q": "Auto abmelden"})
    assert response.status_code == 200
    page = text(response)
    assert page.index("/leistungen/fahrzeug-ausser-betrieb/") < page.index("</ol>")
    assert "Treffer für „Auto abmelden“" in page


@pytest.mark.django_db
def test_search_page_without_query_shows_the_form(client, sample_catalog):
    response = client.get("/suche/")
    assert response.status_code == 200
    assert "Treffer" not in text(response)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "Bitte geben Sie einen Suchbegriff ein."),
        ("   ", "Bitte geben Sie einen Suchbegriff ein."),
        ("x" * 10_240, "Der Suchbegriff ist zu lang"),
        ("Auto\x00abmelden", "unzulässige Steuerzeichen"),
        ("Auto\x07", "unzulässige Steuerzeichen"),
    ],
)
@pytest.mark.django_db
def test_bad_search_input_gives_400_with_german_message(client, sample_catalog, query, message):
    response = client.get("/suche/", {"q": query})
    assert response.status_code == 400
    page = text(response)
    assert message in page
    main = page.split('id="inhalt"')[1]
    assert "x" * 300 not in main  # the overlong input is not echoed into the form


@pytest.mark.django_db
def test_suggestions_fragment(client, sample_catalog):
    response = client.get("/suche/vorschlaege", {"q": "gewer"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    fragment = text(response)
    assert "<html" not in fragment
    assert '/leistungen/gewerbe-anmelden/"' in fragment
    assert text(client.get("/suche/vorschlaege", {"q": ""})).strip() == ""
    assert client.get("/suche/vorschlaege", {"q": "a\x00"}).status_code == 400


@pytest.mark.django_db
def test_a_to_z_groups_by_letter(client, sample_catalog):
    page = text(client.get("/leistungen/"))
    assert re.search(r'id="buchstabe-B".*Bohrung anzeigen', page, re.S)
    assert re.search(r'id="buchstabe-F".*Fahrzeug außer Betrieb', page, re.S)
    assert page.index('id="buchstabe-B"') < page.index('id="buchstabe-F"') < page.index('id="buchstabe-G"')


@pytest.fixture
def no_online_procedures(monkeypatch):
    """As before the cases app offers any procedure: `cases:start` does not resolve."""
    from django.urls import NoReverseMatch

    from amtsweg.catalog import services

    def reverse(name, args):
        raise NoReverseMatch(name)

    monkeypatch.setattr(services, "reverse", reverse)


@pytest.mark.django_db
def test_service_page_shows_all_fim_modules(client, sample_catalog, no_online_procedures):
    page = text(client.get("/leistungen/gewerbe-anmelden/"))
    for heading in ("Beschreibung", "Für wen", "Voraussetzungen", "Erforderliche Unterlagen", "Kosten",
                    "Fristen", "Bearbeitungsdauer", "Verfahrensablauf", "Rechtsgrundlagen", "Hinweise",
                    "Zuständige Stelle finden", "Passt zu diesen Lebenslagen"):  # fmt: skip
        assert f">{heading}</h2>" in page, heading
    assert "15,00\u00a0€ bis 60,00\u00a0€" in page
    assert "https://www.gesetze-im-internet.de/gewo/__14.html" in page
    assert "catalog/css/catalog.css" in page  # the print stylesheet
    # no start URL: no button, but the notice
    assert "Online-Antrag in Vorbereitung" in page
    assert "Online starten" not in page


@pytest.mark.django_db
def test_online_button_appears_once_the_start_url_exists(client, sample_catalog, monkeypatch):
    from amtsweg.catalog import services

    monkeypatch.setattr(services, "reverse", lambda name, args: f"/antrag/{args[0]}/")
    page = text(client.get("/leistungen/gewerbe-anmelden/"))
    assert 'href="/antrag/gewerbe-anmeldung/"' in page
    assert "Online starten" in page


@pytest.mark.django_db
def test_finder_on_the_service_page_with_postal_code(client, world):
    response = client.get("/leistungen/fahrzeug-ausser-betrieb/", {"ort": "09456"})
    assert response.status_code == 200
    page = text(response)
    assert "Landratsamt Erzgebirgskreis" in page
    assert "Öffnungszeiten heute" in page
    assert 'href="/behoerden/landratsamt-erzgebirgskreis/"' in page


@pytest.mark.django_db
def test_finder_asks_to_choose_between_places_without_javascript(client, world):
    page = text(client.get("/leistungen/gewerbe-anmelden/", {"ort": "09456"}))
    assert 'type="radio"' in page
    assert "Annaberg-Buchholz" in page
    assert "Mildenau" in page
    assert 'name="ort_id"' in page
    assert 'name="ort" value="09456"' in page
    chosen = text(
        client.get("/leistungen/gewerbe-anmelden/", {"ort": "09456", "ort_id": world["mildenau"].pk})
    )
    assert "Gemeindeverwaltung Mildenau" in chosen


@pytest.mark.django_db
def test_state_service_page_shows_the_state_authority_directly(client, world):
    page = text(client.get("/leistungen/bohranzeige/"))
    assert "Sächsisches Landesamt für Umwelt, Landwirtschaft und Geologie" in page
    assert 'name="ort"' not in page


@pytest.mark.parametrize(
    ("value", "status", "message"),
    [
        ("0945", 400, "fünf Ziffern"),
        ("10115", 404, "nicht in Sachsen"),
        ("Atlantis", 404, "Einen Ort „Atlantis“ kennen wir in Sachsen nicht"),
        ("a\x00b", 400, "Ortsnamen oder eine Postleitzahl"),
        ("9" * 10_000, 400, "fünf Ziffern"),
    ],
)
@pytest.mark.django_db
def test_finder_bad_input_on_the_page(client, world, value, status, message):
    response = client.get("/leistungen/fahrzeug-ausser-betrieb/", {"ort": value})
    assert response.status_code == status
    page = text(response)
    assert message in page
    assert 'aria-invalid="true"' in page
    assert (
        "Landratsamt"
        not in page.split('id="zustaendige-stelle"')[1].split("</section>")[0].split("</form>")[1]
    )


@pytest.mark.parametrize("key", ["gibt-es-nicht", "GEWERBE", "a" * 300, "%00", "gewerbe-anmelden.json"])
@pytest.mark.django_db
def test_unknown_service_is_a_german_404(client, sample_catalog, key):
    response = client.get(f"/leistungen/{key}/")
    assert response.status_code == 404
    assert "gibt es im Leistungskatalog nicht" in text(response)


@pytest.mark.django_db
def test_life_situation_pages(client, sample_catalog):
    listing = text(client.get("/lebenslagen/"))
    assert 'href="/lebenslagen/auto-und-verkehr/"' in listing
    page = text(client.get("/lebenslagen/auto-und-verkehr/"))
    assert "Fahrzeug außer Betrieb setzen (abmelden)" in page
    assert "Gewerbe anmelden" not in page
    missing = client.get("/lebenslagen/gibt-es-nicht/")
    assert missing.status_code == 404
    assert "Diese Lebenslage gibt es nicht." in text(missing)


@pytest.mark.django_db
def test_english_names_and_texts(client, sample_catalog):
    client.cookies["django_language"] = "en"
    page = text(client.get("/leistungen/fahrzeug-ausser-betrieb/"))
    assert "<h1" in page
    assert "Deregistering a vehicle</h1>" in page
    assert "If you no longer use your car" in page
    assert ">Find the responsible office</h2>" in page  # UI strings through gettext
    assert "Postcode or town" in page
    listing = text(client.get("/lebenslagen/"))
    assert "Cars and traffic" in listing


@pytest.mark.django_db
def test_heading_order_on_the_service_page(client, world):
    page = text(client.get("/leistungen/fahrzeug-ausser-betrieb/", {"ort": "09456"}))
    levels = [int(level) for level in re.findall(r"<h([1-6])", page.split('id="inhalt"')[1])]
    assert levels[0] == 1
    assert levels.count(1) == 1
    for previous, current in itertools.pairwise(levels):
        assert current <= previous + 1, levels


@pytest.mark.django_db
def test_print_stylesheet_has_print_rules():
    from pathlib import Path

    import amtsweg

    css = (Path(amtsweg.__file__).parent / "static" / "catalog" / "css" / "catalog.css").read_text(
        encoding="utf-8"
    )
    assert "@media print" in css
    assert ".aw-finder__form" in css


@pytest.mark.django_db
def test_authority_pages_list_the_services_they_are_responsible_for(client, world):
    district_page = text(client.get("/behoerden/landratsamt-erzgebirgskreis/"))
    assert "Leistungen dieser Stelle" in district_page
    assert 'href="/leistungen/fahrzeug-ausser-betrieb/"' in district_page
    assert 'href="/leistungen/gewerbe-anmelden/"' not in district_page
    town_page = text(client.get("/behoerden/stadt-annaberg-buchholz/"))
    assert 'href="/leistungen/gewerbe-anmelden/"' in town_page
    assert 'href="/leistungen/fahrzeug-ausser-betrieb/"' not in town_page
    state_page = text(client.get("/behoerden/lfulg/"))
    assert 'href="/leistungen/bohranzeige/"' in state_page
