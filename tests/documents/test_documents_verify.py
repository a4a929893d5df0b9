"""The public verification page: genuine, changed, forged, truncated and garbage files; codes; never a 500."""

import datetime as dt
import io

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from documents_factories import authority, decision_spec
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

from amtsweg.documents.services import create_document, render_pdf, validate_document

pytestmark = pytest.mark.django_db
URL = "/pruefen/"


@pytest.fixture
def issued():
    office = authority("Landratsamt Bautzen")
    document = create_document(decision_spec(office), reference="pruefen:1")
    return document, document.read_bytes()


def _upload(client, data, url=URL, name="bescheid.pdf", content_type="application/pdf"):
    return client.post(url, {"datei": SimpleUploadedFile(name, data, content_type=content_type)})


def _text(response):
    return response.content.decode()


def test_page_renders(client):
    response = client.get(URL)
    assert response.status_code == 200
    assert "Ist mein Dokument echt?" in _text(response)
    assert 'enctype="multipart/form-data"' in _text(response)


def test_genuine_document_is_echt(client, issued):
    _document, data = issued
    response = _upload(client, data)
    html = _text(response)
    assert response.status_code == 200
    assert "Echt" in html
    assert "Nicht echt" not in html
    assert "Das Dokument ist echt und unverändert." in html
    assert "Landratsamt Bautzen" in html  # sealed by
    assert "PAdES-B-T" in html


def test_one_changed_byte_is_nicht_echt(client, issued):
    _document, data = issued
    changed = bytearray(data)
    changed[data.index(b"ReportLab")] = ord("r")
    response = _upload(client, bytes(changed))
    html = _text(response)
    assert response.status_code == 200
    assert "Nicht echt" in html
    assert "nach dem Siegeln verändert" in html
    result = validate_document(bytes(changed))
    assert not result.genuine
    assert not result.intact
    assert result.unchanged is False


def test_change_inside_the_signature_padding_is_still_nicht_echt(issued):
    """Bytes the signature does not cover (padding of /Contents) still change the hash: the record decides."""
    _document, data = issued
    start = data.index(b"/Contents <") + len(b"/Contents <")
    end = data.index(b">", start)
    padding_at = data.rindex(b"00", start, end) - 10
    changed = bytearray(data)
    changed[padding_at] = ord("1")
    result = validate_document(bytes(changed))
    assert not result.genuine
    assert result.unchanged is False


def test_appended_update_is_nicht_echt(issued):
    _document, data = issued
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    writer.add_object(generic.pdf_string("nachträglich eingefügt"))
    info = writer.root
    info["/Lang"] = generic.pdf_string("en")
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    result = validate_document(out.getvalue())
    assert not result.genuine
    assert "angehängt" in result.reason or "verändert" in result.reason


def test_truncated_pdf_is_handled(client, issued):
    _document, data = issued
    response = _upload(client, data[: len(data) // 2])
    assert response.status_code == 200
    assert "Nicht echt" in _text(response)
    assert any(
        phrase in _text(response)
        for phrase in (
            "beschädigt oder unvollständig",
            "kein elektronisches Siegel",
            "Siegel ist beschädigt",
            "verändert",
        )
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "keine PDF-Datei"),
        (b"<html>" * 50, "keine PDF-Datei"),
        (b"%PDF-1.7\n" + bytes(range(256)) * 20, "beschädigt oder unvollständig"),
        (
            b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
            b"trailer\n<< /Root 1 0 R >>\n%%EOF",
            "",
        ),
    ],
)
def test_garbage_never_causes_a_server_error(client, data, message):
    response = _upload(client, data, name="rechnung.pdf")
    assert response.status_code == 200
    assert "Nicht echt" in _text(response)
    assert message in _text(response)


def test_empty_upload_is_a_form_error(client):
    response = _upload(client, b"")
    assert response.status_code == 400
    assert "Die Datei ist leer." in _text(response)


def test_missing_file_is_a_form_error(client):
    response = client.post(URL, {})
    assert response.status_code == 400
    assert "Bitte wählen Sie eine PDF-Datei aus." in _text(response)


def test_unsealed_pdf_is_nicht_echt(client):
    office = authority()
    pdf, _prepared, _pages = render_pdf(decision_spec(office))
    response = _upload(client, pdf)
    assert "Nicht echt" in _text(response)
    assert "kein elektronisches Siegel" in _text(response)


def _foreign_signer():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Landratsamt Bautzen")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True
        )
        .sign(key, hashes.SHA256())
    )
    der_key = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
        signing_key=asn1_keys.PrivateKeyInfo.load(der_key),
        cert_registry=SimpleCertificateStore(),
    )


def test_forged_seal_with_an_untrusted_certificate_is_nicht_echt(client):
    office = authority("Landratsamt Bautzen")
    pdf, _prepared, _pages = render_pdf(decision_spec(office))
    out = io.BytesIO()
    signers.PdfSigner(
        signers.PdfSignatureMetadata(field_name="Siegel", subfilter=fields.SigSeedSubFilter.PADES),
        signer=_foreign_signer(),
    ).sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)), output=out)
    response = _upload(client, out.getvalue())
    html = _text(response)
    assert "Nicht echt" in html
    assert "nicht von einer Behörde, deren Zertifikat wir vertrauen" in html


def test_too_large_upload_is_refused_before_reading(client, settings):
    settings.DOCUMENTS_VERIFY_MAX_BYTES = 1024
    response = _upload(client, b"%PDF-1.4\n" + b"0" * 200_000)
    assert response.status_code == 413
    assert "zu groß" in _text(response)


def test_code_lookup_redirects_to_the_record(client, issued):
    document, _data = issued
    response = client.post(URL, {"code": document.formatted_code.lower().replace("-", " ")})
    assert response.status_code == 302
    assert response["Location"] == reverse("documents:verify_code", kwargs={"code": document.formatted_code})
    page = client.get(response["Location"])
    html = _text(page)
    assert page.status_code == 200
    assert document.sha256 in html
    assert "Landratsamt Bautzen" in html
    assert "27.11.2026" in html
    assert "Größenwahn" not in html  # no personal data on the public page


@pytest.mark.parametrize(
    ("code", "message"),
    [("ABCD", "12 Zeichen"), ("ZZZZ-ZZZZ-ZZZZ", "kein Dokument verzeichnet"), ("x" * 41, "")],
)
def test_bad_or_unknown_code(client, code, message):
    response = client.post(URL, {"code": code})
    assert response.status_code == 400
    assert message in _text(response)


def test_unknown_code_page_is_404(client):
    assert client.get("/pruefen/ZZZZ-ZZZZ-ZZZZ/").status_code == 404
    assert client.get("/pruefen/%3Cscript%3E/").status_code == 404


def test_code_page_compares_the_upload_with_that_record(client, issued):
    document, data = issued
    url = reverse("documents:verify_code", kwargs={"code": document.formatted_code})
    assert "Echt" in _text(_upload(client, data, url=url))
    other = create_document(decision_spec(authority()), reference="pruefen:2").read_bytes()
    html = _text(_upload(client, other, url=url))
    assert "Nicht echt" in html
    assert "anderen Dokument" in html
    changed = bytearray(data)
    changed[data.index(b"ReportLab")] = ord("r")
    assert "Nicht echt" in _text(_upload(client, bytes(changed), url=url))


def test_csrf_is_enforced_for_uploads(issued):
    from django.test import Client

    _document, data = issued
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(URL, {"datei": SimpleUploadedFile("b.pdf", data)})
    assert response.status_code == 403
