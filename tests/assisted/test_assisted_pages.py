"""The public pages over HTTP: map and list with filters, booking with double opt-in, manage links, open
data."""

import base64
import json
import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from icalendar import Calendar

from amtsweg.assisted import booking
from amtsweg.assisted.models import Appointment, Slot
from assisted import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client):
    client.defaults["SERVER_NAME"] = "localhost"
    return client


@pytest.fixture
def world(vogtland):
    """A published Vogtland tour with a stop in Weischlitz (near Plauen), a Görlitz tour, a terminal."""
    plauen_tour = factories.tour(
        vogtland, stops=(("Gemeindeamt Weischlitz", "Weischlitz"), ("Rathaus Treuen", "Treuen"))
    )
    goerlitz = factories.authority("14626")
    other = factories.tour(goerlitz, stops=(("Rathaus Niesky", "Niesky"),))
    terminal = factories.site(
        vogtland, kind="terminal", name="Bürgerterminal Auerbach", rules=False, lat=50.51155, lon=12.40083
    )
    return {
        "stop": factories.first_stop(plauen_tour),
        "tour": plauen_tour,
        "other": factories.first_stop(other),
        "terminal": terminal,
    }


def _map_items(response) -> list[dict]:
    match = re.search(
        r'<script id="aw-vor-ort-daten" type="application/json">(.*?)</script>', response.text, re.S
    )
    assert match, "the map's data block is on the page"
    return json.loads(match.group(1))["items"]


def test_map_shows_every_location_in_map_data_and_list(client, world):
    response = client.get(reverse("assisted:map"))
    assert response.status_code == 200
    items = _map_items(response)
    names = {item["name"] for item in items}
    assert {"Gemeindeamt Weischlitz", "Rathaus Treuen", "Rathaus Niesky", "Bürgerterminal Auerbach"} <= names
    for name in names:
        assert name in response.text  # the list view has the same content
    assert 'src="/static/vendor/leaflet/leaflet.js"' in response.text
    assert "/static/assisted/map.js" in response.text
    assert reverse("assisted_api:locations") in response.text
    assert reverse("assisted_api:district_ics", args=["14523"]) in response.text
    stop = next(i for i in items if i["name"] == "Gemeindeamt Weischlitz")
    assert stop["type"] == "buergerkoffer"
    assert stop["booking_url"]
    assert stop["next_text"].startswith("Nächster Halt")


def test_district_and_type_filters_work_without_javascript(client, world):
    response = client.get(reverse("assisted:list"), {"kreis": "14523", "typ": "buergerkoffer"})
    assert response.status_code == 200
    assert "Gemeindeamt Weischlitz" in response.text
    assert "Rathaus Niesky" not in response.text
    assert "Bürgerterminal Auerbach" not in response.text
    assert "leaflet.js" not in response.text  # the list view needs no script


def test_near_a_place_sorts_by_distance(client, world):
    response = client.get(reverse("assisted:list"), {"ort": "Plauen", "typ": "buergerkoffer"})
    text = response.text
    assert "sortiert nach Entfernung von Plauen" in text
    assert text.index("Gemeindeamt Weischlitz") < text.index("Rathaus Treuen") < text.index("Rathaus Niesky")
    assert re.search(r"ca\. \d+ km Luftlinie von Plauen", text)


def test_date_filter(client, world):
    day = factories.local(world["stop"].starts_at).date()
    params = {"datum": day.strftime("%d.%m.%Y"), "typ": "buergerkoffer"}
    assert "Gemeindeamt Weischlitz" in client.get(reverse("assisted:list"), params).text
    other_day = factories.next_working_day(1, day)
    params = {"datum": other_day.isoformat(), "typ": "buergerkoffer"}
    assert "Gemeindeamt Weischlitz" not in client.get(reverse("assisted:list"), params).text


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"datum": "32.13.2026"}, "Bitte geben Sie ein Datum wie 03.12.2026 an."),
        ({"ort": "Atlantis"}, "Den Ort „Atlantis“ kennen wir nicht"),
        ({"ort": "10115"}, "liegt nach unseren Daten nicht in Sachsen"),
        ({"ort": "x" * 500}, "höchstens 100 Zeichen"),
        ({"kreis": "99999"}, "Diesen Kreis gibt es in Sachsen nicht"),
        ({"typ": "ufo"}, "Diese Art gibt es nicht"),
        ({"leistung": "<script>"}, "Diese Leistung wird vor Ort nicht angeboten"),
    ],
)
def test_bad_filters_say_what_is_wrong_and_still_show_the_list(client, world, params, message):
    response = client.get(reverse("assisted:map"), params)
    assert response.status_code == 200
    assert message in response.text
    assert "Gemeindeamt Weischlitz" in response.text


def test_outline_for_the_offline_map(client, regions):
    response = client.get(reverse("assisted:outline"))
    assert response["Content-Type"] == "application/geo+json"
    data = json.loads(response.content)
    assert data["features"][0]["properties"]["name"] == "Sachsen"


def test_english_pages(client, world):
    client.cookies["django_language"] = "en"
    response = client.get(reverse("assisted:map"), HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="en">' in response.text
    assert "Citizen terminals and the mobile citizen office" in response.text


# --- booking over HTTP --------------------------------------------------------------------------------------


def _form(stop, **extra):
    data = {
        "termin": factories.local(stop.starts_at).strftime("%Y-%m-%dT%H:%M"),
        "name": "Erika Beispiel",
        "email": "erika@example.org",
        "telefon": "03741 123456",
        "datenschutz": "on",
    }
    data.update(extra)
    return data


def test_book_confirm_manage_cancel(client, world, mailoutbox):
    stop = world["stop"]
    url = reverse("assisted:book_stop", args=[stop.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="termin"' in page.text
    assert "Termin verbindlich anfragen" in page.text

    response = client.post(url, _form(stop))
    assert response.status_code == 302
    assert response["Location"] == reverse("assisted:check_email")
    assert "er…@example.org" in client.get(response["Location"]).text
    appointment = Appointment.objects.get()
    assert appointment.status == Appointment.Status.PENDING

    factories.drain()
    link = factories.link_from(mailoutbox[0].body, "/termine/bestaetigen/")
    path = link.replace("http://127.0.0.1:8000", "")
    confirm_page = client.get(path)
    assert confirm_page.status_code == 200
    assert "Termin verbindlich bestätigen" in confirm_page.text
    assert Appointment.objects.get().status == Appointment.Status.PENDING, (
        "GET does not confirm (link scanners)"
    )
    done = client.post(path)
    assert done.status_code == 302
    manage = client.get(done["Location"])
    assert "Ihr Termin ist bestätigt" in manage.text
    assert appointment.reference in manage.text
    token = done["Location"].split("/verwalten/")[1].strip("/")
    qr_url = reverse("assisted:qr", args=[token])
    assert f'src="{qr_url}"' in manage.text
    qr = client.get(qr_url)
    assert qr["Content-Type"] == "image/png"
    assert qr.content.startswith(b"\x89PNG")
    ics = client.get(reverse("assisted:ics", args=[token]))
    assert ics["Content-Type"].startswith("text/calendar")
    event = Calendar.from_ical(ics.content).walk("VEVENT")[0]
    assert event.decoded("DTSTART") == factories.local(stop.starts_at)

    cancelled = client.post(reverse("assisted:cancel", args=[token]))
    assert cancelled.status_code == 200
    assert "Ihr Termin ist abgesagt" in cancelled.text
    assert Appointment.objects.get().status == Appointment.Status.CANCELLED
    assert Slot.objects.get().booked == 0
    again = client.post(reverse("assisted:cancel", args=[token]))
    assert again.status_code == 400
    assert "gilt nicht mehr" in again.text


@pytest.mark.parametrize(
    ("change", "status", "message"),
    [
        ({"termin": "2020-01-06T09:00"}, 400, "liegt in der Vergangenheit"),
        ({"termin": "2099-01-05T09:00"}, 400, "höchstens 90 Tage im Voraus"),
        ({"termin": "kaputt"}, 400, "Bitte wählen Sie einen Termin aus der Liste."),
        ({"termin": ""}, 400, "Bitte wählen Sie einen Termin aus."),
        ({"datenschutz": ""}, 400, "Bitte stimmen Sie der Speicherung"),
        ({"email": "nicht-gueltig"}, 400, "gültige E-Mail-Adresse"),
        ({"name": "x" * 5000}, 400, "höchstens 200 Zeichen"),
    ],
)
def test_bad_booking_input(client, world, change, status, message):
    stop = world["stop"]
    response = client.post(reverse("assisted:book_stop", args=[stop.pk]), _form(stop, **change))
    assert response.status_code == status
    assert message in response.text
    assert not Appointment.objects.exists()


def test_slot_just_taken_offers_the_next_free_slots(client, world):
    stop = world["stop"]
    url = reverse("assisted:book_stop", args=[stop.pk])
    client.post(url, _form(stop, email="first@example.org"))
    response = client.post(url, _form(stop, email="second@example.org"))
    assert response.status_code == 409
    assert "wurde gerade vergeben" in response.text
    assert "Die nächsten freien Termine" in response.text
    start = factories.local(stop.starts_at)
    second_slot = start.replace(minute=start.minute + 15)
    assert second_slot.strftime("%H:%M") in response.text
    assert Appointment.objects.count() == 1


def test_rate_limit_per_client_address(client, world, settings):
    settings.ASSISTED_RATE_PER_IP = 3
    stop = world["stop"]
    url = reverse("assisted:book_stop", args=[stop.pk])
    statuses = [
        client.post(url, _form(stop, email=f"bot{i}@example.org", termin="kaputt")).status_code
        for i in range(4)
    ]
    assert statuses == [400, 400, 400, 429]
    response = client.post(url, _form(stop, email="real@example.org"))
    assert response.status_code == 429
    assert "sehr viele Buchungsversuche" in response.text
    assert not Appointment.objects.exists()
    cache.clear()
    assert client.post(url, _form(stop, email="real@example.org")).status_code == 302


def test_rate_limit_per_email_address(client, world, settings):
    settings.ASSISTED_RATE_PER_EMAIL = 2
    stop = world["stop"]
    url = reverse("assisted:book_stop", args=[stop.pk])
    for i in range(2):
        client.post(url, _form(stop, termin="kaputt"), REMOTE_ADDR=f"10.0.0.{i}")
    response = client.post(url, _form(stop), REMOTE_ADDR="10.0.0.99")
    assert response.status_code == 429
    assert "Für diese E-Mail-Adresse" in response.text


def test_honeypot_books_nothing(client, world):
    stop = world["stop"]
    response = client.post(reverse("assisted:book_stop", args=[stop.pk]), _form(stop, website="http://spam"))
    assert response.status_code == 302
    assert not Appointment.objects.exists()


@pytest.mark.parametrize("token", ["abc", "x" * 400, "eyJpIjoxfQ:1abc:def"])
def test_tampered_links_give_a_german_page(client, world, token):
    for name in ("assisted:confirm", "assisted:manage", "assisted:ics", "assisted:qr"):
        response = client.get(reverse(name, args=[token]))
        assert response.status_code == 400, name
        assert "Dieser Link ist ungültig oder unvollständig" in response.text
    assert client.post(reverse("assisted:cancel", args=[token])).status_code == 400


def test_forged_token_for_another_appointment_is_refused(client, world):
    stop = world["stop"]
    appointment = booking.book(stop, stop.starts_at, name="Erika", email="e@example.org")
    token = booking.manage_token(appointment)
    payload, rest = token.split(":", 1)
    forged = base64.urlsafe_b64encode(b'{"i":999,"n":"x"}').decode().rstrip("=")
    assert payload != forged
    response = client.get(reverse("assisted:manage", args=[f"{forged}:{rest}"]))
    assert response.status_code == 400
    assert "ungültig" in response.text


def test_draft_stops_are_not_public(client, vogtland):
    draft = factories.tour(vogtland, publish=False)
    stop = factories.first_stop(draft)
    assert client.get(reverse("assisted:stop", args=[stop.pk])).status_code == 404
    assert client.get(reverse("assisted:book_stop", args=[stop.pk])).status_code == 404
    assert stop.name not in client.get(reverse("assisted:map")).text


def test_site_booking_page_pages_through_weeks(client, vogtland):
    office = factories.site(vogtland, slug="buergerbuero-test")
    url = reverse("assisted:book_site", args=["buergerbuero-test"])
    page = client.get(url)
    assert page.status_code == 200
    assert "Spätere Tage" in page.text
    following = re.search(r'href="\?ab=(\d{4}-\d{2}-\d{2})"', page.text).group(1)
    assert client.get(url, {"ab": following}).status_code == 200
    assert client.get(url, {"ab": "kaputt"}).status_code == 200
    assert office.slot_rules.count() == 5


# --- open data ----------------------------------------------------------------------------------------------


def test_geojson_of_all_public_locations(client, world):
    response = client.get(reverse("assisted_api:locations"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/geo+json")
    data = json.loads(response.content)
    assert data["type"] == "FeatureCollection"
    names = {f["properties"]["name"] for f in data["features"]}
    assert {"Gemeindeamt Weischlitz", "Rathaus Niesky", "Bürgerterminal Auerbach"} <= names
    feature = next(f for f in data["features"] if f["properties"]["name"] == "Gemeindeamt Weischlitz")
    lon, lat = feature["geometry"]["coordinates"]
    assert 50 < lat < 51
    assert 11.9 < lon < 12.2
    assert feature["properties"]["url"].startswith("http")
    assert feature["properties"]["demo"] is False


def test_icalendar_feed_per_district(client, world):
    response = client.get(reverse("assisted_api:district_ics", args=["14523"]))
    assert response.status_code == 200
    calendar = Calendar.from_ical(response.content)
    summaries = [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")]
    assert any("Weischlitz" in s for s in summaries)
    assert not any("Niesky" in s for s in summaries)
    assert [str(t["TZID"]) for t in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]


@pytest.mark.parametrize(
    ("ags", "status", "text"),
    [
        ("99999", 404, "keinen sächsischen Kreis"),
        ("abcde", 400, "fünf Ziffern"),
        ("1452", 400, "fünf Ziffern"),
    ],
)
def test_icalendar_feed_bad_district(client, regions, ags, status, text):
    response = client.get(f"/api/v1/standorte/{ags}.ics")
    assert response.status_code == status
    assert text in response.json()["error"]["message"]
