"""Bürgerterminal in a real browser: a kiosk session is wiped after inactivity; staff file an application for
a citizen with a signature drawn on a canvas; a video call connects between a terminal page and a staff page
(two headless Chromium pages with Chromium's fake camera and microphone). Every page passes axe-core and
works at 1024x768 and at 200 % zoom."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from django.test import Client

TESTS = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(TESTS / "procedures"))
sys.path.insert(0, str(TESTS / "kiosk"))

from engine_fixtures import engine_settings as engine_settings  # noqa: E402
from engine_fixtures import key_pool as key_pool  # noqa: E402
from engine_fixtures import login_staff, staff  # noqa: E402
from engine_fixtures import shared_key_dir as shared_key_dir  # noqa: E402
from engine_fixtures import shared_pki_dir as shared_pki_dir  # noqa: E402
from engine_fixtures import test_procedures as test_procedures  # noqa: E402
from engine_fixtures import world as world  # noqa: E402
from kiosk_helpers import make_site  # noqa: E402

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture then skips (or fails with CI=true)
    expect = None

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# The shared harness's Chromium flags (tests/e2e/conftest.py) plus a fake camera and microphone.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
_CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (e) => {
  console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline"}`);
});
"""
MEDIA_ARGS = [
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    "--disable-features=WebRtcHideLocalIpsWithMdns",
]


def no_horizontal_scroll(page) -> bool:
    return page.evaluate(
        "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1"
    )


def check_layouts(browser, live_server, cookies, path, assert_accessible):
    """The page at 1024x768 (touch) and at 200 % zoom (a 1024x768 screen, CSS pixels halved)."""
    for viewport, scale in (({"width": 1024, "height": 768}, 1), ({"width": 512, "height": 384}, 2)):
        context = browser.new_context(
            base_url=live_server.url,
            locale="de-DE",
            viewport=viewport,
            device_scale_factor=scale,
            has_touch=True,
        )
        context.add_cookies(cookies)
        page = context.new_page()
        page.goto(path)
        assert no_horizontal_scroll(page), f"{path} scrolls sideways at {viewport} x{scale}"
        assert_accessible(page)
        context.close()


@pytest.fixture
def terminal_site(world):
    from amtsweg.catalog.models import Service

    return make_site(
        world.landratsamt, services=Service.objects.filter(key__in=["test-abmeldung", "test-kfz"])
    )


@pytest.fixture
def device(terminal_site, world):
    from amtsweg.kiosk import services

    admin = staff(world.landratsamt, ("authority_admin",))[0]
    return services.register_terminal(terminal_site, "Terminal Foyer", admin)


def activate(page, token):
    page.goto("/kiosk/aktivieren/")
    page.get_by_label("Gerätecode").fill(token)
    page.get_by_role("button", name="Kiosk-Modus starten").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Willkommen am Bürgerterminal")


def test_kiosk_session_is_wiped_after_inactivity(
    page, browser, live_server, settings, device, assert_accessible, browser_errors
):
    browser_errors.allow("403 (Forbidden)")  # the back office refuses the terminal (checked below)
    settings.KIOSK_INACTIVITY_SECONDS = 8
    settings.KIOSK_WARNING_SECONDS = 4
    _, token = device
    page.set_viewport_size({"width": 1024, "height": 768})
    page.goto("/kiosk/aktivieren/")
    assert_accessible(page)
    activate(page, token)
    assert_accessible(page)
    expect(page.get_by_role("link", name="Leistung test-kfz")).to_be_visible()
    # Something personal in every browser store.
    page.evaluate(
        """async () => {
            sessionStorage.setItem("entwurf", "Erika Musterfrau");
            localStorage.setItem("name", "Erika Musterfrau");
            document.cookie = "persoenlich=Erika; path=/";
            const cache = await caches.open("formulare");
            await cache.put("/kiosk/", new Response("Erika Musterfrau"));
        }"""
    )
    # The countdown warns first (and is accessible) ...
    dialog = page.get_by_role("alertdialog", name="Sind Sie noch da?")
    expect(dialog).to_be_visible(timeout=9_000)
    expect(dialog).to_contain_text("Sekunde")
    assert_accessible(page)
    # ... "Weiter arbeiten" keeps the session once ...
    page.get_by_role("button", name="Weiter arbeiten").click()
    expect(dialog).to_be_hidden()
    assert page.evaluate("() => sessionStorage.getItem('entwurf')") == "Erika Musterfrau"
    # ... then, without input, everything is wiped and the start screen is back.
    expect(page.get_by_text("Alle Ihre Angaben wurden von diesem Gerät gelöscht")).to_be_visible(
        timeout=12_000
    )
    expect(page).to_have_url(f"{live_server.url}/kiosk/")
    left = page.evaluate(
        """async () => ({
            session: sessionStorage.length,
            local: localStorage.length,
            caches: (await caches.keys()).length,
            cookie: document.cookie.includes("persoenlich"),
        })"""
    )
    assert left == {"session": 0, "local": 0, "caches": 0, "cookie": False}
    names = {c["name"] for c in page.context.cookies()}
    assert "aw_kiosk" in names  # the device stays in kiosk mode
    assert "sessionid" not in names
    assert_accessible(page)
    # The back office is closed to the terminal, with a clear message.
    page.goto("/verwaltung/")
    expect(page.get_by_role("alert")).to_contain_text("Verwaltungsbereich nicht erreichbar")
    cookies = [{"name": "aw_kiosk", "value": token, "url": live_server.url}]
    check_layouts(browser, live_server, cookies, "/kiosk/", assert_accessible)


def use_staff(context, user, device, live_server):
    client = login_staff(Client(), user, device)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def draw_signature(page):
    pad = page.locator("#signature-pad")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    x, y = box["x"], box["y"]
    page.mouse.move(x + 20, y + box["height"] * 0.6)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(x + 20 + step * box["width"] / 14, y + box["height"] * (0.3 + 0.4 * (step % 2)))
    page.mouse.up()


def test_staff_file_an_application_for_a_citizen_with_signature(
    page, browser, live_server, world, assert_accessible, browser_errors
):
    from amtsweg.assisted import filing
    from amtsweg.assisted.models import AssistedFiling

    browser_errors.allow("422")  # a refused form answers 422 (logged by Chromium)
    operator, otp = staff(world.landratsamt, ("assisted_operator",))
    use_staff(page.context, operator, otp, live_server)
    page.set_viewport_size({"width": 1024, "height": 768})
    page.goto("/verwaltung/assistiert/")
    assert_accessible(page)
    page.locator("a[href$='/assistiert/antrag/test-abmeldung/']").click()
    expect(page.locator("#signature-pad")).to_be_visible()
    assert_accessible(page)
    page.locator("[name=kennzeichen]").fill("FG-QX 4711")
    page.locator("[name=code]").fill("GUT-123")
    page.locator("[name=plz]").fill("09599")
    page.get_by_label("Personalausweis oder Pass von mir geprüft").check()
    page.get_by_label("Die Person willigt ein", exact=False).check()
    # Without a signature: refused with a clear message, nothing filed.
    page.get_by_role("button", name="Antrag einreichen").click()
    expect(page.get_by_role("alert").first).to_contain_text("Unterschrift fehlt")
    assert not AssistedFiling.objects.exists()
    assert_accessible(page)
    page.get_by_label("Personalausweis oder Pass von mir geprüft").check()
    page.get_by_label("Die Person willigt ein", exact=False).check()
    draw_signature(page)
    page.get_by_role("button", name="Antrag einreichen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Eingangsbestätigung")
    record = AssistedFiling.objects.select_related("case").get()
    expect(page.locator("main")).to_contain_text(record.case.number)
    expect(page.locator("main")).to_contain_text("Ausweis von Beschäftigten gesehen")
    assert record.operator == operator
    assert record.identification == "ausweis_gesehen"
    assert_accessible(page)
    # The drawn signature is stored encrypted; the responsible authority can open it.
    lra_staff = world.lra_staff[0]
    signature = filing.read_signature(record, lra_staff)
    assert signature.startswith(b"\x89PNG")
    assert len(signature) > 1000  # a real drawing, not an empty canvas
    cookies = page.context.cookies()
    form_path = "/verwaltung/assistiert/antrag/test-abmeldung/"
    check_layouts(browser, live_server, cookies, form_path, assert_accessible)
    check_layouts(browser, live_server, cookies, page.url.replace(live_server.url, ""), assert_accessible)
