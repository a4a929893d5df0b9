"""Issuing a sealed decision: valid PAdES for pyHanko and pdfsig, correct German text, clear errors."""

import datetime as dt
import io
import logging
import shutil
import subprocess

import pytest
from django.utils import timezone
from documents_factories import authority, decision_spec
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature

from amtsweg.documents import pki, sealing
from amtsweg.documents.models import Document, DocumentTemplate, RemedyTemplate, SealAlert
from amtsweg.documents.services import (
    DocumentSpecError,
    Fee,
    MissingData,
    SealRefused,
    TemplateNotFound,
    create_document,
    document_by_code,
)
from amtsweg.documents.validation import validation_context

pytestmark = pytest.mark.django_db
needs_poppler = pytest.mark.skipif(shutil.which("pdfsig") is None, reason="poppler-utils (pdfsig) fehlt")


def _files(settings):
    root = settings.MEDIA_ROOT
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_issued_decision_is_a_valid_pades_document_for_pyhanko():
    office = authority()
    document = create_document(decision_spec(office), reference="vorgang:1")
    data = document.read_bytes()
    assert document.sha256 == __import__("hashlib").sha256(data).hexdigest()
    assert document.pages == 2
    assert document.seal_level == "PAdES-B-T"
    (signature,) = PdfFileReader(io.BytesIO(data)).embedded_signatures
    status = validate_pdf_signature(signature, signer_validation_context=validation_context())
    assert status.intact
    assert status.valid
    assert status.trusted
    assert status.bottom_line
    assert status.timestamp_validity is not None
    assert status.timestamp_validity.trusted
    assert signature.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"


@needs_poppler
def test_pdfsig_accepts_the_seal_and_rejects_a_changed_byte(tmp_path):
    office = authority()
    data = create_document(decision_spec(office), reference="vorgang:2").read_bytes()
    good = tmp_path / "bescheid.pdf"
    good.write_bytes(data)
    output = subprocess.run(["pdfsig", str(good)], capture_output=True, text=True, check=False).stdout
    assert "Signature is Valid" in output
    assert "Total document signed" in output
    assert "ETSI.CAdES.detached" in output
    changed = bytearray(data)
    position = data.index(b"ReportLab")  # in the signed first revision; the file stays readable
    changed[position] = ord("r")
    bad = tmp_path / "geaendert.pdf"
    bad.write_bytes(bytes(changed))
    output = subprocess.run(["pdfsig", str(bad)], capture_output=True, text=True, check=False).stdout
    assert "Signature is Valid" not in output


@needs_poppler
def test_text_umlauts_capital_sharp_s_and_layout(tmp_path):
    office = authority("Landratsamt Görlitz")
    data = create_document(decision_spec(office), reference="vorgang:3").read_bytes()
    path = tmp_path / "b.pdf"
    path.write_bytes(data)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    for expected in (
        "Landratsamt Görlitz",
        "Frau Erika Größenwahn-Übermuth",
        "Lößnitzstraße 7",
        "GROẞE BUCHSTABEN",
        "„Am Öltank“",
        "27.11.2026",
        "32.1-2026-0042",
        "250,00 €",
        "252,80 €",
        "Rechtsbehelfsbelehrung",
        "innerhalb eines Monats nach Bekanntgabe Widerspruch",
        "Dieser Bescheid wurde maschinell erstellt und ist ohne Unterschrift gültig.",
        "Seite 1 von 2",
        "https://amtsweg.example/pruefen/",
    ):
        assert expected in text, expected
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    font_lines = fonts.splitlines()[2:]
    assert font_lines, fonts
    assert all(" yes yes yes " in line for line in font_lines), fonts  # embedded, subset, with ToUnicode
    assert "Helvetica" not in fonts


def test_verification_code_is_printed_and_findable():
    office = authority()
    document = create_document(decision_spec(office), reference="vorgang:4")
    assert len(document.verification_code) == 12
    assert document_by_code(document.formatted_code.lower()) == document
    assert document_by_code(document.verification_code.replace("0", "O")) == document
    assert document_by_code("zu-kurz") is None
    assert document_by_code(None) is None
    assert document_by_code("ÄÖÜ" * 4) is None


def test_official_closing_needs_the_officials_name(settings):
    office = authority()
    DocumentTemplate.objects.create(
        doc_type="schreiben",
        procedure="anhoerung",
        title="{{ betreff }}",
        body="{{ text }}",
        closing="official",
        with_remedy=False,
    )
    spec = decision_spec(
        office,
        doc_type="schreiben",
        procedure="anhoerung",
        data={"betreff": "Anhörung", "text": "Bitte äußern Sie sich."},
    )
    with pytest.raises(MissingData) as excinfo:
        create_document(spec, reference="vorgang:5")
    assert excinfo.value.fields == ["bearbeiter.name"]
    spec.official = {"name": "Frau Sachbearbeiterin Weiß", "role": "Sachgebiet Gewerbe"}
    document = create_document(spec, reference="vorgang:5")
    assert document.remedy_template is None


def test_missing_placeholder_values_fail_before_anything_is_stored(settings):
    office = authority()
    spec = decision_spec(office, data={"betreff": "Bescheid"}, recipient_lines=["Nur ein Name"])
    with pytest.raises(MissingData) as excinfo:
        create_document(spec, reference="vorgang:6")
    assert excinfo.value.fields == ["anrede", "begruendung", "empfaenger.anschrift", "entscheidung"]
    assert "Für das Dokument fehlen Angaben" in str(excinfo.value)
    assert not Document.objects.exists()
    assert _files(settings) == []


def test_missing_authority_address_is_reported(settings):
    office = authority(with_office=False)
    with pytest.raises(MissingData) as excinfo:
        create_document(decision_spec(office), reference="vorgang:7")
    assert "behoerde.anschrift" in excinfo.value.fields
    assert not Document.objects.exists()


def test_no_template_or_no_remedy_is_a_clear_error():
    office = authority()
    with pytest.raises(TemplateNotFound, match="keine aktive Vorlage"):
        create_document(decision_spec(office, doc_type="unbekannt"), reference="x")
    RemedyTemplate.objects.update(is_active=False)
    with pytest.raises(TemplateNotFound, match="keine Rechtsbehelfsbelehrung"):
        create_document(decision_spec(office), reference="x")
    assert not Document.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"data": ["keine", "Zuordnung"]}, "Mapping"),
        ({"fees": [Fee("Gebühr", 12.5)]}, "Cent"),
        ({"fees": [Fee("Gebühr", True)]}, "Cent"),
        ({"fees": [{"label": "", "amount_cents": 100}]}, "Bezeichnung"),
        ({"fees": [Fee("x", 1)] * 51}, "Zu viele"),
        ({"recipient_lines": ["a"] * 7}, "höchstens 6 Zeilen"),
        ({"recipient_lines": ["x" * 61, "y"]}, "60 Zeichen"),
        ({"recipient_lines": "Frau Muster"}, "Textzeilen"),
        ({"authority": "landratsamt-meissen"}, "Behörde fehlt"),
        ({"procedure": None}, "Verfahren"),
    ],
)
def test_malformed_specs_are_rejected(overrides, message):
    office = authority()
    with pytest.raises(DocumentSpecError, match=message):
        create_document(decision_spec(office, **overrides), reference="x")
    assert not Document.objects.exists()


def test_reference_must_be_short_text():
    office = authority()
    with pytest.raises(DocumentSpecError):
        create_document(decision_spec(office), reference="x" * 201)


def test_expired_certificate_refuses_to_seal_and_alerts(caplog):
    office = authority()
    expired = pki.issue_seal_certificate(
        office, valid_days=30, not_before=timezone.now() - dt.timedelta(days=60)
    )
    with (
        caplog.at_level(logging.ERROR, logger="amtsweg.documents.seal"),
        pytest.raises(SealRefused, match="abgelaufen"),
    ):
        create_document(decision_spec(office), reference="x")
    assert not Document.objects.exists()
    alert = SealAlert.objects.get(authority=office)
    assert alert.certificate == expired
    assert "abgelaufen" in alert.message
    assert any(record.levelno == logging.ERROR for record in caplog.records)
    # A second refusal does not pile up duplicate open alerts.
    with pytest.raises(SealRefused):
        create_document(decision_spec(office), reference="x")
    assert SealAlert.objects.filter(authority=office, resolved_at__isnull=True).count() == 1


def test_revoked_certificate_refuses_to_seal_and_is_not_replaced_silently():
    office = authority()
    record = pki.issue_seal_certificate(office)
    pki.revoke(record, "Schlüssel kompromittiert")
    with pytest.raises(SealRefused, match="Kein aktives Siegelzertifikat"):
        create_document(decision_spec(office), reference="x")
    assert SealAlert.objects.filter(authority=office, certificate=record).exists()
    assert office.seal_certificates.count() == 1  # no new certificate was issued behind the operator's back


def test_active_but_revoked_certificate_is_refused():
    office = authority()
    record = pki.issue_seal_certificate(office)
    type(record).objects.filter(pk=record.pk).update(revoked_at=timezone.now(), revocation_reason="Test")
    with pytest.raises(SealRefused, match="gesperrt"):
        create_document(decision_spec(office), reference="x")


def test_no_certificate_and_no_auto_issue_is_refused(settings):
    settings.DOCUMENTS_AUTO_ISSUE_SEALS = False
    office = authority()
    with pytest.raises(SealRefused, match="kein Siegelzertifikat eingerichtet"):
        create_document(decision_spec(office), reference="x")
    assert SealAlert.objects.filter(authority=office).exists()


def test_pades_b_b_without_time_stamp(settings):
    settings.DOCUMENTS_TIMESTAMPS = "none"
    office = authority()
    document = create_document(decision_spec(office), reference="x")
    assert document.seal_level == "PAdES-B-B"
    (signature,) = PdfFileReader(io.BytesIO(document.read_bytes())).embedded_signatures
    status = validate_pdf_signature(signature, signer_validation_context=validation_context())
    assert status.bottom_line
    assert status.timestamp_validity is None


def test_unknown_time_stamp_setting_is_refused(settings):
    settings.DOCUMENTS_TIMESTAMPS = "http://tsa.invalid"
    office = authority()
    with pytest.raises(SealRefused, match="Zeitstempel"):
        sealing.seal_pdf(b"%PDF-1.4", office)


def test_daily_certificate_check_alerts_before_expiry():
    from amtsweg.documents.tasks import check_seal_certificates

    office = authority()
    pki.issue_seal_certificate(office, valid_days=10)
    assert check_seal_certificates.call() == 1
    assert "läuft am" in SealAlert.objects.get(authority=office).message
