"""The platform's small PKI: a CA, a time-stamping key for demo PAdES B-T, and one seal certificate per
authority.

Files live in the PKI folder (`DATA_DIR/pki`, mode 0700; keys 0600), never in the repository or the database:

    pki/ca/cert.pem, pki/ca/key.pem        platform CA (EC P-384)
    pki/tsa/cert.pem, pki/tsa/key.pem      time-stamping unit (RSA-3072, critical EKU timeStamping)
    pki/seals/<authority>-<serial>.key.pem the authorities' seal keys (RSA-3072)

In demo mode (and in tests) the CA is named "amtsweg DEMO-CA – nicht für den Rechtsverkehr". Production
authorities import their seal certificates (qualified seals come from a trust service provider) as PKCS#12,
and their roots are added to the trust anchors with AMTSWEG_SEAL_TRUST_ANCHORS.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from amtsweg.documents import conf

logger = logging.getLogger("amtsweg.documents.pki")

DEMO_CA_NAME = "amtsweg DEMO-CA – nicht für den Rechtsverkehr"
PLATFORM_CA_NAME = "amtsweg Plattform-CA"
CA_YEARS = 10
SEAL_DAYS = 730


class PkiError(Exception):
    """Shown to the operator as one German line."""


@dataclass(frozen=True)
class KeyPair:
    certificate: x509.Certificate
    key: object  # cryptography private key

    @property
    def cert_pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)


def _name(common_name: str, organisation: str | None = None, unit: str | None = None) -> x509.Name:
    attributes = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "DE"),
        x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, "Sachsen"),
    ]
    if organisation:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation[:64]))
    if unit:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit[:64]))
    attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64]))
    return x509.Name(attributes)


def _key_pem(key) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _write_private(path: Path, data: bytes) -> None:
    """Write a file readable by the owner only, atomically."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _check_permissions(path: Path) -> None:
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        logger.warning("key file readable by others, tightening to 0600", extra={"path": str(path)})
        path.chmod(0o600)


@lru_cache(maxsize=64)
def _load_pair_cached(directory: str, mtime_ns: int) -> KeyPair:
    folder = Path(directory)
    cert = x509.load_pem_x509_certificate((folder / "cert.pem").read_bytes())
    key = serialization.load_pem_private_key((folder / "key.pem").read_bytes(), password=None)
    return KeyPair(cert, key)


def _load_pair(folder: Path) -> KeyPair | None:
    if not (folder / "cert.pem").is_file() or not (folder / "key.pem").is_file():
        return None
    _check_permissions(folder / "key.pem")
    return _load_pair_cached(str(folder), (folder / "cert.pem").stat().st_mtime_ns)


def _create_pair_dir(folder: Path, make) -> KeyPair:
    """Create cert.pem + key.pem in `folder` atomically; if another process won the race, use its pair."""
    folder.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    pair = make()
    tmp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}-"))
    try:
        (tmp / "cert.pem").write_bytes(pair.cert_pem)
        _write_private(tmp / "key.pem", _key_pem(pair.key))
        tmp.chmod(0o700)
        os.rename(tmp, folder)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
        existing = _load_pair(folder)
        if existing is None:
            raise
        return existing
    return pair


def _make_ca(name: str) -> KeyPair:
    key = ec.generate_private_key(ec.SECP384R1())
    subject = _name(name, "amtsweg", "Zertifizierungsstelle")
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=365 * CA_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA384())
    )
    return KeyPair(cert, key)


def _leaf(
    ca: KeyPair, subject: x509.Name, public_key, *, not_before, not_after, eku=None
) -> x509.Certificate:
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca.certificate.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.certificate.public_key()), critical=False
        )
    )
    if eku:
        builder = builder.add_extension(x509.ExtendedKeyUsage(eku), critical=True)
    return builder.sign(ca.key, hashes.SHA384())


def new_rsa_key(bits: int = 3072):
    """A fresh RSA key (in one place, so tests can hand out pre-generated keys instead of finding primes)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def _make_tsa(ca: KeyPair) -> KeyPair:
    key = new_rsa_key()  # pyHanko's local TSA signs RSA only
    now = dt.datetime.now(dt.UTC)
    cert = _leaf(
        ca,
        _name("amtsweg Zeitstempeldienst" + (" (DEMO)" if conf.is_demo() else ""), "amtsweg"),
        key.public_key(),
        not_before=now - dt.timedelta(minutes=5),
        not_after=ca.certificate.not_valid_after_utc,
        eku=[ExtendedKeyUsageOID.TIME_STAMPING],
    )
    return KeyPair(cert, key)


def init_pki() -> KeyPair:
    """Create the PKI folder, the CA and the time-stamping key once; later calls only load them."""
    root = conf.pki_dir()
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    root.chmod(0o700)
    ca = _load_pair(root / "ca")
    if ca is None:
        name = DEMO_CA_NAME if conf.is_demo() else PLATFORM_CA_NAME
        ca = _create_pair_dir(root / "ca", lambda: _make_ca(name))
        logger.info("platform CA created", extra={"subject": ca.certificate.subject.rfc4514_string()})
    if _load_pair(root / "tsa") is None:
        _create_pair_dir(root / "tsa", lambda: _make_tsa(ca))
    (root / "seals").mkdir(mode=0o700, exist_ok=True)
    return ca


def platform_ca() -> KeyPair:
    return _load_pair(conf.pki_dir() / "ca") or init_pki()


def time_stamping_unit() -> KeyPair:
    pair = _load_pair(conf.pki_dir() / "tsa")
    if pair is None:
        init_pki()
        pair = _load_pair(conf.pki_dir() / "tsa")
    return pair


def trust_anchors() -> list[x509.Certificate]:
    """Roots a seal must chain to: the platform CA (if set up) and each file in AMTSWEG_SEAL_TRUST_ANCHORS."""
    anchors = []
    ca = _load_pair(conf.pki_dir() / "ca")
    if ca is not None:
        anchors.append(ca.certificate)
    for path in conf.trust_anchor_files():
        anchors.extend(_load_certificates(path))
    return anchors


@lru_cache(maxsize=32)
def _load_certificates_cached(path: str, mtime_ns: int) -> tuple[x509.Certificate, ...]:
    data = Path(path).read_bytes()
    if b"-----BEGIN" in data:
        return tuple(x509.load_pem_x509_certificates(data))
    return (x509.load_der_x509_certificate(data),)


def _load_certificates(path: Path) -> tuple[x509.Certificate, ...]:
    try:
        return _load_certificates_cached(str(path), path.stat().st_mtime_ns)
    except (OSError, ValueError):
        logger.exception("trust anchor file unreadable", extra={"path": str(path)})
        return ()


def fingerprint(cert: x509.Certificate) -> str:
    return hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest()


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _record(authority, cert, key, *, source, chain=()):
    from amtsweg.documents.models import SealCertificate

    serial = format(cert.serial_number, "x")
    key_name = f"seals/{authority.key}-{serial[:32]}.key.pem"
    _write_private(conf.pki_dir() / key_name, _key_pem(key))
    with transaction.atomic():
        SealCertificate.objects.filter(authority=authority, is_active=True).update(is_active=False)
        return SealCertificate.objects.create(
            authority=authority,
            subject=cert.subject.rfc4514_string(),
            issuer=cert.issuer.rfc4514_string(),
            serial=serial,
            fingerprint=fingerprint(cert),
            not_before=_aware(cert.not_valid_before_utc),
            not_after=_aware(cert.not_valid_after_utc),
            certificate_pem=cert.public_bytes(serialization.Encoding.PEM).decode(),
            chain_pem="".join(c.public_bytes(serialization.Encoding.PEM).decode() for c in chain),
            key_file=key_name,
            source=source,
            is_active=True,
        )


def issue_seal_certificate(authority, *, valid_days: int = SEAL_DAYS, not_before: dt.datetime | None = None):
    """A new seal certificate for `authority` from the platform CA; it becomes the authority's active one."""
    ca = platform_ca()
    key = new_rsa_key()
    start = not_before or (timezone.now() - dt.timedelta(minutes=5))
    end = min(start + dt.timedelta(days=valid_days), ca.certificate.not_valid_after_utc)
    subject = _name(
        authority.name + (" (DEMO)" if conf.is_demo() and len(authority.name) < 57 else ""),
        authority.name,
        "Elektronisches Siegel",
    )
    cert = _leaf(ca, subject, key.public_key(), not_before=start, not_after=end)
    record = _record(authority, cert, key, source="platform_ca", chain=[ca.certificate])
    logger.info("seal certificate issued", extra={"authority": authority.key, "serial": record.serial})
    return record


def import_pkcs12(authority, data: bytes, passphrase: bytes | None):
    """Import a seal certificate with its key (PKCS#12); raises PkiError with a German message."""
    from amtsweg.documents.models import SealCertificate

    if not data:
        raise PkiError(_("Die PKCS#12-Datei ist leer."))
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(data, passphrase or None)
    except (ValueError, TypeError):
        raise PkiError(_("Die PKCS#12-Datei ist beschädigt oder die Passphrase ist falsch.")) from None
    if key is None or cert is None:
        raise PkiError(_("Die PKCS#12-Datei enthält kein Zertifikat mit privatem Schlüssel."))
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise PkiError(_("Nur RSA- und EC-Schlüssel werden unterstützt."))
    public = serialization.PublicFormat.SubjectPublicKeyInfo
    if key.public_key().public_bytes(serialization.Encoding.DER, public) != cert.public_key().public_bytes(
        serialization.Encoding.DER, public
    ):
        raise PkiError(_("Schlüssel und Zertifikat in der PKCS#12-Datei gehören nicht zusammen."))
    now = timezone.now()
    if _aware(cert.not_valid_after_utc) <= now:
        raise PkiError(_("Das Zertifikat ist bereits abgelaufen."))
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
        if not (usage.digital_signature or usage.content_commitment):
            raise PkiError(
                _("Das Zertifikat ist nicht zum Signieren oder Siegeln bestimmt (Schlüsselverwendung).")
            )
    except x509.ExtensionNotFound:
        pass
    if SealCertificate.objects.filter(fingerprint=fingerprint(cert)).exists():
        raise PkiError(_("Dieses Zertifikat wurde bereits importiert."))
    record = _record(authority, cert, key, source="pkcs12", chain=list(extra or []))
    logger.info("seal certificate imported", extra={"authority": authority.key, "serial": record.serial})
    return record


def load_seal_key(record):
    """The private key of a seal certificate record (cached per file)."""
    path = conf.pki_dir() / record.key_file
    if not path.is_file():
        raise PkiError(_("Der Schlüssel zum Siegelzertifikat fehlt im PKI-Ordner (%s).") % record.key_file)
    _check_permissions(path)
    return _load_key_cached(str(path), path.stat().st_mtime_ns)


@lru_cache(maxsize=64)
def _load_key_cached(path: str, mtime_ns: int):
    return serialization.load_pem_private_key(Path(path).read_bytes(), password=None)


def revoke(record, reason: str = "") -> None:
    from amtsweg.documents.models import SealCertificate

    SealCertificate.objects.filter(pk=record.pk).update(
        revoked_at=timezone.now(), revocation_reason=reason[:300], is_active=False
    )
    record.refresh_from_db()
    logger.warning("seal certificate revoked", extra={"serial": record.serial, "reason": reason})
