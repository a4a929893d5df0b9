"""The electronic seal: PAdES signatures with the authority's seal certificate (pyHanko), and their
validation.

* PAdES B-B by default; PAdES B-T when a time stamp is configured ("local": the platform's own
  time-stamping unit, for demo and tests; a qualified TSA needs network access and is not built in).
* The seal is invisible: the document itself prints the verification code and QR code, so no font outside the
  embedded Fira Sans is needed.
* An expired, not yet valid or revoked certificate never seals: `SealRefused` is raised, logged at error level
  and recorded as a `SealAlert` for the operators.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import io
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from django.utils import timezone
from django.utils.translation import gettext as _
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko_certvalidator.registry import SimpleCertificateStore

from amtsweg.documents import conf, pki

logger = logging.getLogger("amtsweg.documents.seal")

FIELD_NAME = "Siegel"
# Space reserved for the CMS signature container. Without it pyHanko signs twice (a dry run to measure the
# size); RSA-3072 + chain + time stamp needs about 7-9 KB, an imported qualified chain more.
BYTES_RESERVED = {"none": 12 * 1024, "local": 20 * 1024}


def run_sync(func):
    """Run pyHanko's synchronous API (it calls asyncio.run) even where this thread already runs an event loop
    (an async view, a notebook, Playwright in tests): then in a short-lived worker thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return func()
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(func).result()


class SealRefused(Exception):
    """Sealing is not possible; the message is German and safe to show to staff."""


def _asn1_cert(cert) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def _asn1_key(key) -> asn1_keys.PrivateKeyInfo:
    return asn1_keys.PrivateKeyInfo.load(
        key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )


class _LoadedKeySigner(signers.SimpleSigner):
    """SimpleSigner that keeps the parsed private key (pyHanko re-parses the DER key for every signature)."""

    def __init__(self, *args, loaded_key, **kwargs):
        super().__init__(*args, **kwargs)
        self._loaded_key = loaded_key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        algorithm = {"sha256": hashes.SHA256(), "sha384": hashes.SHA384(), "sha512": hashes.SHA512()}.get(
            digest_algorithm
        )
        if algorithm is not None:
            if mechanism == "rsassa_pkcs1v15" and isinstance(self._loaded_key, rsa.RSAPrivateKey):
                return self._loaded_key.sign(data, padding.PKCS1v15(), algorithm)
            if mechanism == "ecdsa" and isinstance(self._loaded_key, ec.EllipticCurvePrivateKey):
                return self._loaded_key.sign(data, ec.ECDSA(algorithm))
        return super().sign_raw(data, digest_algorithm)


@lru_cache(maxsize=64)
def _signer(fingerprint: str, certificate_pem: str, chain_pem: str, key_file: str) -> _LoadedKeySigner:
    from cryptography import x509

    cert = x509.load_pem_x509_certificate(certificate_pem.encode())
    chain = x509.load_pem_x509_certificates(chain_pem.encode()) if chain_pem.strip() else []
    key = pki.load_seal_key(_KeyRef(key_file))
    return _LoadedKeySigner(
        signing_cert=_asn1_cert(cert),
        signing_key=_asn1_key(key),
        cert_registry=SimpleCertificateStore.from_certs([_asn1_cert(c) for c in chain]),
        loaded_key=key,
    )


@dataclass(frozen=True)
class _KeyRef:
    key_file: str


class _LocalTimeStamper(DummyTimeStamper):
    """pyHanko's in-process TSA, keeping the parsed RSA key (pyHanko re-parses it per time stamp: ~50 ms)."""

    def __init__(self, *args, loaded_key, **kwargs):
        super().__init__(*args, **kwargs)
        self._loaded_key = loaded_key

    def _sign_tst_info(self, tst_info_data: bytes, md_algorithm: str, dt):
        from asn1crypto import cms, core
        from pyhanko.sign import general
        from pyhanko.sign.general import get_pyca_cryptography_hash, simple_cms_attribute

        digest = hashes.Hash(get_pyca_cryptography_hash(md_algorithm))
        digest.update(tst_info_data)
        signed_attrs = cms.CMSAttributes(
            [
                simple_cms_attribute("content_type", "tst_info"),
                simple_cms_attribute("signing_time", cms.Time({"utc_time": core.UTCTime(dt)})),
                simple_cms_attribute("signing_certificate", general.as_signing_certificate(self.tsa_cert)),
                simple_cms_attribute("message_digest", digest.finalize()),
            ]
        )
        signature = self._loaded_key.sign(
            signed_attrs.dump(), padding.PKCS1v15(), get_pyca_cryptography_hash(md_algorithm.upper())
        )
        return signature, signed_attrs


@lru_cache(maxsize=4)
def _local_timestamper(tsa_fingerprint: str) -> DummyTimeStamper:
    tsa = pki.time_stamping_unit()
    ca = pki.platform_ca()
    return _LocalTimeStamper(
        loaded_key=tsa.key,
        tsa_cert=_asn1_cert(tsa.certificate),
        tsa_key=_asn1_key(tsa.key),
        certs_to_embed=SimpleCertificateStore.from_certs([_asn1_cert(ca.certificate)]),
    )


def timestamper():
    mode = conf.timestamp_mode()
    if mode == "local":
        tsa = pki.time_stamping_unit()
        return _local_timestamper(pki.fingerprint(tsa.certificate))
    if mode in ("", "none"):
        return None
    raise SealRefused(_("Unbekannte Zeitstempel-Einstellung %r (erlaubt: local, none).") % mode)


def alert(authority, message: str, certificate=None) -> None:
    """Log at error level and leave a record the operators see in the admin (one open alert per cause)."""
    from amtsweg.documents.models import SealAlert

    logger.error(
        "sealing refused",
        extra={"authority": authority.key, "reason": message, "serial": getattr(certificate, "serial", None)},
    )
    SealAlert.objects.get_or_create(
        authority=authority, certificate=certificate, message=message[:500], resolved_at=None
    )


def certificate_for(authority):
    """The authority's active seal certificate; issued from the platform CA if it has none and that is
    allowed.

    Raises SealRefused (and alerts) if the certificate is expired, not yet valid or revoked.
    """
    from amtsweg.documents.models import SealCertificate

    record = (
        SealCertificate.objects.filter(authority=authority, is_active=True).order_by("-not_after").first()
    )
    if record is None:
        latest = SealCertificate.objects.filter(authority=authority).order_by("-not_after").first()
        if latest is not None:
            message = _("Kein aktives Siegelzertifikat für %(authority)s. %(problem)s") % {
                "authority": authority.name,
                "problem": latest.problem() or "",
            }
            alert(authority, message.strip(), latest)
            raise SealRefused(message.strip())
        if not conf.auto_issue_seals():
            message = _("Für %s ist kein Siegelzertifikat eingerichtet.") % authority.name
            alert(authority, message)
            raise SealRefused(message)
        record = pki.issue_seal_certificate(authority)
    problem = record.problem()
    if problem:
        message = f"{authority.name}: {problem}"
        alert(authority, message, record)
        raise SealRefused(message)
    return record


def _reserved(record, stamper) -> int:
    base = BYTES_RESERVED["local" if stamper is not None else "none"]
    # Each certificate in the chain is embedded once (plus the signer's): ~2 KB per PEM block is generous.
    reserved = base + 2 * len(record.chain_pem.encode()) // 3 + 2048
    # pyHanko refuses an odd reservation (it is hex-encoded), and the chain's length varies per installation.
    return reserved + reserved % 2


@dataclass(frozen=True)
class Sealed:
    pdf: bytes
    sha256: str
    certificate: object  # SealCertificate
    level: str
    sealed_at: dt.datetime


def seal_pdf(pdf_bytes: bytes, authority, *, reason: str = "", location: str = "") -> Sealed:
    """Seal `pdf_bytes` with the authority's certificate (PAdES); raises SealRefused."""
    record = certificate_for(authority)
    try:
        signer = _signer(record.fingerprint, record.certificate_pem, record.chain_pem, record.key_file)
    except pki.PkiError as exc:
        alert(authority, str(exc), record)
        raise SealRefused(str(exc)) from exc
    stamper = timestamper()
    metadata = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason or _("Elektronisches Siegel der Behörde"),
        location=location or None,
        name=authority.name,
        certify=False,
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes), strict=False)
    output = io.BytesIO()
    try:
        reserved = _reserved(record, stamper)
        run_sync(
            lambda: signers.PdfSigner(metadata, signer=signer, timestamper=stamper).sign_pdf(
                writer, output=output, bytes_reserved=reserved
            )
        )
    except SigningError as exc:
        logger.exception("sealing failed", extra={"authority": authority.key})
        raise SealRefused(_("Das Dokument konnte nicht gesiegelt werden.")) from exc
    sealed = output.getvalue()
    return Sealed(
        pdf=sealed,
        sha256=hashlib.sha256(sealed).hexdigest(),
        certificate=record,
        level="PAdES-B-T" if stamper is not None else "PAdES-B-B",
        sealed_at=timezone.now(),
    )
