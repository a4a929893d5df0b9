"""Bank transfer: RF reference, GiroCode, settlement by camt.053 import, unmatched entries for review."""

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from segno import helpers as segno_helpers

from amtsweg.payments import services
from amtsweg.payments.camt import CamtError, import_camt053, resolve_entry
from amtsweg.payments.models import BankEntry, BankEntryReason, Payment, PaymentState, UnmatchedBankEntry
from amtsweg.payments.references import is_valid_rf

from .factories import make_authority, make_payee, make_request, make_user

FIXTURES = Path(__file__).parent / "fixtures"
pytestmark = pytest.mark.django_db


def transfer_for(authority, amount, reference, owner=None):
    owner = owner or make_user()
    pr = make_request(owner=owner, authority=authority, amount_cents=amount)
    payment, _ = services.start_payment(pr, owner, "ueberweisung")
    Payment.objects.filter(pk=payment.pk).update(provider_reference=reference)
    payment.refresh_from_db()
    return payment


@pytest.fixture
def authority():
    authority = make_authority("landratsamt-test", "Landratsamt Testkreis")
    make_payee(authority)
    return authority


def test_choosing_transfer_shows_reference_and_girocode(citizen, citizen_client, authority):
    pr = make_request(owner=citizen, authority=authority, amount_cents=1280)
    response = citizen_client.post(
        f"/zahlung/{pr.public_id}/bezahlen/", {"anbieter": "ueberweisung"}, follow=True
    )
    html = response.content.decode()
    payment = Payment.objects.get(request=pr)
    assert payment.state == PaymentState.PENDING
    assert is_valid_rf(payment.provider_reference)
    assert "Bitte überweisen Sie" in html
    assert "DE89370400440532013000" in html
    assert payment.provider_reference[:4] in html
    assert f'<img src="/zahlung/{pr.public_id}/girocode.svg"' in html
    assert "hx-trigger" not in html  # no polling for transfers

    # choosing transfer again keeps the same reference
    citizen_client.post(f"/zahlung/{pr.public_id}/bezahlen/", {"anbieter": "ueberweisung"})
    assert pr.payments.count() == 1

    svg = citizen_client.get(f"/zahlung/{pr.public_id}/girocode.svg")
    assert svg["Content-Type"] == "image/svg+xml"
    expected = segno_helpers.make_epc_qr(
        name="Landratsamt Testkreis",
        iban="DE89370400440532013000",
        bic="COBADEFFXXX",
        amount="12.80",
        reference=payment.provider_reference,
    )
    buffer = io.BytesIO()
    expected.save(buffer, kind="svg", scale=4, border=4, xmldecl=False, title="GiroCode für die Überweisung")
    assert svg.content == buffer.getvalue()


def test_transfer_without_payee_account_is_refused(citizen, citizen_client):
    pr = make_request(owner=citizen)
    response = citizen_client.post(
        f"/zahlung/{pr.public_id}/bezahlen/", {"anbieter": "ueberweisung"}, follow=True
    )
    assert "Der Zahlungsdienst ist gerade nicht erreichbar" in response.content.decode()
    assert citizen_client.get(f"/zahlung/{pr.public_id}/girocode.svg").status_code == 404


def test_camt053_import_matches_and_lists_mismatches(authority):
    exact = transfer_for(authority, 1280, "RF18539007547034")
    by_text = transfer_for(authority, 3000, "RF05GEWERBE2026A")
    short_paid = transfer_for(authority, 2100, "RF15KFZ2026ABMELD")
    other_authority = make_authority("anderes-amt")
    make_payee(other_authority, iban="DE02120300000000202051")

    result = import_camt053((FIXTURES / "camt053_v02.xml").read_bytes(), authority)

    assert [e.entry_key for e in result.matched] == ["BANK-0001", "BANK-0002"]
    reasons = {e.entry_key: e.reason for e in result.unmatched}
    assert reasons == {
        "BANK-0003": BankEntryReason.WRONG_AMOUNT,
        "BANK-0004": BankEntryReason.UNKNOWN_REFERENCE,
        "BANK-0005": BankEntryReason.INVALID_REFERENCE,
        "BANK-0008": BankEntryReason.DUPLICATE,
        "BANK-0009": BankEntryReason.NO_REFERENCE,
    }
    assert result.ignored == 2  # the debit and the pending entry
    for payment in (exact, by_text):
        payment.refresh_from_db()
        assert payment.state == PaymentState.PAID
        assert payment.method == "transfer"
        assert payment.request.state == "paid"
    short_paid.refresh_from_db()
    assert short_paid.state == PaymentState.PENDING
    assert short_paid.events.filter(kind="bank_entry_unmatched").exists()
    assert UnmatchedBankEntry.objects.for_staff(None).count() == 0  # tenancy: nobody → nothing
    assert UnmatchedBankEntry.objects.filter(authority=authority).count() == 5
    entry = BankEntry.objects.get(entry_key="BANK-0001")
    assert entry.debtor_name == "Erika Beispiel"
    assert entry.debtor_iban == "DE02120300000000202051"

    # importing the same statement again changes nothing
    again = import_camt053((FIXTURES / "camt053_v02.xml").read_bytes(), authority)
    assert not again.matched
    assert not again.unmatched
    assert again.skipped == 7
    assert exact.events.filter(kind="state", to_state="paid").count() == 1


def test_camt053_batch_entry_newer_version(authority):
    one = transfer_for(authority, 3000, "RF25SAMMEL1")
    two = transfer_for(authority, 1290, "RF95SAMMEL2")
    result = import_camt053((FIXTURES / "camt053_v08_batch.xml").read_bytes(), authority)
    assert len(result.matched) == 2
    assert {p.state for p in Payment.objects.filter(pk__in=[one.pk, two.pk])} == {PaymentState.PAID}
    assert BankEntry.objects.get(entry_key="BATCH-1").debtor_name == "Sammel Eins"


def test_references_of_another_authority_do_not_match(authority):
    other = make_authority("anderes-amt-2")
    make_payee(other)
    foreign = transfer_for(other, 1280, "RF18539007547034")
    result = import_camt053((FIXTURES / "camt053_v02.xml").read_bytes(), authority)
    assert "BANK-0001" in {e.entry_key for e in result.unmatched}
    foreign.refresh_from_db()
    assert foreign.state == PaymentState.PENDING


def test_transfer_after_card_payment_is_listed_as_duplicate(authority):
    owner = make_user()
    pr = make_request(owner=owner, authority=authority, amount_cents=1280)
    transfer, _ = services.start_payment(pr, owner, "ueberweisung")
    Payment.objects.filter(pk=transfer.pk).update(provider_reference="RF18539007547034")
    # meanwhile paid by card
    from amtsweg.payments import states

    card = Payment.objects.create(
        request=pr, provider="sandbox", amount_cents=1280, booking_reference="AW-CARD1"
    )
    states.transition(card, PaymentState.PAID, source="test")
    result = import_camt053((FIXTURES / "camt053_v02.xml").read_bytes(), authority)
    entry = BankEntry.objects.get(entry_key="BANK-0001")
    assert entry in result.unmatched
    assert entry.reason == BankEntryReason.DUPLICATE
    transfer.refresh_from_db()
    assert transfer.is_duplicate


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<not-xml", "kein gültiges XML"),
        (
            b'<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"/>',
            "camt.053",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">&x;</Document>',
            "unzulässige XML-Konstrukte",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
            b"<Document>&lol2;</Document>",
            "unzulässige XML-Konstrukte",
        ),
        (
            b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt/></Document>',
            "keinen Kontoauszug",
        ),
        (
            b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">'
            b"<BkToCstmrStmt><Stmt><Id>1</Id>"
            b'<Ntry><Amt Ccy="EUR">12.805</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts></Ntry>'
            b"</Stmt></BkToCstmrStmt></Document>",
            "Betrag ist ungültig",
        ),
    ],
)
def test_bad_files_are_refused_with_a_german_message_and_nothing_is_stored(authority, data, message):
    with pytest.raises(CamtError, match=message):
        import_camt053(data, authority)
    assert not BankEntry.objects.exists()


def test_huge_file_is_refused(authority, monkeypatch):
    monkeypatch.setattr("amtsweg.payments.camt.MAX_BYTES", 100)
    with pytest.raises(CamtError, match="zu groß"):
        import_camt053(b" " * 101, authority)


def test_management_command(authority, tmp_path):
    transfer_for(authority, 1280, "RF18539007547034")
    out = io.StringIO()
    call_command(
        "import_camt053", str(FIXTURES / "camt053_v02.xml"), "--authority", "landratsamt-test", stdout=out
    )
    text = out.getvalue()
    assert "1 zugeordnet" in text
    assert "zu klären: 5,00 € RF29UNBEKANNT99 (Referenz unbekannt)" in text
    with pytest.raises(CommandError, match="gibt es nicht"):
        call_command("import_camt053", str(FIXTURES / "camt053_v02.xml"), "--authority", "nope")
    with pytest.raises(CommandError, match="nicht gefunden"):
        call_command("import_camt053", str(tmp_path / "fehlt.xml"), "--authority", "landratsamt-test")
    bad = tmp_path / "bad.xml"
    bad.write_text("<x/>")
    with pytest.raises(CommandError, match=r"camt\.053"):
        call_command("import_camt053", str(bad), "--authority", "landratsamt-test")


def test_resolving_an_unmatched_entry_needs_a_note(authority):
    import_camt053((FIXTURES / "camt053_v02.xml").read_bytes(), authority)
    entry = UnmatchedBankEntry.objects.get(entry_key="BANK-0004")
    clerk = make_user("kasse")
    with pytest.raises(CamtError, match="Bitte beschreiben"):
        resolve_entry(entry, by=clerk, note="  ")
    resolve_entry(entry, by=clerk, note="An Einzahler zurücküberwiesen")
    assert not UnmatchedBankEntry.objects.filter(pk=entry.pk).exists()
    with pytest.raises(CamtError, match="bereits geklärt"):
        resolve_entry(entry, by=clerk, note="nochmal")
