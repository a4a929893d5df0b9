"""Statistics: figures on a known set of cases, access rules, SVG and data table, CSV export."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.factories import login_staff, make_authority, make_staff
from administration.factories import at, make_part
from amtsweg.directory.models import Authority
from amtsweg.reporting import services
from amtsweg.reporting.services import ALL, percentile

pytestmark = pytest.mark.django_db
G, K = "gewerbe-anmeldung", "kfz-neuzulassung"


def test_percentile_is_linear_interpolation_like_percentile_cont():
    assert percentile([], 0.5) is None
    assert percentile([7.0], 0.9) == 7.0
    assert percentile([2.0, 4.0], 0.5) == 3.0
    assert percentile([2.0, 4.0], 0.9) == pytest.approx(3.8)
    assert percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9) == pytest.approx(9.1)
    assert percentile([10, 1, 5], 0.5) == 5


def test_months_back_crosses_the_year():
    assert services.months_back(dt.date(2026, 2, 14), 3) == [
        dt.date(2025, 12, 1),
        dt.date(2026, 1, 1),
        dt.date(2026, 2, 1),
    ]
    assert len(services.months_back(dt.date(2026, 2, 14), 99)) == services.MAX_MONTHS


@pytest.fixture
def cases():
    """Two procedures at one authority over the last three months (M1, M2, current), plus one case elsewhere.

    G (Gewerbeanmeldung): g1 2 days, g2 4 days (both decided in M1), g3 submitted in M1 and decided
    automatically in M2 after 30 days, g4 open and overdue, g5 withdrawn in M2.
    K (Kfz): k1 decided automatically after 1 day in M2, k2 submitted in M1 and still open (due later).
    """
    today = timezone.localdate()
    current = today.replace(day=1)
    m1, m2 = services.add_months(current, -2), services.add_months(current, -1)
    home, other = make_authority("Stadt Statistikhausen"), make_authority("Gemeinde Nebenan")

    def day(month, n):
        return month + dt.timedelta(days=n)

    make_part(home, procedure_key=G, submitted_at=at(day(m1, 1)), decided_at=at(day(m1, 3)))
    make_part(home, procedure_key=G, submitted_at=at(day(m1, 2)), decided_at=at(day(m1, 6)))
    make_part(home, procedure_key=G, submitted_at=at(day(m1, 4)), decided_at=at(day(m2, 4)), automatic=True)
    make_part(home, procedure_key=G, submitted_at=at(day(m2, 9)), due_on=today - dt.timedelta(days=1))
    make_part(
        home, procedure_key=G, submitted_at=at(day(m2, 10)), closed_at=at(day(m2, 12)), state="withdrawn"
    )
    make_part(home, procedure_key=K, submitted_at=at(day(m2, 1)), decided_at=at(day(m2, 2)), automatic=True)
    make_part(home, procedure_key=K, submitted_at=at(day(m1, 20)), due_on=today + dt.timedelta(days=5))
    make_part(other, procedure_key=G, submitted_at=at(day(m1, 1)), decided_at=at(day(m1, 2)))
    return home, other, (m1, m2, current)


def _cell(report, procedure, month):
    cell = report.cell(procedure, month)
    return (cell.incoming, cell.decided, cell.automatic, cell.backlog, cell.median_days, cell.p90_days)


def test_figures_of_one_authority(cases, django_assert_max_num_queries):
    home, _other, (m1, m2, m3) = cases
    with django_assert_max_num_queries(5):
        report = services.build_report([home], months=3)
    assert report.months == [m1, m2, m3]
    assert report.procedures == [G, K]
    #                               in dec auto backlog median p90
    assert _cell(report, G, m1) == (3, 2, 0, 1, 3.0, 3.8)
    assert _cell(report, G, m2) == (2, 1, 1, 1, 30.0, 30.0)
    assert _cell(report, G, m3) == (0, 0, 0, 1, None, None)
    assert _cell(report, K, m1) == (1, 0, 0, 1, None, None)
    assert _cell(report, K, m2) == (1, 1, 1, 1, 1.0, 1.0)
    assert _cell(report, ALL, m1) == (4, 2, 0, 2, 3.0, 3.8)
    assert _cell(report, ALL, m2) == (3, 2, 2, 2, 15.5, 27.1)
    assert report.cell(ALL, m2).automatic_share == 1.0
    assert report.cell(ALL, m1).automatic_share == 0.0
    assert report.cell(ALL, m3).automatic_share is None
    assert report.overdue == {G: 1, K: 0, ALL: 1}
    assert report.backlog_now == {G: 1, K: 1, ALL: 2}


def test_procedure_filter_and_state_wide_figures(cases):
    home, other, (m1, _m2, _m3) = cases
    only_k = services.build_report([home], months=3, procedure=K)
    assert only_k.procedures == [K]
    assert only_k.cell(ALL, m1).incoming == 1
    state = services.build_report(None, months=3, per_authority=True)
    assert _cell(state, ALL, m1)[:2] == (5, 3)
    summary = {row["name"]: row for row in state.per_authority}
    assert summary[home.name] == {
        "authority_id": home.pk, "name": home.name, "incoming": 7, "decided": 4, "open": 2, "overdue": 1,
    }  # fmt: skip
    assert summary[other.name]["decided"] == 1


# --- pages ------------------------------------------------------------------------------------------------


def test_authority_page_shows_chart_and_table_for_admins_and_auditors(client, cases):
    home, other, (m1, _m2, _m3) = cases
    for role in ("authority_admin", "auditor"):
        user, device, _m = make_staff(home, (role,))
        login_staff(client, user, device)
        response = client.get(reverse("reporting:authority", kwargs={"authority_id": home.pk}), {"monate": 3})
        assert response.status_code == 200
        page = response.content.decode()
        assert '<svg class="aw-chart"' in page
        assert 'role="img"' in page
        assert f"{m1:%m.%Y}" in page
        assert 'data-testid="stats-*"' in page
        assert other.name not in page
        assert ("Personal und Rollen" in page) is (role == "authority_admin")  # admin links for admins only
        client.logout()


def test_statistics_are_deny_by_default(client, cases):
    home, other, _months = cases
    url = reverse("reporting:authority", kwargs={"authority_id": home.pk})
    assert client.get(url).status_code == 302
    worker, device, _m = make_staff(home, ("case_worker", "approver"))
    login_staff(client, worker, device)
    response = client.get(url)
    assert response.status_code == 403
    assert "Rolle Behördenverwaltung oder Prüfung" in response.content.decode()
    assert client.get(reverse("reporting:state")).status_code == 403
    client.logout()
    admin, device, _m = make_staff(home, ("authority_admin", "auditor"))
    login_staff(client, admin, device)
    assert client.get(reverse("reporting:authority", kwargs={"authority_id": other.pk})).status_code == 404
    assert (
        client.get(reverse("reporting:authority_csv", kwargs={"authority_id": other.pk})).status_code == 404
    )
    response = client.get(reverse("reporting:state"))
    assert response.status_code == 403  # a municipality's administrator is not a state-level user
    assert "Landesbehörde" in response.content.decode()
    assert client.get(reverse("reporting:state_csv")).status_code == 403


def test_state_level_users_see_every_authority(client, cases):
    home, other, _months = cases
    land = Authority.objects.create(key="landesdirektion-test", name="Landesdirektion Test", level="land")
    clerk, clerk_device, _m = make_staff(land, ("case_worker",))
    login_staff(client, clerk, clerk_device)
    assert client.get(reverse("reporting:state")).status_code == 403
    client.logout()
    auditor, device, _m = make_staff(land, ("auditor",))
    login_staff(client, auditor, device)
    page = client.get(reverse("reporting:state"), {"monate": 3}).content.decode()
    assert home.name in page
    assert other.name in page
    assert client.get(reverse("reporting:index")).status_code == 200


@pytest.mark.parametrize(
    "query", [{"monate": "0"}, {"monate": "25"}, {"monate": "zwölf"}, {"verfahren": "x' OR 1=1"}]
)
def test_bad_filters_are_refused_with_a_message(client, cases, query):
    home, _other, _months = cases
    admin, device, _m = make_staff(home, ("authority_admin",))
    login_staff(client, admin, device)
    for name in ("reporting:authority", "reporting:authority_csv"):
        response = client.get(reverse(name, kwargs={"authority_id": home.pk}), query)
        assert response.status_code == 400
        assert "Zeitraum" in response.content.decode() or "nicht bekannt" in response.content.decode()


def test_csv_export_content(client, cases):
    from amtsweg.reporting.views import procedure_label

    home, other, (m1, m2, _m3) = cases
    admin, device, _m = make_staff(home, ("authority_admin",))
    login_staff(client, admin, device)
    response = client.get(reverse("reporting:authority_csv", kwargs={"authority_id": home.pk}), {"monate": 3})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f"statistik-{home.key}-" in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == services.CSV_HEADER
    by_key = {(row[0], row[1]): row for row in rows[1:] if len(row) == len(services.CSV_HEADER)}
    assert by_key[("alle Verfahren", f"{m1:%m.%Y}")] == [
        "alle Verfahren",
        f"{m1:%m.%Y}",
        "4",
        "2",
        "0",
        "0,0",
        "2",
        "3,0",
        "3,8",
    ]
    assert by_key[("alle Verfahren", f"{m2:%m.%Y}")][2:] == ["3", "2", "2", "100,0", "2", "15,5", "27,1"]
    assert by_key[(procedure_label(G), f"{m2:%m.%Y}")][2:] == ["2", "1", "1", "100,0", "1", "30,0", "30,0"]
    assert len(by_key) == 3 * 3  # two procedures plus the total, three months each
    assert rows[-1][2:] == ["offen", "2", "überfällig", "1"]
    assert other.name not in text


def test_database_percentiles_match_the_portable_path(cases):
    """On PostgreSQL the percentiles come from percentile_cont; they must equal the Python computation."""
    from collections import defaultdict

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("percentile_cont only exists on PostgreSQL; SQLite always uses the portable path")
    _home, _other, (m1, _m2, m3) = cases
    start = services._local_midnight(m1)
    end = services._local_midnight(services.add_months(m3, 1))
    parts = services._parts(None)
    in_db, in_python = defaultdict(services.Cell), defaultdict(services.Cell)
    services._decided_in_database(parts, start, end, in_db)
    services._decided_in_python(parts, start, end, in_python)
    assert dict(in_db) == dict(in_python)
    # both authorities in M1: 1, 2 and 4 days -> median 2, p90 = 2 + 0.8 * (4 - 2)
    assert (in_db[(ALL, m1)].median_days, in_db[(ALL, m1)].p90_days) == (2.0, 3.6)
