"""Public surface of the documents app.

    spec = DocumentSpec(doc_type="bescheid", authority=authority, procedure="gewerbe-anmeldung",
                        data={"betrieb": {"name": "…"}}, fees=[Fee("Gewerbeanmeldung", 2600)],
                        recipient_lines=["Frau Erika Muster", "Hauptstraße 1", "01067 Dresden"],
                        file_number="32.1-2026-0042")
    document = create_document(spec, reference="case:1234")      # render, seal, store
    result = validate_document(pdf_bytes)                        # genuine? unchanged? who sealed it?
    document = document_by_code("ABCD-EFGH-JKMN")

Everything that can be wrong with the input (no template, a placeholder without a value, no Rechtsbehelfs-
belehrung, a refused seal) raises *before* anything is stored, with a German message. Delivery to a postbox
or the print queue is `amtsweg.postbox.services.issue`, which calls `create_document`.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from amtsweg.documents import codes, conf, templating
from amtsweg.documents.render import Fee, LetterContent, render_letter
from amtsweg.documents.sealing import SealRefused, seal_pdf
from amtsweg.documents.templating import MissingData, TemplateSyntaxError
from amtsweg.documents.validation import KEYWORD_PREFIX, ValidationResult, validate_document

__all__ = [
    "DocumentSpec",
    "DocumentSpecError",
    "Fee",
    "MissingData",
    "SealRefused",
    "TemplateNotFound",
    "TemplateSyntaxError",
    "ValidationResult",
    "create_document",
    "document_by_code",
    "prepare",
    "produce",
    "render_pdf",
    "store",
    "validate_document",
]

logger = logging.getLogger("amtsweg.documents")
AUTOMATED_NOTE_DECISION = "Dieser Bescheid wurde maschinell erstellt und ist ohne Unterschrift gültig."
AUTOMATED_NOTE_OTHER = "Dieses Schreiben wurde maschinell erstellt und ist ohne Unterschrift gültig."
MAX_FEES = 50


class DocumentSpecError(ValueError):
    """The document specification itself is malformed (wrong types, too large); German message."""


class TemplateNotFound(LookupError):
    """No active template (or Rechtsbehelfsbelehrung) applies; German message."""


@dataclass
class DocumentSpec:
    doc_type: str
    authority: object  # directory.Authority
    procedure: str = ""
    data: Mapping = field(default_factory=dict)
    fees: list = field(default_factory=list)  # Fee or {"label": str, "amount_cents": int}
    recipient_lines: list[str] = field(default_factory=list)  # name and postal address, max. 6 lines
    file_number: str = ""  # Aktenzeichen
    your_reference: str = ""  # Ihr Zeichen
    issued_on: dt.date | None = None
    official: Mapping | None = None  # {"name": …, "role": …} for templates closed "Im Auftrag"
    notes: list[str] = field(default_factory=list)  # Vermerkzone above the address (e.g. "Einschreiben")


@dataclass
class Prepared:
    spec: DocumentSpec
    template: object
    remedy: object | None
    code: str
    content: LetterContent
    title_text: str


def _authority_info(authority) -> dict:
    """Name, address and contact of an authority from the directory (its main office)."""
    from amtsweg.directory.services import main_office

    info = {"name": authority.name, "anschrift": "", "sitz": "", "strasse": "", "ort": ""}
    office = main_office(authority)
    if office is not None:
        street = office.street or ""
        place = " ".join(filter(None, [office.postal_code, office.city]))
        info.update(
            strasse=street,
            ort=place,
            sitz=office.city or "",
            anschrift=", ".join(filter(None, [street, place])),
        )
    info["telefon"] = authority.phone or (office.phone if office is not None else "")
    info["email"] = authority.email or (office.email if office is not None else "")
    info["internet"] = authority.website or ""
    return info


def _check_spec(spec: DocumentSpec) -> list[Fee]:
    if not isinstance(spec, DocumentSpec):
        raise DocumentSpecError(_("Ungültige Dokumentangaben."))
    if not isinstance(spec.doc_type, str) or not spec.doc_type:
        raise DocumentSpecError(_("Die Dokumentart fehlt."))
    from amtsweg.directory.models import Authority

    if not isinstance(spec.authority, Authority) or spec.authority.pk is None:
        raise DocumentSpecError(_("Die ausstellende Behörde fehlt."))
    if not isinstance(spec.procedure, str):
        raise DocumentSpecError(_("Das Verfahren muss als Text (Schlüssel) angegeben werden."))
    if not isinstance(spec.data, Mapping):
        raise DocumentSpecError(_("Die Daten für das Dokument müssen ein Wörterbuch (Mapping) sein."))
    if not isinstance(spec.recipient_lines, list | tuple) or not all(
        isinstance(x, str) for x in spec.recipient_lines
    ):
        raise DocumentSpecError(_("Die Anschrift muss aus Textzeilen bestehen."))
    if len(spec.recipient_lines) > 6 or any(len(line) > 60 for line in spec.recipient_lines):
        raise DocumentSpecError(_("Die Anschrift hat höchstens 6 Zeilen mit je höchstens 60 Zeichen."))
    if len(spec.fees) > MAX_FEES:
        raise DocumentSpecError(_("Zu viele Gebührenpositionen (höchstens %d).") % MAX_FEES)
    fees = []
    for item in spec.fees:
        if isinstance(item, Mapping):
            item = Fee(item.get("label"), item.get("amount_cents"))
        if not isinstance(item, Fee) or not isinstance(item.label, str) or not item.label.strip():
            raise DocumentSpecError(_("Jede Gebührenposition braucht eine Bezeichnung."))
        amount = item.amount_cents
        if isinstance(amount, bool) or not isinstance(amount, int) or abs(amount) >= 10**11:
            raise DocumentSpecError(_("Gebührenbeträge sind ganze Cent-Beträge."))
        fees.append(Fee(item.label[:200], amount))
    return fees


def find_template(model, *, doc_type: str | None, procedure: str, authority):
    queryset = model.objects.matching(procedure=procedure, authority=authority)
    if doc_type is not None:
        queryset = queryset.filter(doc_type=doc_type)
    return queryset.first()


def prepare(spec: DocumentSpec) -> Prepared:
    """Choose the templates, fill every placeholder and lay out the letter's content; nothing is drawn yet.

    Raises DocumentSpecError, TemplateNotFound, TemplateSyntaxError or MissingData (with *all* missing
    fields).
    """
    from amtsweg.documents.models import DocumentTemplate, RemedyTemplate

    fees = _check_spec(spec)
    authority = spec.authority
    template = find_template(
        DocumentTemplate, doc_type=spec.doc_type, procedure=spec.procedure, authority=authority
    )
    if template is None:
        raise TemplateNotFound(
            _(
                "Für die Dokumentart „%(type)s“ (Verfahren „%(procedure)s“, %(authority)s) gibt es keine "
                "aktive Vorlage."
            )
            % {"type": spec.doc_type, "procedure": spec.procedure or "–", "authority": authority.name}
        )
    remedy = None
    if template.with_remedy:
        remedy = find_template(RemedyTemplate, doc_type=None, procedure=spec.procedure, authority=authority)
        if remedy is None:
            raise TemplateNotFound(
                _("Für das Verfahren „%(procedure)s“ (%(authority)s) gibt es keine Rechtsbehelfsbelehrung.")
                % {"procedure": spec.procedure or "–", "authority": authority.name}
            )
    issued_on = spec.issued_on or timezone.localdate()
    info = _authority_info(authority)
    recipient_lines = [line.strip() for line in spec.recipient_lines if line.strip()]
    context = dict(spec.data)
    context.update(
        behoerde=info,
        empfaenger={
            "name": recipient_lines[0] if recipient_lines else "",
            "anschrift": ", ".join(recipient_lines[1:]),
        },
        aktenzeichen=spec.file_number,
        datum=issued_on,
        bearbeiter=dict(spec.official or {}),
    )
    if remedy is not None:
        context["stelle"] = {
            "name": remedy.deciding_body or info["name"],
            "anschrift": remedy.deciding_body_address or info["anschrift"],
        }
    # Collect every missing value first, so the error names all of them at once.
    missing = set(templating.missing_fields(template.title, context))
    missing |= set(templating.missing_fields(template.body, context))
    if remedy is not None:
        missing |= set(templating.missing_fields(remedy.text, context))
    if len(recipient_lines) < 2:
        missing.add("empfaenger.anschrift")
    if (
        template.closing == template.Closing.OFFICIAL
        and templating.lookup(context, "bearbeiter.name") is templating._MISSING
    ):
        missing.add("bearbeiter.name")
    if missing:
        raise MissingData(missing)

    title_block = templating.fill(template.title, context)[0]
    code = codes.new_code()
    formatted = codes.format_code(code)
    verify_url = conf.base_url() + reverse("documents:verify_code", kwargs={"code": formatted})
    if template.closing == template.Closing.OFFICIAL:
        official = dict(spec.official or {})
        closing = [
            "Mit freundlichen Grüßen",
            "Im Auftrag",
            templating._escape(str(official.get("name", ""))[:120]),
        ]
        if official.get("role"):
            closing.append(templating._escape(str(official["role"])[:120]))
        closing.append("Dieses Dokument ist elektronisch gesiegelt und ohne Unterschrift gültig.")
    else:
        closing = [AUTOMATED_NOTE_DECISION if "bescheid" in spec.doc_type else AUTOMATED_NOTE_OTHER]
    info_rows = []
    if spec.your_reference:
        info_rows.append(("Ihr Zeichen", str(spec.your_reference)[:30]))
    if spec.file_number:
        info_rows.append(("Aktenzeichen", str(spec.file_number)[:30]))
    info_rows += [("Datum", issued_on.strftime("%d.%m.%Y")), ("Prüfcode", formatted)]
    contact = " · ".join(
        filter(None, [info["telefon"] and f"Telefon {info['telefon']}", info["email"], info["internet"]])
    )
    content = LetterContent(
        authority_name=authority.name,
        authority_lines=[line for line in (info["anschrift"].replace(", ", " · "), contact) if line],
        return_line=" · ".join(filter(None, [authority.name, info["strasse"], info["ort"]])),
        recipient_lines=recipient_lines,
        info=info_rows,
        title=title_block.markup,
        blocks=templating.fill(template.body, context),
        fees=fees,
        closing_lines=closing,
        remedy_blocks=templating.fill(remedy.text, context) if remedy is not None else [],
        verification_code=formatted,
        verify_url=verify_url,
        header_line=" · ".join(filter(None, [spec.file_number, issued_on.strftime("%d.%m.%Y")])),
        notes=[templating._escape(note) for note in spec.notes],
        pdf_title=title_block.text,
        pdf_subject=f"{spec.doc_type} – {authority.name}",
        pdf_keywords=f"{KEYWORD_PREFIX}{code}",
    )
    return Prepared(spec, template, remedy, code, content, title_block.text)


def render_pdf(spec: DocumentSpec) -> tuple[bytes, Prepared, int]:
    """The unsealed PDF (for previews and the benchmark); raises like `prepare`."""
    prepared = prepare(spec)
    pdf, pages = render_letter(prepared.content)
    return pdf, prepared, pages


@dataclass
class Produced:
    """A rendered and sealed document that is not stored yet."""

    spec: DocumentSpec
    prepared: Prepared
    pages: int
    sealed: object  # sealing.Sealed


def produce(spec: DocumentSpec) -> Produced:
    """Render and seal; nothing is written to the database except a seal alert (or an auto-issued
    certificate).

    Call it *outside* a transaction where possible, so a refused seal's alert survives a rollback.
    """
    pdf, prepared, pages = render_pdf(spec)
    sealed = seal_pdf(pdf, spec.authority, location=_authority_info(spec.authority)["sitz"])
    return Produced(spec, prepared, pages, sealed)


def store(produced: Produced, reference: str = ""):
    """Store a produced document and its register entry; returns the `Document`."""
    from amtsweg.documents.models import Document

    if not isinstance(reference, str) or len(reference) > 200:
        raise DocumentSpecError(_("Der Bezug muss ein Text mit höchstens 200 Zeichen sein."))
    spec, prepared, sealed = produced.spec, produced.prepared, produced.sealed
    with transaction.atomic():
        if Document.objects.filter(verification_code=prepared.code).exists():
            # 60 random bits make this practically impossible; the code is printed, so start again.
            raise IntegrityError("verification code collision")
        document = Document(
            id=uuid.uuid4(),
            verification_code=prepared.code,
            authority=spec.authority,
            doc_type=spec.doc_type,
            procedure=spec.procedure,
            template=prepared.template,
            remedy_template=prepared.remedy,
            title=prepared.title_text[:500],
            reference=reference,
            issued_on=spec.issued_on or timezone.localdate(),
            sha256=sealed.sha256,
            size=len(sealed.pdf),
            pages=produced.pages,
            seal_certificate=sealed.certificate,
            seal_level=sealed.level,
            sealed_at=sealed.sealed_at,
        )
        document.file.save(f"{document.id}.pdf", ContentFile(sealed.pdf), save=False)
        document.save(force_insert=True)
    logger.info(
        "document issued",
        extra={"document": str(document.id), "authority": spec.authority.key, "reference": reference},
    )
    return document


def create_document(spec: DocumentSpec, reference: str = ""):
    """Render, seal and store a document; returns the `Document` (sha256 = hash of the stored bytes)."""
    if not isinstance(reference, str) or len(reference) > 200:
        raise DocumentSpecError(_("Der Bezug muss ein Text mit höchstens 200 Zeichen sein."))
    return store(produce(spec), reference)


def document_by_code(raw_code):
    """The document with this verification code (as entered by a person), or None."""
    from amtsweg.documents.models import Document

    code = codes.normalize_code(raw_code)
    if code is None:
        return None
    return (
        Document.objects.select_related("authority", "seal_certificate")
        .filter(verification_code=code)
        .first()
    )
