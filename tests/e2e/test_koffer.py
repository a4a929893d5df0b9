"""The offline Bürgerkoffer in a real browser at 1024×768: set up the device, go offline, reload the app from
the service worker, capture two applications without network, go online again: both arrive exactly once as
cases and the device store is empty. Every app page passes axe-core."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "procedures"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "koffer"))

from engine_fixtures import engine_settings as engine_settings
from engine_fixtures import key_pool as key_pool
from engine_fixtures import shared_key_dir as shared_key_dir
from engine_fixtures import shared_pki_dir as shared_pki_dir
from engine_fixtures import staff
from engine_fixtures import test_procedures as test_procedures
from engine_fixtures import world as world
from koffer_helpers import tour_for

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture then skips (or fails with CI=true)
    expect = None

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PIN = "482913"
PROCEDURE = "Testanzeige Bohrung (an mehrere Behörden)"

COUNT_ITEMS = """
async () => await new Promise((resolve, reject) => {
  const open = indexedDB.open("amtsweg-koffer");
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const db = open.result;
    if (!db.objectStoreNames.contains("items")) { db.close(); resolve([]); return; }
    const req = db.transaction("items").objectStore("items").getAll();
    req.onsuccess = () => { db.close(); resolve(req.result); };
    req.onerror = () => reject(req.error);
  };
})
"""


def _sign(page):
    pad = page.locator("#koffer-signature")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    x, y = box["x"], box["y"]
    page.mouse.move(x + 30, y + box["height"] * 0.7)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(x + 30 + step * 25, y + box["height"] * (0.3 if step % 2 else 0.7))
    page.mouse.up()


def _capture(page, name, depth, assert_accessible=None):
    page.get_by_role("button", name=f"Antrag erfassen: {PROCEDURE}").click()
    expect(page.locator("#koffer-capture-title")).to_contain_text(PROCEDURE)
    page.get_by_label("Bezeichnung der Bohrung").fill(name)
    page.get_by_label("Postleitzahl des Bohrorts").fill("09599")
    page.get_by_label("Endtiefe in Metern").fill(depth)
    page.get_by_label("geplanter Beginn").fill("2027-03-01")
    page.get_by_label("geplantes Ende").fill("2027-03-10")
    if assert_accessible:
        # Saving without identification, consent and signature: a list of what is missing, focused.
        page.get_by_role("button", name="Antrag verschlüsselt auf dem Gerät speichern").click()
        expect(page.locator("#koffer-form-errors")).to_contain_text("wie die Person identifiziert wurde")
        expect(page.locator("#koffer-form-errors")).to_contain_text("unterschreiben")
        assert_accessible(page)
    page.get_by_label("Ausweis von mir geprüft").check()
    page.get_by_label("Die Person ist einverstanden").check()
    _sign(page)
    page.get_by_role("button", name="Antrag verschlüsselt auf dem Gerät speichern").click()
    expect(page.locator("#koffer-message")).to_contain_text("verschlüsselt auf dem Gerät gespeichert")


def test_capture_offline_then_sync_exactly_once(page, world, assert_accessible, browser_errors):
    from amtsweg.assisted.models import AssistedFiling
    from amtsweg.cases.models import Case
    from amtsweg.koffer import services
    from amtsweg.koffer.models import SyncItem

    # Offline, the browser reports the failed network attempts (before the cache answers) as console errors.
    browser_errors.allow("ERR_INTERNET_DISCONNECTED")
    page.set_viewport_size({"width": 1024, "height": 768})
    authority = world.landratsamt
    admin, _ = staff(authority, ("authority_admin",))
    operator, _ = staff(authority, ("assisted_operator",))
    _device, token = services.register_device(authority, operator, "Laptop Koffer 1", by=admin)
    tour = tour_for(authority, world.district)

    # Set up the device (online once).
    page.goto("/koffer/")
    expect(page.get_by_role("heading", name="Gerät einrichten")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Gerätekennung").fill(token)
    page.get_by_label("PIN (mindestens 6 Ziffern)").fill(PIN)
    page.get_by_label("PIN wiederholen").fill(PIN)
    page.get_by_role("button", name="Gerät einrichten").click()
    expect(page.get_by_role("heading", name=f"{tour.title} ({tour.date:%d.%m.%Y})")).to_be_visible()
    page.evaluate("async () => { await navigator.serviceWorker.ready; }")
    # Reload once online, so the service worker (now in control) stores everything the app loads.
    page.reload()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    expect(page.get_by_role("heading", name="Entsperren")).to_be_visible()

    # No network from here on: the app itself comes from the service worker's cache.
    page.context.set_offline(True)
    page.reload()
    expect(page.get_by_role("heading", name="Entsperren")).to_be_visible()
    expect(page.locator("#koffer-net")).to_contain_text("offline")
    page.get_by_label("PIN", exact=True).fill("000000")
    page.get_by_role("button", name="Entsperren").click()
    expect(page.locator("#koffer-message")).to_have_text("Die PIN ist falsch.")
    page.get_by_label("PIN", exact=True).fill(PIN)
    page.get_by_role("button", name="Entsperren").click()
    expect(page.get_by_role("button", name=f"Antrag erfassen: {PROCEDURE}")).to_be_visible()
    assert_accessible(page)

    _capture(page, "Erdwärmesonde Quirlwitz-7", "120", assert_accessible)
    _capture(page, "Erdwärmesonde Quirlwitz-8", "95")
    expect(page.locator("#koffer-queue li")).to_have_count(2)
    expect(page.locator("#koffer-queue-count")).to_contain_text("2 Antrag/Anträge warten")
    assert_accessible(page)
    stored = page.evaluate(COUNT_ITEMS)
    assert len(stored) == 2
    assert all("Quirlwitz" not in str(item) and "09599" not in str(item) for item in stored)  # encrypted
    assert not Case.objects.exists()

    # Back online: the app syncs by itself; both arrive once, and the device forgets them.
    page.context.set_offline(False)
    expect(page.locator("#koffer-queue-count")).to_have_text(
        "Keine Anträge auf diesem Gerät.", timeout=30_000
    )
    expect(page.locator("#koffer-message")).to_contain_text("2 Antrag/Anträge übertragen")
    assert Case.objects.filter(procedure_key="test-bohrung").count() == 2
    assert SyncItem.objects.count() == 2
    assert AssistedFiling.objects.filter(channel="buergerkoffer", operator=operator).count() == 2
    numbers = set(SyncItem.objects.values_list("case_number", flat=True))
    assert numbers == set(Case.objects.values_list("number", flat=True))
    assert page.evaluate(COUNT_ITEMS) == []

    # A second sync sends nothing and files nothing.
    page.get_by_role("button", name="Jetzt übertragen").click()
    assert Case.objects.count() == 2

    # 200 % zoom of a 1024×768 screen (512×384 CSS pixels): nothing needs horizontal scrolling.
    page.set_viewport_size({"width": 512, "height": 384})
    page.get_by_role("button", name=f"Antrag erfassen: {PROCEDURE}").click()
    expect(page.get_by_label("Bezeichnung der Bohrung")).to_be_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert_accessible(page)


def test_revoked_device_wipes_its_store(page, world, assert_accessible, browser_errors):
    from amtsweg.koffer import services

    browser_errors.allow("403 (Forbidden)")  # the server's refusal of the revoked device
    page.set_viewport_size({"width": 1024, "height": 768})
    authority = world.landratsamt
    admin, _ = staff(authority, ("authority_admin",))
    operator, _ = staff(authority, ("assisted_operator",))
    device, token = services.register_device(authority, operator, "Laptop Koffer 2", by=admin)
    tour_for(authority, world.district)
    page.goto("/koffer/")
    page.get_by_label("Gerätekennung").fill(token)
    page.get_by_label("PIN (mindestens 6 Ziffern)").fill(PIN)
    page.get_by_label("PIN wiederholen").fill(PIN)
    page.get_by_role("button", name="Gerät einrichten").click()
    expect(page.get_by_role("button", name=f"Antrag erfassen: {PROCEDURE}")).to_be_visible()
    _capture(page, "Erdwärmesonde Quirlwitz-9", "80")  # online: synced at once
    expect(page.locator("#koffer-queue-count")).to_have_text("Keine Anträge auf diesem Gerät.")

    services.revoke_device(device, by=admin, reason="Laptop verloren")
    page.get_by_role("button", name="Jetzt übertragen").click()
    page.get_by_role("button", name="Sperren", exact=True).click()
    page.get_by_label("PIN", exact=True).fill(PIN)
    page.get_by_role("button", name="Entsperren").click()
    expect(page.get_by_role("heading", name="Gerät gesperrt")).to_be_visible()
    expect(page.locator("#koffer-wiped-text")).to_contain_text("von der Behörde gesperrt")
    assert_accessible(page)
    names = page.evaluate("async () => (await indexedDB.databases()).map((d) => d.name)")
    assert "amtsweg-koffer" not in names
    assert page.evaluate("async () => (await caches.keys()).length") == 0


def test_admin_registers_and_revokes_a_device(page, world, live_server, assert_accessible):
    from django.test import Client
    from engine_fixtures import login_staff

    from amtsweg.koffer.models import Device

    page.set_viewport_size({"width": 1024, "height": 768})
    authority = world.landratsamt
    admin, admin_totp = staff(authority, ("authority_admin",))
    operator, _ = staff(authority, ("assisted_operator",))
    client = login_staff(Client(), admin, admin_totp)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page.goto("/verwaltung/buergerkoffer/")
    expect(page.get_by_role("heading", name="Bürgerkoffer-Geräte")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Gerät registrieren").click()
    assert_accessible(page)
    page.get_by_label("Bezeichnung des Geräts").fill("Laptop Koffer 3")
    page.get_by_label("Mitarbeiterin oder Mitarbeiter").select_option(
        label=f"{operator.get_full_name()} – {authority.name}"
    )
    page.get_by_role("button", name="Registrieren").click()
    expect(page.get_by_role("heading", name="Gerät registriert")).to_be_visible()
    assert_accessible(page)
    device = Device.objects.get(name="Laptop Koffer 3")
    expect(page.locator("#device-token")).to_contain_text(device.device_id + ".")

    page.get_by_role("link", name="Zur Geräteliste").click()
    page.get_by_role("link", name="Laptop Koffer 3 sperren").click()
    assert_accessible(page)
    page.get_by_label("Grund der Sperre").fill("Laptop verloren")
    page.get_by_role("button", name="Gerät sperren").click()
    expect(page.get_by_text("ist gesperrt")).to_be_visible()
    assert_accessible(page)
    device.refresh_from_db()
    assert device.is_revoked
