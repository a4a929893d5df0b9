"""Assisted filing: staff file an application on behalf of a citizen (Bürgerterminal, Bürgerkoffer).

    case, created = file_for_citizen(
        "gewerbe-anmeldung", values, operator=staff_user, identification="ausweis_gesehen",
        consent_given=True, signature_png=png_bytes, channel="terminal", idempotency_key=key,
    )

The engine entry point shared by the terminal pages (`amtsweg.kiosk`) and the offline Bürgerkoffer sync
(`amtsweg.koffer`). It runs the procedure's own validation (`cases.services.review_errors`), creates the case
through the case engine (`cases.services.submit` on a draft written for the citizen, so routing, encryption,
fees, numbers, audit and the receipt are exactly those of an online application), and records an
`AssistedFiling` (who helped, how the citizen was identified, consent, the signature image encrypted for the
lead authority) plus an audit event in the case's chain, all in one transaction.

Idempotent by `idempotency_key`: the same key returns the same case with `created=False`, also when two
uploads race (the unique key on `AssistedFiling` rolls the second one back completely).

The applicant: `citizen_user` when the citizen has an account (the receipt goes to their postbox if it is
open for electronic delivery); otherwise an inactive account without password is created for this one
application (name and address from the form's prefill fields), and the receipt is printed (the engine's
receipt goes to the print queue; `receipt_context` feeds the printable page handed over on the spot).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Mapping

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from amtsweg.accounts.tenancy import authorities_for
from amtsweg.accounts.trust import TrustLevel
from amtsweg.assisted import audit as assisted_audit
from amtsweg.assisted.models import AssistedFiling, Site
from amtsweg.cases import audit, crypto
from amtsweg.cases import services as cases
from amtsweg.cases.models import Case, Draft
from amtsweg.procedures import registry

CHANNELS = tuple(AssistedFiling.Channel.values)
IDENTIFICATIONS = tuple(AssistedFiling.Identification.values)
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MAX_SIGNATURE_BYTES = 512 * 1024
# Identification in person with an official ID document seen by staff, or with the eID: both "hoch".
TRUST_FOR_IDENTIFICATION = {"ausweis_gesehen": TrustLevel.HOCH, "eid": TrustLevel.HOCH}
_USER_FIELDS = ("first_name", "last_name", "street_address", "postal_code", "locality", "birth_date")


class _Acting:
    """The citizen acting for themselves, identified in person (the engine's acting context)."""

    organisation = None
    on_behalf_of = None
    mandate = None

    def __init__(self, user, level: TrustLevel):
        self.user = user
        self.trust_level = level

    def may_submit(self, key) -> bool:
        return True

    def as_record(self) -> dict:
        return {
            "user_id": self.user.pk,
            "organisation_id": None,
            "on_behalf_of_id": None,
            "mandate_id": None,
            "trust_level": self.trust_level.key,
        }


class FilingError(cases.CaseError):
    """Refused (German `message`, `errors` by field); nothing was stored."""


def operator_authorities(operator):
    return authorities_for(operator, "assisted_operator")


def _check_signature(signature_png) -> bytes:
    if not signature_png:
        raise FilingError(
            _(
                "Die Unterschrift fehlt. Bitte lassen Sie die Bürgerin oder den Bürger auf dem Bildschirm "
                "unterschreiben."
            ),
            {"signature": [_("Bitte unterschreiben Sie im Feld.")]},
        )
    if not isinstance(signature_png, bytes | bytearray) or not bytes(signature_png).startswith(PNG_MAGIC):
        raise FilingError(
            _("Die Unterschrift ist kein gültiges Bild (PNG)."),
            {"signature": [_("Die Unterschrift ist kein gültiges Bild (PNG).")]},
        )
    if len(signature_png) > MAX_SIGNATURE_BYTES:
        raise FilingError(
            _("Das Bild der Unterschrift ist zu groß (höchstens 512 KB)."),
            {"signature": [_("Das Bild der Unterschrift ist zu groß (höchstens 512 KB).")]},
        )
    return bytes(signature_png)


def _applicant_fields(procedure, values: Mapping) -> dict:
    """Name and address for a placeholder account from the procedure's prefill fields (the reverse of the
    portal's prefill)."""
    out: dict = {}
    for item in procedure.all_fields():
        value = values.get(item.name)
        if not item.prefill or value in (None, ""):
            continue
        if item.prefill == "full_name":
            first, _sep, last = str(value).strip().rpartition(" ")
            out.setdefault("first_name", first or "")
            out.setdefault("last_name", last)
        elif item.prefill in _USER_FIELDS:
            out.setdefault(item.prefill, value)
    if "birth_date" in out:
        import datetime as dt

        try:
            out["birth_date"] = dt.date.fromisoformat(str(out["birth_date"]))
        except ValueError:
            out.pop("birth_date")
    limits = {"first_name": 150, "last_name": 150, "street_address": 200, "postal_code": 10, "locality": 200}
    return {k: (str(v)[: limits[k]] if k in limits else v) for k, v in out.items()}


def _placeholder_citizen(procedure, values: Mapping):
    from amtsweg.accounts.models import User

    user = User(
        username=f"assistiert-{uuid.uuid4().hex[:20]}",
        is_active=False,
        **_applicant_fields(procedure, values),
    )
    user.set_unusable_password()
    user.save()
    return user


def _receipt_channel(citizen_user) -> str:
    if citizen_user is None:
        return AssistedFiling.Receipt.PAPER
    from amtsweg.postbox.services import mailbox_for

    mailbox = mailbox_for(user=citizen_user)
    if mailbox is not None and mailbox.is_open and mailbox.electronic_access:
        return AssistedFiling.Receipt.POSTBOX
    return AssistedFiling.Receipt.PAPER


def file_for_citizen(
    procedure_key: str,
    values: Mapping,
    *,
    operator,
    identification: str,
    consent_given: bool,
    signature_png: bytes | None,
    channel: str,
    citizen_user=None,
    idempotency_key,
    files: Iterable = (),
    site: Site | None = None,
    authority=None,
) -> tuple[Case, bool]:
    """File an application for a citizen. Returns (case, created). Raises FilingError (or the engine's
    CaseError / UploadRefused) with a German message; on any refusal nothing is stored.

    values: the application in the engine's JSON form (as a draft stores it: dates ISO, booleans true/false).
    files: pairs (field_name, uploaded_file) for file fields (objects with .name, .size and .read(), such as
        Django's UploadedFile or SimpleUploadedFile); checked and encrypted like portal uploads.
    site: the Bürgerterminal (optional; recorded).
    authority: the authority on whose behalf the operator files (default: the site's, else the operator's
        first); a Bürgerkoffer device passes the authority it is registered for."""
    try:
        key = uuid.UUID(str(idempotency_key))
    except (TypeError, ValueError):
        raise FilingError(_("Der Einreichungsschlüssel fehlt oder ist ungültig.")) from None
    existing = _existing(key)
    if existing is not None:
        return existing.case, False
    if channel not in CHANNELS:
        raise FilingError(_("Unbekannter Weg der Antragstellung."))
    if identification not in IDENTIFICATIONS:
        raise FilingError(
            _("Bitte geben Sie an, wie die Person identifiziert wurde (Ausweis gesehen oder eID)."),
            {"identification": [_("Bitte wählen Sie die Art der Identifizierung.")]},
        )
    if consent_given is not True:
        raise FilingError(
            _("Ohne die Einwilligung der Bürgerin oder des Bürgers kann der Antrag nicht gestellt werden."),
            {"consent": [_("Bitte bestätigen Sie die Einwilligung.")]},
        )
    if operator is None or not getattr(operator, "is_authenticated", False):
        raise cases.AccessDenied(_("Nur angemeldete Beschäftigte können Anträge für Bürger stellen."))
    own = list(operator_authorities(operator))
    if not own:
        raise cases.AccessDenied(_("Für die assistierte Antragstellung fehlt Ihnen die nötige Rolle."))
    if site is not None and site.authority_id not in {a.pk for a in own}:
        raise cases.AccessDenied(_("Dieser Standort gehört nicht zu Ihrer Behörde."))
    if authority is not None and authority.pk not in {a.pk for a in own}:
        raise cases.AccessDenied(_("Sie können nicht für diese Behörde Anträge aufnehmen."))
    operator_authority = site.authority if site is not None else (authority or own[0])
    if citizen_user is not None and (
        not citizen_user.is_active or getattr(citizen_user, "deleted_at", None) is not None
    ):
        raise FilingError(_("Das Bürgerkonto ist nicht aktiv."))
    signature = _check_signature(signature_png)
    procedure = registry.get(procedure_key)
    values = dict(values or {})
    files = list(files)
    with_files = {name for name, _upload in files}
    problems = {
        index: {name: msgs for name, msgs in errors.items() if name not in with_files}
        for index, errors in cases.review_errors(procedure, values).items()
    }
    problems = {index: errors for index, errors in problems.items() if errors}
    if problems:
        raise FilingError(
            _("Der Antrag ist noch nicht vollständig. Bitte prüfen Sie die markierten Angaben."),
            {name: msgs for errors in problems.values() for name, msgs in errors.items()},
        )
    level = TRUST_FOR_IDENTIFICATION[identification]
    now = timezone.now()
    try:
        with transaction.atomic():
            applicant = citizen_user or _placeholder_citizen(procedure, values)
            draft = Draft(owner=applicant, procedure_key=procedure.key, acting={})
            own_values = {k: v for k, v in values.items() if not _is_file(procedure, k)}
            draft.data_encrypted = crypto.seal_draft(own_values, draft.pk)
            draft.save(force_insert=True)
            by_field: dict[str, list] = {}
            for field_name, upload in files:
                by_field.setdefault(field_name, []).append(upload)
            for field_name, uploads in by_field.items():
                cases.add_files(draft, field_name, uploads)
            case, created = cases.submit(draft, applicant, _Acting(applicant, level), key)
            if not created and AssistedFiling.objects.filter(case=case).exists():
                return case, False
            token = crypto.encrypt_for(
                crypto.active_key(case.authority),
                {"signature_png": crypto.b64(signature), "case": case.number, "signed_at": now.isoformat()},
            )
            filing = AssistedFiling.objects.create(
                case=case,
                idempotency_key=key,
                operator=operator,
                operator_authority=operator_authority,
                site=site,
                channel=channel,
                identification=identification,
                consent_given=True,
                consent_at=now,
                signature_jwe=token,
                signature_sha256=hashlib.sha256(signature).hexdigest(),
                receipt=_receipt_channel(citizen_user),
                citizen_has_account=citizen_user is not None,
                filed_at=now,
            )
            detail = {
                "channel": channel,
                "identification": identification,
                "consent": True,
                "signature_sha256": filing.signature_sha256,
                "operator_authority": operator_authority.key,
                "site": site.slug if site is not None else "",
                "receipt": filing.receipt,
            }
            audit.append("assisted_filing", case=case, actor=operator, detail=detail)
            assisted_audit.record(
                "assisted_filing", filing, authority=operator_authority, actor=operator, case=case.number
            )
    except IntegrityError:  # the same key filed concurrently: the other transaction's case counts
        existing = _existing(key)
        if existing is not None:
            return existing.case, False
        raise
    return case, True


def _existing(key) -> AssistedFiling | None:
    return AssistedFiling.objects.filter(idempotency_key=key).select_related("case").first()


def _is_file(procedure, name: str) -> bool:
    item = procedure.field(name)
    return item is not None and item.kind == "file"


def filing_for(case) -> AssistedFiling | None:
    return (
        AssistedFiling.objects.filter(case=case)
        .select_related("operator", "operator_authority", "site")
        .first()
    )


def read_signature(filing: AssistedFiling, staff_user) -> bytes:
    """The signature PNG for the lead authority's staff (tenancy checked, access audited)."""
    case = filing.case
    if not Case.objects.for_staff(staff_user).filter(pk=case.pk).exists():
        raise cases.AccessDenied(_("Dieser Vorgang gehört nicht zu Ihrer Behörde."))
    data = crypto.decrypt(case.authority.key, filing.signature_jwe)
    with transaction.atomic():
        audit.append(
            "assisted_signature_read", case=case, actor=staff_user, detail={"purpose": "Sichtprüfung"}
        )
    return crypto.unb64(data["signature_png"])


def receipt_context(case) -> dict:
    """What the printed receipt shows: no form values, only number, time, authorities, checksum, help."""
    filing = filing_for(case)
    procedure = registry.get(case.procedure_key)
    return {
        "case": case,
        "procedure_title": procedure.title,
        "filing": filing,
        "parts": list(case.parts.select_related("authority")),
        "checksum": " ".join(case.content_sha256[i : i + 16] for i in range(0, 64, 16)),
        "base_url": settings.BASE_URL.rstrip("/"),
    }
