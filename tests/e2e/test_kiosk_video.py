"""Video consultation in a real browser: a WebRTC call connects between a terminal page and a staff page (two
headless Chromium pages with Chromium's fake camera and microphone), with signalling through the platform.

Its own module: the call needs Chromium flags the shared `browser` fixture does not take, and Playwright's
sync API allows one running instance per module at a time."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from test_kiosk import (  # noqa: F401 (fixtures)
    _CSP_LISTENER,
    CHROMIUM_ARGS,
    MEDIA_ARGS,
    activate,
    engine_settings,
    key_pool,
    no_horizontal_scroll,
    shared_key_dir,
    shared_pki_dir,
    staff,
    terminal_site,
    test_procedures,
    use_staff,
)
from test_kiosk import device as device
from test_kiosk import world as world

try:
    from playwright.sync_api import expect
except ImportError:
    expect = None

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def media_browser():
    """Chromium with a fake camera and microphone (its own launch: the shared `browser` takes no extra
    args)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright fehlt")
    executable = shutil.which("chromium")
    if executable is None:
        pytest.skip("chromium fehlt")
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=executable, args=[*CHROMIUM_ARGS, *MEDIA_ARGS], headless=True
            )
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _context(browser, live_server, viewport=None):
    context = browser.new_context(
        base_url=live_server.url,
        locale="de-DE",
        timezone_id="Europe/Berlin",
        viewport=viewport or {"width": 1024, "height": 768},
        permissions=["camera", "microphone"],
    )
    context.set_default_timeout(15_000)
    context.add_init_script(_CSP_LISTENER)
    errors: list[str] = []
    context.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    context.on("weberror", lambda e: errors.append(str(e.error)))
    return context, errors


def test_video_call_connects_between_terminal_and_staff(
    media_browser, live_server, world, device, settings, assert_accessible
):
    from amtsweg.kiosk.models import VideoRequest

    settings.KIOSK_INACTIVITY_SECONDS = 600
    _, token = device
    staff_context, staff_errors = _context(media_browser, live_server)
    operator, otp = staff(world.landratsamt, ("assisted_operator",))
    use_staff(staff_context, operator, otp, live_server)
    desk = staff_context.new_page()
    desk.goto("/verwaltung/video/")
    expect(desk.get_by_text("Niemand wartet.")).to_be_visible()
    assert_accessible(desk)

    kiosk_context, kiosk_errors = _context(media_browser, live_server)
    terminal = kiosk_context.new_page()
    activate(terminal, token)
    terminal.get_by_role("button", name="Mit einer Person sprechen").click()
    expect(terminal.get_by_role("heading", level=1)).to_have_text("Mit einer Person sprechen")
    expect(terminal.locator("#video-state")).to_contain_text("Position 1")
    assert_accessible(terminal)

    # The staff queue notices the request by itself (polling) and the operator accepts.
    desk.get_by_role("button", name="Annehmen").click(timeout=15_000)
    expect(desk.get_by_role("heading", level=1)).to_contain_text("Videogespräch mit dem Terminal")
    expect(desk.locator("#video-app")).to_have_attribute("data-connected", "true", timeout=25_000)
    expect(terminal.locator("#video-app")).to_have_attribute("data-connected", "true", timeout=25_000)
    expect(terminal.locator("#video-state")).to_contain_text("Verbunden")
    # Both sides receive the other's (fake) camera picture.
    for page in (desk, terminal):
        page.wait_for_function(
            "() => { const v = document.getElementById('remote-video'); "
            "return v && v.srcObject && v.videoWidth > 0; }",
            timeout=15_000,
        )
    assert_accessible(desk)
    assert_accessible(terminal)
    # 200 % zoom of the call page on the terminal.
    terminal.set_viewport_size({"width": 512, "height": 384})
    assert no_horizontal_scroll(terminal)
    # The operator ends the call; the terminal sees it.
    desk.get_by_role("button", name="Gespräch beenden").click()
    expect(terminal.locator("#video-state")).to_contain_text("beendet", timeout=10_000)
    assert VideoRequest.objects.get().status == "beendet"
    assert not [e for e in staff_errors + kiosk_errors if "CSP" in e]
    staff_context.close()
    kiosk_context.close()
