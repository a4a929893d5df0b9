"""Platform CA, seal certificates, PKCS#12 import and the operator commands."""

import datetime as dt
import io
import stat

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.core.management import CommandError, call_command
from documents_factories import authority

from amtsweg.documents import pki
from amtsweg.documents.models import SealCertificate

pytestmark = pytest.mark.django_db


def test_init_pki_is_idempotent_and_keys_are_private(settings, tmp_path):
    settings.DOCUMENTS_PKI_DIR = tmp_path / "pki"
    first = pki.init_pki()
    second = pki.init_pki()
    assert first.certificate == second.certificate
    root = tmp_path / "pki"
    assert stat.S_IMODE(root.stat().st_mode) == 0o700
    for key in (root / "ca" / "key.pem", root / "tsa" / "key.pem"):
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert first.certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == pki.DEMO_CA_NAME


def test_production_ca_is_not_called_demo(settings, tmp_path):
    settings.DOCUMENTS_PKI_DIR = tmp_path / "pki"
    settings.DEMO = False
    settings.TESTING = False
    ca = pki.init_pki()
    assert "DEMO" not in ca.certificate.subject.rfc4514_string()


def test_loose_key_permissions_are_tightened(settings, tmp_path):
    settings.DOCUMENTS_PKI_DIR = tmp_path / "pki"
    pki.init_pki()
    key = tmp_path / "pki" / "ca" / "key.pem"
    key.chmod(0o644)
    pki._load_pair_cached.cache_clear()
    pki.platform_ca()
    assert stat.S_IMODE(key.stat().st_mode) == 0o600


def test_time_stamping_certificate_has_critical_eku():
    tsa = pki.time_stamping_unit()
    eku = tsa.certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    assert eku.critical
    assert x509.oid.ExtendedKeyUsageOID.TIME_STAMPING in eku.value


def test_issue_seal_certificate_replaces_the_active_one(settings):
    office = authority("Stadtverwaltung Görlitz")
    first = pki.issue_seal_certificate(office)
    second = pki.issue_seal_certificate(office)
    first.refresh_from_db()
    assert not first.is_active
    assert second.is_active
    assert "Görlitz" in second.subject
    key_path = settings.DOCUMENTS_PKI_DIR / second.key_file
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    assert "PRIVATE KEY" not in second.certificate_pem  # the key never goes into the database


def _p12(*, passphrase=b"geheim", days=365, start=None, with_key=True):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Siegel Landesdirektion Sachsen")])
    start = start or dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=days))
        .sign(key, hashes.SHA256())
    )
    encryption = (
        serialization.BestAvailableEncryption(passphrase) if passphrase else serialization.NoEncryption()
    )
    return pkcs12.serialize_key_and_certificates(b"seal", key if with_key else None, cert, None, encryption)


def test_import_pkcs12():
    office = authority()
    record = pki.import_pkcs12(office, _p12(), b"geheim")
    assert record.source == "pkcs12"
    assert record.is_active
    assert "Landesdirektion" in record.subject
    with pytest.raises(pki.PkiError, match="bereits importiert"):
        pki.import_pkcs12(office, _reexport(record), None)


def _reexport(record):
    cert = x509.load_pem_x509_certificate(record.certificate_pem.encode())
    key = pki.load_seal_key(record)
    return pkcs12.serialize_key_and_certificates(b"seal", key, cert, None, serialization.NoEncryption())


@pytest.mark.parametrize(
    ("data", "passphrase", "message"),
    [
        (b"", None, "leer"),
        (b"\x30\x82garbage", None, "beschädigt oder die Passphrase ist falsch"),
        ("wrong-pass", b"falsch", "beschädigt oder die Passphrase ist falsch"),
        ("expired", b"geheim", "abgelaufen"),
        ("no-key", None, "kein Zertifikat mit privatem Schlüssel"),
    ],
)
def test_import_pkcs12_rejects_bad_input(data, passphrase, message):
    office = authority()
    if data == "wrong-pass":
        data = _p12()
    elif data == "expired":
        data = _p12(start=dt.datetime.now(dt.UTC) - dt.timedelta(days=400), days=30)
    elif data == "no-key":
        data = _p12(passphrase=None, with_key=False)
    with pytest.raises(pki.PkiError, match=message):
        pki.import_pkcs12(office, data, passphrase)
    assert not SealCertificate.objects.filter(authority=office).exists()


def test_commands_init_issue_import_revoke(tmp_path, monkeypatch):
    office = authority()
    out = io.StringIO()
    call_command("init_pki", stdout=out)
    assert "Plattform-CA" in out.getvalue()
    call_command("issue_seal", office.key, "--tage", "30", stdout=out)
    record = SealCertificate.objects.get(authority=office, is_active=True)
    p12 = tmp_path / "siegel.p12"
    p12.write_bytes(_p12())
    monkeypatch.setenv("AMTSWEG_SEAL_PASSPHRASE", "geheim")
    call_command("import_seal", office.key, str(p12), stdout=out)
    assert "Importiert" in out.getvalue()
    call_command("revoke_seal", record.serial, "--grund", "Schlüssel verloren", stdout=out)
    record.refresh_from_db()
    assert record.revoked_at is not None
    assert record.revocation_reason == "Schlüssel verloren"


def test_commands_report_bad_input_in_german(tmp_path, monkeypatch):
    with pytest.raises(CommandError, match="gibt es nicht"):
        call_command("issue_seal", "unbekannt")
    office = authority()
    with pytest.raises(CommandError, match="kann nicht gelesen werden"):
        call_command("import_seal", office.key, str(tmp_path / "fehlt.p12"))
    bad = tmp_path / "kaputt.p12"
    bad.write_bytes(b"kein pkcs12")
    monkeypatch.setenv("AMTSWEG_SEAL_PASSPHRASE", "x")
    with pytest.raises(CommandError, match="beschädigt"):
        call_command("import_seal", office.key, str(bad))
    with pytest.raises(CommandError, match="Kein Siegelzertifikat"):
        call_command("revoke_seal", "abc")
