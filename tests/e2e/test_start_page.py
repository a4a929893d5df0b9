"""The start page and the footer pages in a real browser: layout, keyboard, language switch, accessibility."""

import re

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture then skips these tests (or fails them with CI=true) and says why
    expect = None

pytestmark = pytest.mark.e2e


def test_start_page_loads_in_german(page, assert_accessible):
    response = page.goto("/")
    assert response is not None
    assert response.status == 200
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page).to_have_title(re.compile(r"amtsweg"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Willkommen bei amtsweg")
    expect(page.get_by_role("banner")).to_contain_text("Freistaat Sachsen")
    expect(
        page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Startseite")
    ).to_have_attribute("aria-current", "page")
    for title in ("Verwaltungsleistungen finden", "Online-Anträge", "Bürgerterminals und Bürgerkoffer"):
        expect(page.get_by_role("heading", name=title, level=3)).to_be_visible()
    # The vendored assets really load: KERN's font and htmx 4.
    page.evaluate("() => document.fonts.ready")
    assert page.evaluate("() => document.fonts.check('16px \"Fira Sans\"')")
    assert page.evaluate("() => window.htmx && window.htmx.version") == "4.0.1"
    # <meta name="htmx-config"> switches off htmx's constructed indicator stylesheet (CSS: amtsweg.css)
    assert page.evaluate("() => document.adoptedStyleSheets.length") == 0
    assert_accessible(page)


def test_skip_link_moves_focus_to_main(page):
    page.goto("/")
    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Zum Inhalt springen")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("main#inhalt")).to_be_focused()
    # The next Tab continues after the skip target, not back in the header.
    page.keyboard.press("Tab")
    assert page.evaluate("() => !document.querySelector('header').contains(document.activeElement)")


@pytest.mark.parametrize("path", ["/", "/impressum/", "/datenschutz/", "/barrierefreiheit/"])
def test_no_horizontal_scrolling_at_360_px(page, assert_accessible, path):
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(path)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_role("button", name="English")).to_be_visible()
    assert_accessible(page)


def test_language_switch_to_english_and_back(page, assert_accessible):
    page.goto("/impressum/")
    page.get_by_role("button", name="English").click()
    expect(page).to_have_url(re.compile(r"/impressum/$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Legal notice")
    expect(page.get_by_role("navigation", name="Main navigation")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Home").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome to amtsweg")

    page.get_by_role("button", name="Deutsch").click()
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_role("heading", level=1)).to_have_text("Willkommen bei amtsweg")


def test_language_switch_works_without_javascript(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="de-DE", java_script_enabled=False)
    try:
        no_js = context.new_page()
        no_js.goto("/datenschutz/")
        no_js.get_by_role("button", name="English").click()
        expect(no_js.get_by_role("heading", level=1)).to_have_text("Privacy policy")
    finally:
        context.close()


@pytest.mark.parametrize(
    ("link", "heading"),
    [
        ("Impressum", "Impressum"),
        ("Datenschutz", "Datenschutzerklärung"),
        ("Barrierefreiheit", "Erklärung zur Barrierefreiheit"),
    ],
)
def test_footer_pages_open_and_are_accessible(page, assert_accessible, link, heading):
    page.goto("/")
    page.get_by_role("contentinfo").get_by_role("link", name=link).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    expect(
        page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Startseite")
    ).not_to_have_attribute("aria-current", "page")
    assert_accessible(page)


def test_not_found_page_is_german_and_accessible(page, browser_errors, assert_accessible):
    browser_errors.allow("404 (Not Found)")
    response = page.goto("/gibt-es-nicht/")
    assert response is not None
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Seite nicht gefunden")
    expect(page.get_by_role("link", name="Zur Startseite")).to_be_visible()
    assert_accessible(page)


def test_htmx_requests_carry_the_csrf_token(page):
    """htmx 4 does not inherit hx-headers; js/amtsweg.js must add X-CSRFToken to every request.

    The POST below has no csrfmiddlewaretoken field, so Django accepts it only because of the header.
    """
    page.goto("/")
    page.evaluate(
        """() => {
          const button = document.createElement("button");
          button.id = "probe";
          button.textContent = "probe";
          button.setAttribute("hx-post", "/i18n/setlang/");
          button.setAttribute("hx-vals", JSON.stringify({language: "en", next: "/impressum/"}));
          button.setAttribute("hx-target", "#probe-result");
          button.setAttribute("hx-select", "h1");
          const result = document.createElement("div");
          result.id = "probe-result";
          document.querySelector("main").append(button, result);
          htmx.process(button);
        }"""
    )
    with page.expect_request(lambda request: request.url.endswith("/i18n/setlang/")) as request_info:
        page.locator("#probe").click()
    assert request_info.value.headers.get("x-csrftoken")
    expect(page.locator("#probe-result h1")).to_have_text("Legal notice")
