"""Pages of the offline Bürgerkoffer: device registry, app shell, offline forms, manifest, service worker."""

from __future__ import annotations

import json

import pytest
from engine_fixtures import login_staff, staff

from amtsweg.accounts.models import StaffMembership
from amtsweg.koffer import services
from amtsweg.koffer.models import Device

pytestmark = pytest.mark.django_db


def test_registry_needs_the_authority_admin_role(client, koffer):
    operator, totp = staff(koffer.world.landratsamt, ("assisted_operator",))
    login_staff(client, operator, totp)
    response = client.get("/verwaltung/buergerkoffer/")
    assert response.status_code == 403
    assert "Für diese Seite fehlt Ihnen die nötige Rolle." in response.text


def test_anonymous_goes_to_the_staff_login(client, koffer):
    response = client.get("/verwaltung/buergerkoffer/neu/")
    assert response.status_code == 302
    assert "next=" in response["Location"]


def test_admin_registers_a_device_and_sees_the_token_once(client, koffer):
    login_staff(client, koffer.admin, koffer.admin_device)
    page = client.get("/verwaltung/buergerkoffer/neu/")
    assert page.status_code == 200
    membership = StaffMembership.objects.get(user=koffer.operator, authority=koffer.world.landratsamt)
    response = client.post(
        "/verwaltung/buergerkoffer/neu/", {"name": "Laptop Koffer 7", "membership": membership.pk}
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    device = Device.objects.get(name="Laptop Koffer 7")
    token = response.context["token"]
    assert token.startswith(device.device_id + ".")
    assert token in response.text
    assert services.authenticate(f"Bearer {token}") == device
    assert device.staff_user == koffer.operator
    assert device.authority == koffer.world.landratsamt
    listing = client.get("/verwaltung/buergerkoffer/")
    assert device.device_id in listing.text
    assert token.partition(".")[2] not in listing.text


def test_admin_cannot_bind_a_device_to_another_authoritys_staff(client, koffer):
    other_operator, _ = staff(koffer.world.stadt, ("assisted_operator",))
    membership = StaffMembership.objects.get(user=other_operator)
    login_staff(client, koffer.admin, koffer.admin_device)
    response = client.post("/verwaltung/buergerkoffer/neu/", {"name": "Fremd", "membership": membership.pk})
    assert response.status_code == 200
    assert "Bitte wählen Sie eine Person aus der Liste." in response.text
    assert not Device.objects.filter(name="Fremd").exists()


def test_admin_revokes_a_device(client, koffer):
    login_staff(client, koffer.admin, koffer.admin_device)
    url = f"/verwaltung/buergerkoffer/{koffer.device.pk}/sperren/"
    assert client.get(url).status_code == 200
    empty = client.post(url, {"reason": ""})
    assert "Bitte nennen Sie den Grund der Sperre." in empty.text
    response = client.post(url, {"reason": "Laptop verloren"}, follow=True)
    assert "ist gesperrt" in response.text
    device = Device.objects.get(pk=koffer.device.pk)
    assert device.is_revoked
    assert device.revoked_by == koffer.admin
    assert device.revoke_reason == "Laptop verloren"


def test_other_authoritys_admin_gets_404_and_cannot_revoke(client, koffer):
    other_admin, other_totp = staff(koffer.world.stadt, ("authority_admin",))
    login_staff(client, other_admin, other_totp)
    url = f"/verwaltung/buergerkoffer/{koffer.device.pk}/sperren/"
    assert client.get(url).status_code == 404
    assert client.post(url, {"reason": "fremd"}).status_code == 404
    assert not Device.objects.get(pk=koffer.device.pk).is_revoked
    assert koffer.device.device_id not in client.get("/verwaltung/buergerkoffer/").text


def test_app_shell_has_no_inline_script_and_links_the_manifest(client, koffer):
    response = client.get("/koffer/")
    assert response.status_code == 200
    html = response.text
    assert 'rel="manifest" href="/koffer/manifest.webmanifest"' in html
    assert "<script>" not in html
    assert "onclick" not in html
    assert "csrf" not in html.lower()
    assert "'nonce-" in response["Content-Security-Policy"]


def test_service_worker_is_served_with_scope_and_type(client):
    response = client.get("/koffer/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/koffer/"
    assert response["Cache-Control"] == "no-cache"
    assert 'const SCOPE = "/koffer/";' in response.text
    assert "/koffer/api/" in response.text


def test_manifest(client):
    response = client.get("/koffer/manifest.webmanifest")
    assert response["Content-Type"].startswith("application/manifest+json")
    manifest = json.loads(response.text)
    assert manifest["start_url"] == "/koffer/"
    assert manifest["scope"] == "/koffer/"
    assert manifest["display"] == "standalone"
    assert manifest["icons"]


def test_offline_form_renders_all_steps_without_uploads(client, koffer):
    response = client.get("/koffer/formular/test-bohrung/")
    assert response.status_code == 200
    html = response.text
    for name in ("bezeichnung", "plz", "tiefe", "beginn", "ende"):
        assert f'data-koffer-field="{name}"' in html
    assert 'data-koffer-field="lageplan"' not in html
    assert "Lageplan" in html  # named as not captured offline
    assert 'name="koffer_identification" value="ausweis_gesehen"' in html
    assert 'id="koffer-signature"' in html


def test_offline_form_of_unknown_or_upload_procedure_is_404(client, koffer):
    assert client.get("/koffer/formular/gibt-es-nicht/").status_code == 404
    assert client.get("/koffer/formular/test-gewerbe/").status_code == 404
