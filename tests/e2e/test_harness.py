"""The browser harness itself: it must notice CSP violations, script errors and accessibility failures."""

import pytest

pytestmark = pytest.mark.e2e


def test_csp_violation_is_recorded(page, browser_errors):
    page.goto("/")
    page.evaluate(
        """() => document.querySelector("main").insertAdjacentHTML("beforeend",
             '<p style="color: red">inline style</p><img src="https://example.invalid/x.png" alt="">')"""
    )
    page.wait_for_timeout(200)
    seen = "\n".join(browser_errors.seen)
    assert "style-src" in seen
    assert "img-src" in seen
    browser_errors.allow("Content Security Policy")
    browser_errors.allow("CSP violation")


def test_page_error_is_recorded(page, browser_errors):
    page.goto("/")
    page.evaluate("() => { setTimeout(() => { throw new Error('kaputt'); }, 0); }")
    page.wait_for_timeout(200)
    assert any("kaputt" in text for text in browser_errors.seen)
    browser_errors.allow("kaputt")


def test_axe_reports_serious_violations(page, assert_accessible):
    page.goto("/")
    page.evaluate("""() => document.querySelector("main").insertAdjacentHTML(
        "beforeend", '<img src="/static/img/favicon.svg"><button type="button"></button>')""")
    with pytest.raises(pytest.fail.Exception) as failure:
        assert_accessible(page)
    message = str(failure.value)
    assert "image-alt" in message
    assert "button-name" in message
