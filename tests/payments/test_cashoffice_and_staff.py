import csv
import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone

from amtsweg.payments import services, states
from amtsweg.payments.camt import import_camt053
from amtsweg.payments.models import Payment, PaymentEvent, PaymentState

from .factories import login_staff, make_authority, make_payee, make_request, make_staff, make_user
from .test_transfer_and_camt import FIXTURES

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def authority():
    authority = make_authority("landratsamt-kasse", "Landratsamt Kassenkreis")
    make_payee(authority)
    return authority


def paid(
    authority, amount, provider="sandbox", method="card", procedure="kfz-neuzulassung", case_number="KFZ-1"
):
    pr = make_request(
        authority=authority, amount_cents=amount, procedure_key=procedure, case_number=case_number
    )
    payment = Payment.objects.create(
        request=pr, provider=provider, amount_cents=amount, booking_reference=f"AW-{pr.pk:06d}"
    )
    states.transition(payment, PaymentState.PAID, source="test", method=method)
    return payment


def test_export_lists_card_and_transfer_payments_and_refunds(authority):
    card = paid(authority, 1280, case_number="KFZ-2026-1")
    owner = make_user()
    pr = make_request(
        owner=owner,
        authority=authority,
        amount_cents=1280,
        procedure_key="gewerbe-anmeldung",
        case_number='=HYPERLINK("x")',
    )
    transfer, _ = services.start_payment(pr, owner, "ueberweisung")
    Payment.objects.filter(pk=transfer.pk).update(provider_reference="RF18539007547034")
    import_camt053((FIXTURES / "camt053_v02.xml").read_bytes(), authority)
    PaymentEvent.objects.create(
        payment=card,
        kind="refund",
        from_state="paid",
        to_state="partially_refunded",
        amount_cents=280,
        source="test",
    )
    paid(make_authority("fremd"), 999)  # another authority: not in this export

    text = services.cash_office_csv(authority, timezone.localdate())
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == [
        "Buchungsreferenz",
        "Buchungsart",
        "Betrag",
        "Waehrung",
        "Verfahren",
        "Aktenzeichen",
        "Referenz",
        "Zahlungsart",
        "Zeitpunkt",
    ]
    body = rows[1:]
    assert len(body) == 3
    assert [r[1] for r in body] == ["Zahlung", "Zahlung", "Erstattung"]
    assert [r[2] for r in body] == ["12,80", "12,80", "-2,80"]
    assert body[0][5] == "KFZ-2026-1"
    assert body[0][7] == "Testzahlung (SANDBOX) – Karte"
    assert body[1][4] == "gewerbe-anmeldung"
    assert body[1][7] == "Überweisung"
    assert body[1][5].startswith("'=")  # no formula injection into the cash office's spreadsheet
    stamp = datetime.strptime(body[0][8], "%d.%m.%Y %H:%M:%S").replace(tzinfo=BERLIN)
    assert abs((stamp - timezone.now()).total_seconds()) < 120  # Europe/Berlin wall time


def test_day_boundaries_follow_berlin_time(authority):
    payment = paid(authority, 500)
    # 23:30 Berlin on 27 Nov = 22:30 UTC: belongs to the 27th, not the 28th
    late = datetime(2026, 11, 27, 22, 30, tzinfo=ZoneInfo("UTC"))
    PaymentEvent.objects.filter(payment=payment).update(at=late)
    assert len(services.cash_office_rows(authority, date(2026, 11, 27))) == 1
    assert services.cash_office_rows(authority, date(2026, 11, 28)) == []


def test_management_command_writes_the_csv(authority, tmp_path):
    paid(authority, 1280)
    target = tmp_path / "kasse.csv"
    out = io.StringIO()
    call_command("cash_office_export", "--authority", authority.key, "--output", str(target), stdout=out)
    assert "1 Buchungen" in out.getvalue()
    assert "12,80" in target.read_text(encoding="utf-8")
    out = io.StringIO()
    call_command("cash_office_export", "--authority", authority.key, "--day", "2001-01-01", stdout=out)
    assert out.getvalue().count("\n") == 1  # header only


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--authority", "nope"], "gibt es nicht"),
        (["--authority", "landratsamt-kasse", "--day", "morgen"], "kein Datum"),
    ],
)
def test_management_command_bad_input(authority, args, message):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match=message):
        call_command("cash_office_export", *args)


def test_staff_summary_shows_own_authority_only(client, authority):
    paid(authority, 1280, case_number="KFZ-SICHTBAR")
    other = make_authority("landratsamt-anders", "Landratsamt Anders")
    paid(other, 4711, case_number="KFZ-GEHEIM")
    clerk = make_staff(authority)
    login_staff(client, clerk)

    page = client.get("/verwaltung/zahlungen/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "KFZ-SICHTBAR" in html
    assert "12,80 €" in html
    assert "KFZ-GEHEIM" not in html
    assert "Landratsamt Anders" not in html

    assert client.get("/verwaltung/zahlungen/", {"behoerde": "landratsamt-anders"}).status_code == 404
    assert (
        client.get("/verwaltung/zahlungen/export.csv", {"behoerde": "landratsamt-anders"}).status_code == 404
    )
    export = client.get("/verwaltung/zahlungen/export.csv", {"behoerde": authority.key, "tag": "kaputt"})
    assert export["Content-Type"].startswith("text/csv")
    assert "KFZ-SICHTBAR" in export.content.decode()
    assert "KFZ-GEHEIM" not in export.content.decode()


def test_staff_pages_are_closed_to_citizens_and_anonymous(client, citizen_client, authority):
    assert client.get("/verwaltung/zahlungen/").status_code == 302
    response = citizen_client.get("/verwaltung/zahlungen/")
    assert response.status_code in (302, 403)
    assert citizen_client.get("/verwaltung/zahlungen/export.csv").status_code in (302, 403)


def test_staff_import_and_resolve(client, authority):
    owner = make_user()
    pr = make_request(owner=owner, authority=authority, amount_cents=1280)
    transfer, _ = services.start_payment(pr, owner, "ueberweisung")
    Payment.objects.filter(pk=transfer.pk).update(provider_reference="RF18539007547034")
    clerk = make_staff(authority)
    login_staff(client, clerk)
    with open(FIXTURES / "camt053_v02.xml", "rb") as handle:
        response = client.post(
            "/verwaltung/zahlungen/kontoauszug/", {"behoerde": authority.key, "datei": handle}, follow=True
        )
    html = response.content.decode()
    assert (
        "Kontoauszug eingelesen: 1 zugeordnet, 6 zu klären, 0 bereits eingelesen, 2 nicht relevant." in html
    )
    assert "Referenz unbekannt" in html
    transfer.refresh_from_db()
    assert transfer.state == PaymentState.PAID

    from amtsweg.payments.models import UnmatchedBankEntry

    entry = UnmatchedBankEntry.objects.get(entry_key="BANK-0004")
    response = client.post(
        f"/verwaltung/zahlungen/buchungen/{entry.pk}/klaeren/", {"vermerk": ""}, follow=True
    )
    assert "Bitte beschreiben Sie kurz" in response.content.decode()
    response = client.post(
        f"/verwaltung/zahlungen/buchungen/{entry.pk}/klaeren/", {"vermerk": "zurücküberwiesen"}, follow=True
    )
    assert "als geklärt vermerkt" in response.content.decode()

    # another authority's clerk cannot touch this entry
    other_clerk = make_staff(make_authority("landratsamt-zwei"))
    second = UnmatchedBankEntry.objects.get(entry_key="BANK-0005")
    login_staff(client, other_clerk)
    assert (
        client.post(f"/verwaltung/zahlungen/buchungen/{second.pk}/klaeren/", {"vermerk": "x"}).status_code
        == 404
    )
    assert UnmatchedBankEntry.objects.filter(pk=second.pk).exists()


def test_staff_import_refuses_bad_files(client, authority):
    from django.core.files.uploadedfile import SimpleUploadedFile

    login_staff(client, make_staff(authority))
    upload = SimpleUploadedFile("x.xml", b"<nope", content_type="text/xml")
    response = client.post(
        "/verwaltung/zahlungen/kontoauszug/", {"behoerde": authority.key, "datei": upload}, follow=True
    )
    assert "kein gültiges XML" in response.content.decode()
    response = client.post("/verwaltung/zahlungen/kontoauszug/", {"behoerde": authority.key}, follow=True)
    assert "Bitte wählen Sie eine camt.053-Datei aus." in response.content.decode()


def test_auditor_without_case_worker_role_cannot_import(client, authority):
    login_staff(client, make_staff(authority, case_worker=False, auditor=True))
    assert client.get("/verwaltung/zahlungen/").status_code == 200
    with open(FIXTURES / "camt053_v02.xml", "rb") as handle:
        response = client.post(
            "/verwaltung/zahlungen/kontoauszug/", {"behoerde": authority.key, "datei": handle}
        )
    assert response.status_code == 403
