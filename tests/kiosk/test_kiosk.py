"""Kiosk mode, terminal registration and video consultation through HTTP (Django's client)."""

from __future__ import annotations

import base64
import json
import uuid

import pytest
from django.test import Client
from engine_fixtures import full_values, login_citizen, login_staff, small_pdf, staff
from kiosk_helpers import make_site, png

from amtsweg.kiosk import services
from amtsweg.kiosk.models import CallDocument, Terminal, VideoRequest

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(world):
    from amtsweg.catalog.models import Service

    return make_site(world.landratsamt, services=Service.objects.filter(key="test-gewerbe"))


@pytest.fixture
def admin(world):
    return staff(world.landratsamt, ("authority_admin",))


@pytest.fixture
def operator(world):
    return staff(world.landratsamt, ("assisted_operator",))


@pytest.fixture
def terminal(site, admin):
    return services.register_terminal(site, "Terminal Foyer", admin[0])


def kiosk_client(token) -> Client:
    client = Client()
    client.cookies[services.COOKIE_NAME] = token
    return client


# --- registration ------------------------------------------------------------------------------------------


def test_admin_registers_a_terminal_token_shown_once_stored_hashed(site, admin):
    client = login_staff(Client(), *admin)
    response = client.post("/verwaltung/terminals/", {"standort": site.pk, "name": "Terminal Foyer"})
    assert response.status_code == 200
    token = response.context["new_token"]
    assert token.startswith("bt_")
    stored = Terminal.objects.get()
    assert stored.token_sha256 == services.hash_token(token)
    assert token not in json.dumps(list(Terminal.objects.values()), default=str)
    again = client.get("/verwaltung/terminals/")
    assert token not in again.content.decode()
    assert "Terminal Foyer" in again.content.decode()


def test_admin_cannot_register_for_another_authoritys_site(world, admin):
    foreign = make_site(world.stadt)
    client = login_staff(Client(), *admin)
    response = client.post("/verwaltung/terminals/", {"standort": foreign.pk, "name": "Fremd"})
    assert response.status_code == 422
    assert "Standort Ihrer Behörde" in response.content.decode()
    assert not Terminal.objects.exists()
    with pytest.raises(services.KioskError):
        services.register_terminal(foreign, "Fremd", admin[0])


def test_operator_without_admin_role_cannot_register(site, operator):
    client = login_staff(Client(), *operator)
    response = client.post("/verwaltung/terminals/", {"standort": site.pk, "name": "X"})
    assert response.status_code == 403
    assert not Terminal.objects.exists()


def test_admin_cannot_revoke_another_authoritys_terminal(world, terminal):
    other_admin = staff(world.stadt, ("authority_admin",))
    client = login_staff(Client(), *other_admin)
    response = client.post(f"/verwaltung/terminals/{terminal[0].public_id}/sperren/")
    assert response.status_code == 404
    terminal[0].refresh_from_db()
    assert terminal[0].revoked_at is None


# --- kiosk mode ---------------------------------------------------------------------------------------------


def test_activation_sets_device_cookie_and_start_screen_lists_site_services(terminal, site):
    _, token = terminal
    client = Client()
    response = client.post("/kiosk/aktivieren/", {"geraetecode": token})
    assert response.status_code == 302
    cookie = response.cookies[services.COOKIE_NAME]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Strict"
    start = client.get("/kiosk/")
    body = start.content.decode()
    assert start.status_code == 200
    assert "Willkommen am Bürgerterminal" in body
    assert "Leistung test-gewerbe" in body
    assert "/antrag/test-gewerbe/" in body
    assert "Mit einer Person sprechen" in body
    assert 'class="aw-kiosk"' in body
    assert start["Cache-Control"] == "no-store"


def test_forged_device_token_is_refused(terminal):
    response = Client().post("/kiosk/aktivieren/", {"geraetecode": "bt_gefaelscht"})
    assert response.status_code == 403
    assert "Gerätecode ist ungültig" in response.content.decode()
    assert services.COOKIE_NAME not in response.cookies
    forged = kiosk_client("bt_" + "A" * 43).get("/kiosk/")
    assert forged.status_code == 403
    assert "Gerätecode dieses Terminals ist ungültig" in forged.content.decode()
    assert forged.cookies[services.COOKIE_NAME].value == ""  # deleted


def test_revoked_terminal_is_refused_at_its_next_request(terminal, admin):
    device, token = terminal
    client = kiosk_client(token)
    assert client.get("/kiosk/").status_code == 200
    admin_client = login_staff(Client(), *admin)
    assert admin_client.post(f"/verwaltung/terminals/{device.public_id}/sperren/").status_code == 302
    response = client.get("/kiosk/")
    assert response.status_code == 403
    assert "gesperrt" in response.content.decode()
    again = Client().post("/kiosk/aktivieren/", {"geraetecode": token})
    assert again.status_code == 403
    assert "gesperrt" in again.content.decode()


def test_kiosk_session_cannot_reach_the_back_office(terminal, operator):
    _, token = terminal
    client = login_staff(kiosk_client(token), *operator)  # even a staff login on the terminal
    for path in ("/verwaltung/", "/verwaltung/video/", "/verwaltung/assistiert/", "/betrieb/admin/"):
        response = client.get(path)
        assert response.status_code == 403, path
        assert "Verwaltungsbereich nicht erreichbar" in response.content.decode()


def test_reset_wipes_session_and_sends_clear_site_data(world, terminal):
    _, token = terminal
    client = login_citizen(kiosk_client(token), world.citizen)
    before = client.get("/kiosk/")
    assert before.wsgi_request.user.is_authenticated
    old_csrf = before.cookies["csrftoken"].value
    response = client.get("/kiosk/neu/")
    assert response.status_code == 200
    assert response["Clear-Site-Data"] == '"cache", "storage"'
    assert response.cookies["sessionid"].value == ""
    assert response.cookies["csrftoken"].value != old_csrf  # a fresh token for the next person
    assert services.COOKIE_NAME not in response.cookies  # the device stays in kiosk mode
    assert "Alle Ihre Angaben wurden von diesem Gerät gelöscht" in response.content.decode()
    assert not client.get("/kiosk/").wsgi_request.user.is_authenticated


def test_kiosk_pages_without_device_go_to_activation():
    response = Client().get("/kiosk/")
    assert response.status_code == 302
    assert response["Location"] == "/kiosk/aktivieren/"


# --- video --------------------------------------------------------------------------------------------------


def test_video_request_without_staff_online_offers_an_appointment(terminal, site):
    _, token = terminal
    response = kiosk_client(token).post("/kiosk/video/")
    assert response.status_code == 503
    body = response.content.decode()
    assert "niemand für ein Videogespräch erreichbar" in body
    assert f"/termine/standort/{site.slug}/" in body
    assert not VideoRequest.objects.exists()


def test_video_queue_accept_and_signalling(world, terminal, operator):
    _, token = terminal
    staff_client = login_staff(Client(), *operator)
    assert staff_client.get("/verwaltung/video/").status_code == 200  # marks the operator present
    kiosk = kiosk_client(token)
    response = kiosk.post("/kiosk/video/")
    assert response.status_code == 302
    video = VideoRequest.objects.get()
    assert response["Location"] == f"/kiosk/video/{video.public_id}/"
    assert kiosk.get(response["Location"]).status_code == 200
    status = kiosk.get(f"/kiosk/video/{video.public_id}/status/").json()
    assert status == {"status": "wartet", "position": 1}
    queue = staff_client.get("/verwaltung/video/warteschlange.json").json()["queue"]
    assert [item["id"] for item in queue] == [str(video.public_id)]
    # Signals before the call is accepted are refused.
    early = kiosk.post(
        f"/kiosk/video/{video.public_id}/signal/",
        json.dumps({"kind": "offer", "payload": {}}),
        "application/json",
    )
    assert early.status_code == 409
    assert staff_client.post(f"/verwaltung/video/{video.public_id}/annehmen/").status_code == 302
    assert kiosk.get(f"/kiosk/video/{video.public_id}/status/").json()["status"] == "angenommen"
    offer = {"kind": "offer", "payload": {"type": "offer", "sdp": "v=0"}}
    assert (
        kiosk.post(
            f"/kiosk/video/{video.public_id}/signal/", json.dumps(offer), "application/json"
        ).status_code
        == 201
    )
    got = staff_client.get(f"/verwaltung/video/{video.public_id}/signal/?nach=0").json()
    assert [s["kind"] for s in got["signals"]] == ["offer"]
    answer = {"kind": "answer", "payload": {"type": "answer", "sdp": "v=0"}}
    staff_client.post(f"/verwaltung/video/{video.public_id}/signal/", json.dumps(answer), "application/json")
    back = kiosk.get(f"/kiosk/video/{video.public_id}/signal/?nach=0").json()
    assert [s["kind"] for s in back["signals"]] == ["answer"]
    bad = kiosk.post(f"/kiosk/video/{video.public_id}/signal/", "{kaputt", "application/json")
    assert bad.status_code == 400
    unknown = kiosk.post(
        f"/kiosk/video/{video.public_id}/signal/",
        json.dumps({"kind": "exec", "payload": {}}),
        "application/json",
    )
    assert unknown.status_code == 409
    # A second operator cannot take the same call.
    second = login_staff(Client(), *staff(world.landratsamt, ("assisted_operator",)))
    assert second.get(f"/verwaltung/video/{video.public_id}/").status_code == 404
    assert staff_client.post(f"/verwaltung/video/{video.public_id}/beenden/").status_code == 302
    video.refresh_from_db()
    assert video.status == "beendet"


def test_other_authoritys_queue_is_not_visible(world, terminal, operator):
    _, token = terminal
    login_staff(Client(), *operator).get("/verwaltung/video/")
    kiosk_client(token).post("/kiosk/video/")
    video = VideoRequest.objects.get()
    foreign = login_staff(Client(), *staff(world.stadt, ("assisted_operator",)))
    assert foreign.get("/verwaltung/video/warteschlange.json").json()["queue"] == []
    assert foreign.post(f"/verwaltung/video/{video.public_id}/annehmen/").status_code == 404
    assert foreign.get(f"/verwaltung/video/{video.public_id}/signal/").status_code == 404
    video.refresh_from_db()
    assert video.status == "wartet"


def test_another_terminal_cannot_use_a_call(world, site, admin, terminal, operator):
    _, token = terminal
    login_staff(Client(), *operator).get("/verwaltung/video/")
    kiosk_client(token).post("/kiosk/video/")
    video = VideoRequest.objects.get()
    _, other_token = services.register_terminal(site, "Terminal 2", admin[0])
    other = kiosk_client(other_token)
    assert other.get(f"/kiosk/video/{video.public_id}/status/").status_code == 404


def test_presence_expires(world, terminal, operator, settings):
    from django.utils import timezone

    from amtsweg.kiosk.models import StaffPresence

    _, token = terminal
    login_staff(Client(), *operator).get("/verwaltung/video/")
    StaffPresence.objects.update(last_seen_at=timezone.now() - timezone.timedelta(seconds=120))
    assert kiosk_client(token).post("/kiosk/video/").status_code == 503


def test_operator_attaches_a_scanned_document_to_a_case(world, terminal, operator):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from amtsweg.cases.models import AuditEvent

    _, token = terminal
    staff_client = login_staff(Client(), *operator)
    staff_client.get("/verwaltung/video/")
    kiosk_client(token).post("/kiosk/video/")
    video = VideoRequest.objects.get()
    staff_client.post(f"/verwaltung/video/{video.public_id}/annehmen/")
    # A case of the operator's authority, filed with assistance during the call.
    from amtsweg.assisted.filing import file_for_citizen

    values = full_values("test-bohrung")
    case, _ = file_for_citizen(
        "test-bohrung",
        values,
        operator=operator[0],
        identification="eid",
        consent_given=True,
        signature_png=png(),
        channel="terminal",
        idempotency_key=uuid.uuid4(),
    )
    assert case.authority == world.landratsamt
    upload = SimpleUploadedFile("scan.pdf", small_pdf("Lageplan"), "application/pdf")
    response = staff_client.post(
        f"/verwaltung/video/{video.public_id}/dokument/", {"dokument": upload, "vorgang": case.number}
    )
    assert response.status_code == 302
    document = CallDocument.objects.get()
    assert document.case == case
    assert AuditEvent.objects.filter(case=case, kind="call_document_attached").exists()
    download = staff_client.get(f"/verwaltung/video/dokumente/{document.pk}/")
    assert download.status_code == 200
    assert b"Lageplan" in download.content
    # Not a PDF: refused with a message, nothing stored.
    fake = SimpleUploadedFile("scan.pdf", b"MZ not a pdf", "application/pdf")
    staff_client.post(f"/verwaltung/video/{video.public_id}/dokument/", {"dokument": fake})
    assert CallDocument.objects.count() == 1
    # A case number of another authority is refused.
    with pytest.raises(services.KioskError):
        services.attach_document(
            video,
            operator[0],
            SimpleUploadedFile("a.pdf", small_pdf(), "application/pdf"),
            "STADT-FREIBERG-2026-000001",
        )


# --- assisted filing through the staff page -----------------------------------------------------------------


def test_staff_file_an_application_with_signature(world, operator):
    from amtsweg.assisted.models import AssistedFiling

    client = login_staff(Client(), *operator)
    assert client.get("/verwaltung/assistiert/").status_code == 200
    page = client.get("/verwaltung/assistiert/antrag/test-abmeldung/")
    assert page.status_code == 200
    key = page.context["key"]
    data = dict(full_values("test-abmeldung"))
    data.update(
        {
            "schluessel": key,
            "identifizierung": "ausweis_gesehen",
            "einwilligung": "ja",
            "unterschrift": "data:image/png;base64," + base64.b64encode(png()).decode(),
        }
    )
    response = client.post("/verwaltung/assistiert/antrag/test-abmeldung/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    record = AssistedFiling.objects.get()
    receipt = client.get(response["Location"])
    assert receipt.status_code == 200
    assert record.case.number in receipt.content.decode()
    # A replayed POST files nothing new.
    assert client.post("/verwaltung/assistiert/antrag/test-abmeldung/", data).status_code == 302
    assert AssistedFiling.objects.count() == 1


def test_staff_filing_without_signature_or_consent_is_refused(world, operator):
    client = login_staff(Client(), *operator)
    data = dict(full_values("test-abmeldung"))
    data.update({"schluessel": str(uuid.uuid4()), "identifizierung": "ausweis_gesehen", "einwilligung": "ja"})
    response = client.post("/verwaltung/assistiert/antrag/test-abmeldung/", data)
    assert response.status_code == 422
    assert "Unterschrift fehlt" in response.content.decode()
    data["unterschrift"] = "data:image/png;base64," + base64.b64encode(png()).decode()
    data.pop("einwilligung")
    response = client.post("/verwaltung/assistiert/antrag/test-abmeldung/", data)
    assert response.status_code == 422
    assert "Einwilligung" in response.content.decode()
