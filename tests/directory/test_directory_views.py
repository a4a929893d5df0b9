"""Authority pages through HTTP: /behoerden/ and /behoerden/<key>/."""

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import directory_factories as f
import pytest
from django.utils import timezone

from amtsweg.directory import services

BERLIN = ZoneInfo("Europe/Berlin")
pytestmark = pytest.mark.django_db


@pytest.fixture
def frozen(monkeypatch):
    """Freeze "now" for the views (timezone.now is what localtime() and the views call)."""

    def freeze(moment: datetime):
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return freeze


def text_of(response) -> str:
    html = response.content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


def assert_csp_clean(html: str):
    assert ' style="' not in html
    assert "onclick=" not in html
    for tag in re.findall(r"<script[^>]*>", html):
        assert "src=" in tag, tag
        assert "nonce=" in tag, tag


def test_list_page_a_to_z(client, directory_data):
    response = client.get("/behoerden/")
    assert response.status_code == 200
    text = text_of(response)
    assert "Behörden von A bis Z" in text
    assert "Landratsamt Erzgebirgskreis" in text
    assert "Gemeindeverwaltung Crostwitz" in text
    assert "Sächsisches Oberbergamt" in text
    assert f"{services.authorities().count()} Behörden" in text
    html = response.content.decode()
    assert 'href="#buchstabe-E"' in html
    assert 'id="buchstabe-E"' in html
    assert_csp_clean(html)


def test_list_filtered_by_district(client, directory_data):
    response = client.get("/behoerden/", {"kreis": "14521"})
    assert response.status_code == 200
    text = text_of(response)
    assert "Landratsamt Erzgebirgskreis" in text
    assert "Gemeindeverwaltung Bärenstein" in text
    assert "Landratsamt Bautzen" not in text
    assert "Oberbergamt" not in text
    assert "Erzgebirgskreis" in text
    assert '<option value="14521" selected>' in response.content.decode()


@pytest.mark.parametrize("bad", ["99999", "14521' OR 1=1", "x" * 10_000, "\x00", "1452"])
def test_list_with_bad_filter_says_so_in_german(client, directory_data, bad):
    response = client.get("/behoerden/", {"kreis": bad})
    assert response.status_code == 400
    text = text_of(response)
    assert "Diesen Kreis gibt es nicht" in text
    assert "0 Behörden" in text
    assert "x" * 100 not in text_of(response)  # the input is not echoed in the page content


def test_detail_page_open_now(client, directory_data, frozen):
    frozen(datetime(2026, 11, 24, 10, 30, tzinfo=BERLIN))  # Tuesday
    response = client.get("/behoerden/landratsamt-erzgebirgskreis/")
    assert response.status_code == 200
    assert response["Content-Language"] == "de"
    text = text_of(response)
    assert "Landratsamt Erzgebirgskreis" in text
    assert "Paulus-Jenisius-Straße 24" in text
    assert "09456 Annaberg-Buchholz" in text
    assert "Jetzt geöffnet bis 12:00" in text
    assert "Dienstag, 24.11. 08:00–12:00, 13:00–18:00" in text
    assert "Beispielzeiten" in text  # example hours are never passed off as official
    assert "Angaben zur Barrierefreiheit liegen noch nicht vor" in text
    assert "https://www.erzgebirgskreis.de" in text
    assert "Mitte der Kreisstadt" in text  # the map point is the town, not the building
    assert_csp_clean(response.content.decode())


def test_detail_page_closed_with_next_opening_and_closures_ahead(client, directory_data, frozen):
    frozen(datetime(2026, 12, 23, 13, 0, tzinfo=BERLIN))  # Wednesday afternoon
    office = services.main_office(services.authority_by_key("landratsamt-zwickau"))
    f.special_day(office, date(2026, 12, 24), reason="Heiligabend", whole_authority=True)
    text = text_of(client.get("/behoerden/landratsamt-zwickau/"))
    assert "Geschlossen – öffnet Montag, 08:00" in text
    assert "Abweichende Öffnungszeiten" in text
    assert "Donnerstag, 24.12.2026: geschlossen (Heiligabend)" in text
    assert "Freitag, 25.12.2026: geschlossen (1. Weihnachtsfeiertag)" in text
    assert "Freitag, 01.01.2027: geschlossen (Neujahr)" in text


def test_generated_municipality_page(client, directory_data, frozen):
    frozen(datetime(2026, 6, 4, 10, 0, tzinfo=BERLIN))  # Corpus Christi
    response = client.get("/behoerden/gemeinde-14625-crostwitz/")
    assert response.status_code == 200
    text = text_of(response)
    assert "Gemeindeverwaltung Crostwitz" in text
    assert "Automatisch angelegter Eintrag" in text
    assert "Die genaue Anschrift ist uns noch nicht bekannt" in text
    assert "Fronleichnam" in text
    assert "Landkreis Bautzen" in text  # breadcrumb to the district list


def test_state_body_page_lists_both_offices(client, directory_data):
    text = text_of(client.get("/behoerden/lfulg/"))
    assert "Pillnitzer Platz 3" in text
    assert "Abteilung Geologie" in text
    assert "09599 Freiberg" in text
    assert "noch nicht von der Behörde bestätigt" in text  # the Freiberg address is unverified


def test_map_only_with_a_tile_server_and_only_via_static_files(client, directory_data, settings):
    settings.TILE_URL = ""
    html = client.get("/behoerden/oberbergamt/").content.decode()
    assert "data-aw-map" not in html
    assert "leaflet.js" not in html
    assert "In OpenStreetMap öffnen" in html
    settings.TILE_URL = "https://tile.example.org/{z}/{x}/{y}.png"
    html = client.get("/behoerden/oberbergamt/").content.decode()
    assert "data-aw-map" in html
    assert re.search(r'<script src="/static/vendor/leaflet/leaflet\.js" nonce="[^"]+" defer>', html)
    assert re.search(r'<script src="/static/directory/map\.js" nonce="[^"]+" defer>', html)
    assert '<link rel="stylesheet" href="/static/vendor/leaflet/leaflet.css">' in html
    assert_csp_clean(html)


def test_sections_from_other_apps_render_in_the_services_block(client, directory_data, tmp_path, settings):
    template_dir = tmp_path / "templates"
    template_dir.mkdir()
    (template_dir / "section.html").write_text(
        '<section id="leistungen">{% for s in section.services %}<p>{{ s }}</p>{% endfor %}</section>'
    )
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], template_dir]}]

    def section(request, authority):
        return {"template": "section.html", "services": ["Bohranzeige <script>"]}

    services.authority_page_section(section)
    try:
        html = client.get("/behoerden/oberbergamt/").content.decode()
    finally:
        services._page_sections.remove(section)
    assert '<section id="leistungen"><p>Bohranzeige &lt;script&gt;</p></section>' in html


@pytest.mark.parametrize(
    "path",
    [
        "/behoerden/unbekannt/",
        "/behoerden/" + "a" * 10_000 + "/",
        "/behoerden/LANDRATSAMT-ERZGEBIRGSKREIS/",
        "/behoerden/%00/",
        "/behoerden/landratsamt-erzgebirgskreis%27%20OR%201=1/",
    ],
)
def test_unknown_or_bad_key_is_a_german_404(client, directory_data, path):
    response = client.get(path)
    assert response.status_code == 404
    text = text_of(response)
    assert "Seite nicht gefunden" in text
    assert "Traceback" not in text


def test_only_get_and_head(client, db):
    assert client.post("/behoerden/").status_code == 405
    assert client.head("/behoerden/").status_code == 200


def test_english_page(client, directory_data):
    client.cookies["django_language"] = "en"
    response = client.get("/behoerden/stadt-leipzig/")
    assert response.status_code == 200
    assert response["Content-Language"] == "en"
    assert '<html lang="en">' in response.content.decode()
    text = text_of(response)
    assert "Martin-Luther-Ring 4–6" in text
    assert "Opening hours this week" in text
    assert "Example hours:" in text
    assert "Öffnungszeiten diese Woche" not in text


def test_english_holiday_names(client, directory_data, frozen):
    frozen(datetime(2026, 4, 3, 10, 0, tzinfo=BERLIN))  # Good Friday
    client.cookies["django_language"] = "en"
    text = text_of(client.get("/behoerden/stadt-leipzig/"))
    assert "Closed – opens Tuesday, 08:00" in text
    assert "Good Friday" in text
    assert "Easter Monday" in text


def test_detail_queries_are_bounded(client, directory_data, django_assert_max_num_queries):
    with django_assert_max_num_queries(15):
        assert client.get("/behoerden/lfulg/").status_code == 200
