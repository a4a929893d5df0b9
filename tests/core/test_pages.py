"""Core pages through Django's test client: German by default, English after set_language, CSP and nonces."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

PAGES = [
    ("core:home", "Willkommen bei amtsweg", "Welcome to amtsweg"),
    ("core:impressum", "Impressum", "Legal notice"),
    ("core:datenschutz", "Datenschutzerklärung", "Privacy policy"),
    ("core:barrierefreiheit", "Erklärung zur Barrierefreiheit", "Accessibility statement"),
]


def h1(response) -> str:
    match = re.search(r"<h1\b[^>]*>(.*?)</h1>", response.content.decode(), re.S)
    assert match, "no <h1> on the page"
    return re.sub(r"\s+", " ", match.group(1)).strip()


def html_lang(response) -> str:
    match = re.search(r"<html\b[^>]*\blang=\"([^\"]+)\"", response.content.decode())
    assert match, "no lang attribute on <html>"
    return match.group(1)


def switch_language(client, code: str, next_url: str = "/"):
    response = client.post(reverse("set_language"), {"language": code, "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == next_url
    return response


@pytest.mark.parametrize(("name", "german", "english"), PAGES)
def test_page_renders_in_german(client, name, german, english):
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert html_lang(response) == "de"
    assert h1(response) == german
    body = response.content.decode()
    assert "Zum Inhalt springen" in body
    assert 'id="inhalt"' in body
    for footer_link in ("core:impressum", "core:datenschutz", "core:barrierefreiheit"):
        assert f'href="{reverse(footer_link)}"' in body


@pytest.mark.parametrize(("name", "german", "english"), PAGES)
def test_page_renders_in_english_after_set_language(client, name, german, english):
    switch_language(client, "en", reverse(name))
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert html_lang(response) == "en"
    assert h1(response) == english
    assert "Skip to content" in response.content.decode()


def test_language_can_be_switched_back_to_german(client):
    switch_language(client, "en")
    assert h1(client.get("/")) == "Welcome to amtsweg"
    switch_language(client, "de")
    assert h1(client.get("/")) == "Willkommen bei amtsweg"


def test_language_switch_form_works_without_javascript(client):
    body = client.get("/impressum/").content.decode()
    form = re.search(r'<form class="aw-lang" action="([^"]+)" method="post">(.*?)</form>', body, re.S)
    assert form, "language switch form missing"
    assert form.group(1) == reverse("set_language")
    assert 'name="csrfmiddlewaretoken"' in form.group(2)
    assert 'name="next" value="/impressum/"' in form.group(2)
    assert 'name="language" value="en"' in form.group(2)


def test_start_page_has_teasers(client):
    body = client.get("/").content.decode()
    for title in ("Verwaltungsleistungen finden", "Online-Anträge", "Bürgerterminals und Bürgerkoffer"):
        assert title in body


def test_not_found_page_is_german_with_status_404(client):
    response = client.get("/diese-seite-gibt-es-nicht/")
    assert response.status_code == 404
    assert html_lang(response) == "de"
    assert h1(response) == "Seite nicht gefunden"
    assert "Fehlercode: 404" in response.content.decode()


def test_not_found_page_in_english(client):
    switch_language(client, "en")
    response = client.get("/diese-seite-gibt-es-nicht/")
    assert response.status_code == 404
    assert h1(response) == "Page not found"


@pytest.mark.parametrize(
    ("handler", "status", "heading"),
    [
        ("bad_request", 400, "Ungültige Anfrage"),
        ("forbidden", 403, "Zugriff nicht erlaubt"),
        ("not_found", 404, "Seite nicht gefunden"),
        ("server_error", 500, "Technischer Fehler"),
    ],
)
def test_error_pages_explain_each_status_in_german(rf, handler, status, heading):
    from django.utils import translation

    from amtsweg.core import views

    request = rf.get("/irgendwo/")
    view = getattr(views, handler)
    with translation.override("de"):
        response = view(request) if handler == "server_error" else view(request, None)
    assert response.status_code == status
    assert h1(response) == heading
    assert f"Fehlercode: {status}" in response.content.decode()


def test_demo_banner_only_in_demo_mode(client, settings):
    banner = "Demo-Modus: alle Personen und Daten sind erfunden"
    settings.DEMO = False
    assert banner not in client.get("/").content.decode()
    settings.DEMO = True
    assert banner in client.get("/").content.decode()


def test_csp_header_without_unsafe_inline(client):
    response = client.get("/")
    policy = response.headers.get("Content-Security-Policy")
    assert policy, "Content-Security-Policy header missing"
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert re.search(r"script-src [^;]*'nonce-[^']+'", policy)
    assert re.search(r"style-src 'self'(;|$)", policy)


def test_every_script_carries_the_nonce_and_nothing_is_inline(client):
    response = client.get("/")
    policy = response.headers["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    body = response.content.decode()
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", body, re.S)
    assert scripts, "no <script> tags on the base page"
    for attributes, content in scripts:
        assert f'nonce="{nonce}"' in attributes, f"<script{attributes}> has no nonce"
        assert "src=" in attributes, "script without src"
        assert not content.strip(), "inline script found"
    # style-src 'self': no <style> blocks and no style attributes
    assert not re.search(r"<style\b", body)
    assert not re.search(r"\sstyle=", body)
    # htmx 4 CSRF: the token is available to js/amtsweg.js
    assert re.search(r'<meta name="csrf-token" content="[^"]+">', body)
