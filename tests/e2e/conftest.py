"""Browser test harness: Debian's `chromium` driven headless by Playwright against the live server.

* `browser` (per module): Chromium from `shutil.which("chromium")`, never a Playwright browser download.
  Missing chromium or playwright skips the browser tests, except with `CI=true`, where it fails them.
* `page` (per test): a fresh context (de-DE, Europe/Berlin, 1280x900) whose `base_url` is the live server, so
  `page.goto("/")` works. Any console error, uncaught page error or CSP violation fails the test; a test that
  expects one (e.g. the 404 page) calls `browser_errors.allow("substring")` first.
* `assert_accessible(page)`: injects the vendored axe-core and fails on "serious" or "critical" violations of
  WCAG 2.0/2.1/2.2 A and AA.

Every test in this folder is marked `e2e` (select with `-m e2e`, skip with `-m "not e2e"`).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
AXE_JS = HERE / "vendor" / "axe-core" / "axe.min.js"

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
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
FAILING_IMPACTS = ("serious", "critical")

# Playwright's sync API keeps an asyncio loop marked as running in the main thread while a browser is open.
# Django then refuses the ORM calls that pytest-django makes around each test (test database setup, flush).
# The browser tests are synchronous, so the check is switched off, but only while a browser is open: the
# `browser` fixture is module-scoped and restores the variable when its module is done, so it never leaks
# into other tests or their subprocesses (`check --deploy` reports the variable as an error).
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"

# Reported as a console error from inside the page, so CSP violations fail the test like any other error
# (Chromium logs most of them anyway; this also catches those it only reports as events).
_CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (e) => {
  console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline"} `
                + `(${e.sourceFile || document.location.href}:${e.lineNumber})`);
});
"""


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.e2e)


def _unavailable(reason: str):
    if os.environ.get("CI", "").strip().lower() == "true":
        pytest.fail(
            f"Browser-Tests nicht ausführbar: {reason}. Mit CI=true wird nichts übersprungen.", pytrace=False
        )
    pytest.skip(f"Browser-Tests übersprungen: {reason}")


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable(
            "das Python-Paket playwright fehlt (pip install 'playwright==1.65.*', kein `playwright install`)"
        )
    executable = shutil.which("chromium")
    if executable is None:
        _unavailable("chromium fehlt (Debian: apt-get install -y chromium)")
    if not AXE_JS.is_file():
        pytest.fail(f"{AXE_JS} fehlt: `make vendor` ausführen.", pytrace=False)

    previous = os.environ.get(ASYNC_UNSAFE)
    os.environ[ASYNC_UNSAFE] = "true"
    try:
        with sync_playwright() as playwright:
            try:
                chromium = playwright.chromium.launch(
                    executable_path=executable, args=CHROMIUM_ARGS, headless=True
                )
            except PlaywrightError as exc:
                _unavailable(f"chromium ({executable}) startet nicht: {str(exc).splitlines()[0]}")
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop(ASYNC_UNSAFE, None)
        else:
            os.environ[ASYNC_UNSAFE] = previous


class BrowserErrors:
    """Console errors, page errors and CSP violations seen by one test's page."""

    def __init__(self):
        self.seen: list[str] = []
        self._allowed: list[str] = []

    def allow(self, substring: str) -> None:
        """Expect errors containing `substring` (e.g. "404 (Not Found)" on the error page test)."""
        self._allowed.append(substring)

    def add(self, text: str) -> None:
        self.seen.append(text)

    @property
    def unexpected(self) -> list[str]:
        return [text for text in self.seen if not any(allowed in text for allowed in self._allowed)]


@pytest.fixture
def browser_errors() -> BrowserErrors:
    return BrowserErrors()


@pytest.fixture
def page(browser, live_server, browser_errors):
    context = browser.new_context(
        base_url=live_server.url,
        locale="de-DE",
        timezone_id="Europe/Berlin",
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(10_000)
    context.add_init_script(_CSP_LISTENER)
    new_page = context.new_page()

    def on_console(message):
        if message.type == "error":
            where = message.location.get("url", "") if message.location else ""
            browser_errors.add(f"console.error: {message.text}" + (f" [{where}]" if where else ""))

    new_page.on("console", on_console)
    new_page.on("pageerror", lambda error: browser_errors.add(f"page error: {error}"))
    yield new_page
    context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """Fail the test itself (not its teardown) when its page logged errors."""
    result = yield
    errors = item.funcargs.get("browser_errors") if hasattr(item, "funcargs") else None
    if isinstance(errors, BrowserErrors) and errors.unexpected:
        details = "\n".join(f"  - {text}" for text in errors.unexpected)
        pytest.fail(f"Fehler in der Browser-Konsole:\n{details}", pytrace=False)
    return result


_AXE_RUN = """
async ({tags, include}) => {
  const result = await axe.run(include ? {include: [include]} : document, {
    runOnly: {type: "tag", values: tags},
    resultTypes: ["violations"],
  });
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({target: n.target.join(" "), html: n.html, summary: n.failureSummary})),
  }));
}
"""


def format_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"[{violation['impact']}] {violation['id']}: {violation['help']}")
        lines.append(f"    {violation['helpUrl']}")
        for node in violation["nodes"][:10]:
            lines.append(f"    - {node['target']}")
            lines.append(f"      {node['html'][:300]}")
            for summary_line in (node["summary"] or "").splitlines():
                lines.append(f"      {summary_line}")
        if len(violation["nodes"]) > 10:
            lines.append(f"    … und {len(violation['nodes']) - 10} weitere Stellen")
    return "\n".join(lines)


def run_axe(page, include: str | None = None) -> list[dict]:
    """All axe violations (any impact) for the WCAG A/AA tags, on the whole page or on one selector."""
    # page.evaluate runs through the DevTools protocol, so the page's CSP does not block the injection
    # (page.add_script_tag would create an inline <script> and be refused).
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    return page.evaluate(_AXE_RUN, {"tags": AXE_TAGS, "include": include})


def assert_accessible(page, include: str | None = None) -> None:
    """Fail on axe violations with impact "serious" or "critical"; print them readably."""
    violations = [v for v in run_axe(page, include) if v["impact"] in FAILING_IMPACTS]
    if violations:
        pytest.fail(
            f"axe-core: {len(violations)} schwere Verstöße auf {page.url}\n{format_violations(violations)}",
            pytrace=False,
        )


@pytest.fixture(name="assert_accessible")
def assert_accessible_fixture():
    """`assert_accessible(page)` for tests, without importing from conftest."""
    return assert_accessible
