"""Is a PDF one of ours, unchanged, and sealed by a trusted authority certificate?

`validate_document(pdf_bytes)` never raises for bad input: garbage, truncated or forged files give a result
with `genuine=False` and a German `reason` that can be shown to anyone.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from amtsweg.documents import pki
from amtsweg.documents.codes import normalize_code
from amtsweg.documents.sealing import _asn1_cert, run_sync

logger = logging.getLogger("amtsweg.documents.validation")
KEYWORD_PREFIX = "amtsweg-pruefcode:"
_KEYWORD_CODE = re.compile(re.escape(KEYWORD_PREFIX) + r"([0-9A-Z]{12})")
_KEY_USAGE = KeyUsageConstraints(
    key_usage={"digital_signature", "non_repudiation"}, match_all_key_usages=False
)


@dataclass
class ValidationResult:
    genuine: bool
    intact: bool = False
    sealed_by: str = ""
    sealed_at: dt.datetime | None = None
    known_to_us: bool = False
    reason: str = ""
    unchanged: bool | None = None  # hash equals the issued document's (None: no record to compare)
    seal_level: str = ""
    document: object | None = None  # documents.Document when known
    details: list[str] = field(default_factory=list)


def _subject(cert) -> str:
    subject = cert.subject.native
    name = subject.get("organization_name") or subject.get("common_name") or cert.subject.human_friendly
    return name if isinstance(name, str) else ", ".join(name)


def validation_context() -> ValidationContext:
    anchors = [_asn1_cert(cert) for cert in pki.trust_anchors()]
    return ValidationContext(trust_roots=anchors, allow_fetching=False, revocation_mode="soft-fail")


def _code_from_info(reader) -> str | None:
    try:
        keywords = " ".join(str(word) for word in (reader.document_meta_view.keywords or []))
    except Exception:  # a forged file may have anything here
        return None
    match = _KEYWORD_CODE.search(keywords)
    return normalize_code(match.group(1)) if match else None


def _record(sha256: str, code: str | None):
    from amtsweg.documents.models import Document

    by_hash = Document.objects.filter(sha256=sha256).select_related("authority", "seal_certificate").first()
    if by_hash is not None:
        return by_hash, True
    if code:
        by_code = (
            Document.objects.filter(verification_code=code)
            .select_related("authority", "seal_certificate")
            .first()
        )
        if by_code is not None:
            return by_code, False
    return None, None


def validate_document(pdf_bytes) -> ValidationResult:
    if not isinstance(pdf_bytes, bytes | bytearray) or not pdf_bytes:
        return ValidationResult(False, reason=_("Die Datei ist leer."))
    data = bytes(pdf_bytes)
    if b"%PDF-" not in data[:1024]:
        return ValidationResult(False, reason=_("Die Datei ist keine PDF-Datei."))
    sha256 = hashlib.sha256(data).hexdigest()
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
    except Exception:
        logger.info("unreadable PDF uploaded for verification", exc_info=True)
        return ValidationResult(
            False, reason=_("Die PDF-Datei ist beschädigt oder unvollständig und kann nicht geprüft werden.")
        )
    code = _code_from_info(reader)
    document, same_hash = _record(sha256, code)
    if not signatures:
        return ValidationResult(
            False,
            reason=_("Das Dokument trägt kein elektronisches Siegel."),
            known_to_us=document is not None,
            unchanged=same_hash,
            document=document,
        )
    signature = signatures[-1]
    try:
        context = validation_context()
        status = run_sync(
            lambda: validate_pdf_signature(
                signature, signer_validation_context=context, key_usage_settings=_KEY_USAGE
            )
        )
    except Exception:
        logger.info("seal could not be validated", exc_info=True)
        return ValidationResult(
            False,
            reason=_("Das Siegel ist beschädigt und kann nicht geprüft werden."),
            known_to_us=document is not None,
            unchanged=same_hash,
            document=document,
        )
    result = ValidationResult(
        genuine=False,
        intact=bool(status.intact and status.valid),
        sealed_by=_subject(status.signing_cert),
        known_to_us=document is not None,
        unchanged=same_hash,
        document=document,
    )
    if status.timestamp_validity is not None and status.timestamp_validity.valid:
        result.sealed_at = status.timestamp_validity.timestamp
        result.seal_level = "PAdES-B-T"
    else:
        result.sealed_at = status.signer_reported_dt
        result.seal_level = "PAdES-B-B"
    if not result.intact:
        result.reason = _("Das Dokument wurde nach dem Siegeln verändert oder das Siegel ist ungültig.")
        return result
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        result.intact = False
        result.reason = _("Nach dem Siegeln wurde etwas an das Dokument angehängt oder verändert.")
        return result
    if not status.trusted:
        result.reason = _("Das Siegel stammt nicht von einer Behörde, deren Zertifikat wir vertrauen.")
        return result
    certificate = _certificate_record(status.signing_cert)
    if certificate is not None and certificate.revoked_at is not None:
        sealed_at = result.sealed_at or dt.datetime.max.replace(tzinfo=dt.UTC)
        if certificate.revoked_at <= sealed_at:
            result.reason = _("Das Siegelzertifikat war beim Siegeln bereits gesperrt.")
            return result
        result.details.append(_("Das Siegelzertifikat wurde nach dem Siegeln gesperrt."))
    if document is not None and not same_hash:
        result.reason = _("Das Dokument weicht vom ausgestellten Original ab.")
        return result
    result.genuine = True
    result.reason = (
        _("Das Dokument ist echt und unverändert.")
        if document is not None
        else _("Das Siegel ist gültig, das Dokument ist bei amtsweg aber nicht verzeichnet.")
    )
    return result


def _certificate_record(asn1_cert):
    from amtsweg.documents.models import SealCertificate

    digest = hashlib.sha256(asn1_cert.dump()).hexdigest()
    return SealCertificate.objects.filter(fingerprint=digest).first()
