"""Authority administration in a real browser: an administrator logs in with password and TOTP, tries a fee
outside the legal range (refused with the range named), sets a lawful one, and opens the statistics page with
its SVG chart, data table and CSV link; every page passes axe-core."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture then skips (or, with CI=true, fails) and says why
    expect = None

from accounts.factories import PASSWORD, make_authority, make_staff, totp_code
from administration.factories import at, make_part

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_administrator_changes_a_fee_and_reads_the_statistics(page, assert_accessible, browser_errors):
    browser_errors.allow("status of 400 (Bad Request)")  # the refused amount is answered with 400 on purpose
    from amtsweg.payments.models import FeeKind, FeeRule

    authority = make_authority("Stadtverwaltung Beispielstadt (Test)")
    FeeRule.objects.create(
        procedure_key="gewerbe-anmeldung", label="Gewerbeanmeldung (Standard)", kind=FeeKind.RANGE,
        amount_cents=3000, min_cents=2200, max_cents=11200, legal_basis="10. SächsKVZ, lfd. Nr. 46",
    )  # fmt: skip
    last_month = timezone.localdate().replace(day=1) - dt.timedelta(days=20)
    make_part(authority, submitted_at=at(last_month), decided_at=at(last_month + dt.timedelta(days=2)))
    make_part(authority, submitted_at=at(last_month), due_on=timezone.localdate() - dt.timedelta(days=1))
    _user, device, _m = make_staff(authority, ("authority_admin",), username="admin-browser")

    page.goto("/verwaltung/")
    page.get_by_label("Benutzername").fill("admin-browser")
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Weiter").click()
    page.get_by_label(re.compile("Code aus der Authenticator-App")).fill(totp_code(device))
    page.get_by_role("button", name="Anmelden").click()
    expect(page).to_have_url(re.compile(r"/verwaltung/$"))
    page.get_by_role("link", name="Behördenverwaltung").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Behördenverwaltung")
    assert_accessible(page)

    page.get_by_role("navigation", name="Behördenverwaltung").get_by_role("link", name="Gebühren").click()
    amount = page.get_by_label(re.compile("Neuer Betrag in Euro für Gewerbeanmeldung"))
    amount.fill("150,00")
    amount.press("Enter")
    expect(
        page.get_by_text("liegt außerhalb des gesetzlichen Rahmens von 22,00 € bis 112,00 €")
    ).to_be_visible()
    assert_accessible(page)
    amount = page.get_by_label(re.compile("Neuer Betrag in Euro für Gewerbeanmeldung"))
    amount.fill("45,00")
    amount.press("Enter")
    expect(page.get_by_test_id("fee-gewerbe-anmeldung")).to_have_text("45,00 €")
    assert FeeRule.objects.get(authority=authority, procedure_key="gewerbe-anmeldung").amount_cents == 4500

    page.get_by_role("navigation", name="Behördenverwaltung").get_by_role("link", name="Statistik").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Statistik")
    expect(page.locator("svg.aw-chart[role=img]")).to_have_count(2)
    expect(page.get_by_test_id("stats-now")).to_contain_text("davon überfällig")
    table = page.get_by_test_id("stats-*")
    expect(table.locator("tbody tr")).to_have_count(12)
    expect(table).to_contain_text(f"{last_month:%m.%Y}")
    expect(page.get_by_role("link", name="Als CSV herunterladen")).to_be_visible()
    assert_accessible(page)
