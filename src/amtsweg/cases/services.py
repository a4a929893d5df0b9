"""Public surface of the case engine. Views, the back office (issue 6) and the procedures call these
functions.

Citizens
    start_draft, draft_values, save_step_values, add_files, remove_file, review_errors, submit, withdraw,
    answer_information_request, submit_follow_up, citizen_timeline
Back office
    worklist, allowed_transitions, transition, decide, read_submission, read_attachment, request_information,
    overdue_information_requests, overdue_deadlines, sample_review_list, complete_sample_review
System (signals, tasks)
    on_payment_paid, on_delivery_notified, purge_drafts

Every state change runs in one transaction with its audit event and its queued side effects (`outbox`).
Personal data is encrypted before the transaction starts (`crypto`), and decrypted only in `read_submission`
(and `read_attachment`), which check tenancy and write an audit event plus the citizen's transparency record.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import random
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from amtsweg.accounts.services import TrustLevel, authorities_for, record_data_access
from amtsweg.cases import audit, crypto, outbox, states, uploads
from amtsweg.cases.forms import to_json, validate_values
from amtsweg.cases.models import (
    Attachment,
    Case,
    CaseCounter,
    CaseDeadline,
    CasePart,
    Decision,
    Draft,
    DraftFile,
    EncryptedPayload,
    FollowUpSubmission,
    InformationRequest,
)
from amtsweg.cases.states import State
from amtsweg.procedures import registry
from amtsweg.procedures.base import CheckResult, Procedure, Route

logger = logging.getLogger("amtsweg.cases")
DRAFT_RETENTION_DAYS = 30
PLACE_CHOICE_KEY = "__place_id"


class CaseError(Exception):
    """A refused action; `message` (German) can be shown as is; `errors` maps fields to messages."""

    def __init__(self, message: str, errors: Mapping | None = None):
        super().__init__(message)
        self.message = message
        self.errors = dict(errors or {})


class TransitionNotAllowed(CaseError):
    pass


class AccessDenied(CaseError):
    pass


class StaleCase(CaseError):
    """The case changed since the caller read it (optimistic locking)."""


# --- drafts -----------------------------------------------------------------------------------------------


def filer_kind(acting) -> str:
    if acting is not None and acting.mandate is not None:
        return "on_behalf"
    if acting is not None and acting.organisation is not None:
        return "organisation"
    return "person"


def check_filer(procedure: Procedure, acting) -> None:
    kind = filer_kind(acting)
    if kind not in procedure.filers:
        labels = {
            "person": _("für sich selbst"),
            "organisation": _("für eine Organisation"),
            "on_behalf": _("mit Vollmacht"),
        }
        allowed = ", ".join(str(labels[k]) for k in sorted(procedure.filers))
        raise CaseError(
            _(
                "Dieses Verfahren können Sie nicht %(kind)s stellen. Möglich ist: %(allowed)s. Wechseln "
                "Sie oben unter „Handeln für“."
            )
            % {"kind": labels[kind], "allowed": allowed}
        )
    if acting is not None and not acting.may_submit(procedure.key):
        raise CaseError(_("Ihre Vollmacht deckt dieses Verfahren nicht ab."))


def _prefill(procedure: Procedure, user) -> dict:
    values = {}
    for item in procedure.all_fields():
        if not item.prefill:
            continue
        if item.prefill == "full_name":
            value = f"{user.first_name} {user.last_name}".strip()
        else:
            value = getattr(user, item.prefill, "") or ""
        if isinstance(value, dt.date):
            value = value.isoformat()
        if value:
            values[item.name] = value
    return values


def start_draft(user, procedure_key: str, acting=None) -> Draft:
    procedure = registry.get(procedure_key)
    check_filer(procedure, acting)
    draft = Draft(
        owner=user, procedure_key=procedure.key, acting=acting.as_record() if acting is not None else {}
    )
    draft.data_encrypted = crypto.seal_draft(_prefill(procedure, user), draft.pk)
    draft.save(force_insert=True)
    return draft


def open_drafts(user):
    return Draft.objects.for_citizen(user).filter(status=Draft.Status.OPEN).order_by("-updated_at")


def draft_values(draft: Draft) -> dict:
    return crypto.open_draft(draft.data_encrypted, draft.pk)


def _save_draft(draft: Draft, values: dict, **fields) -> None:
    draft.data_encrypted = crypto.seal_draft(values, draft.pk)
    draft.updated_at = timezone.now()
    for name, value in fields.items():
        setattr(draft, name, value)
    draft.save(update_fields=["data_encrypted", "updated_at", *fields])


def _require_open(draft: Draft) -> None:
    if draft.status != Draft.Status.OPEN:
        raise CaseError(_("Dieser Antrag wurde bereits eingereicht und kann nicht mehr geändert werden."))


def allowed_step(draft: Draft) -> int:
    """The furthest step (0-based) the citizen may open: one after the last completed step."""
    procedure = registry.get(draft.procedure_key)
    return min(draft.completed_steps + 1, len(procedure.steps) - 1)


def save_step_values(draft: Draft, step_index: int, cleaned: Mapping, *, complete: bool = True) -> None:
    """Store one step's cleaned values (not files); marks the step completed when `complete`."""
    _require_open(draft)
    procedure = registry.get(draft.procedure_key)
    with transaction.atomic():
        draft = Draft.objects.select_for_update().get(pk=draft.pk)
        if not 0 <= step_index < len(procedure.steps) or step_index > allowed_step(draft):
            raise CaseError(_("Bitte füllen Sie die Schritte der Reihe nach aus."))
        step = procedure.steps[step_index]
        values = draft_values(draft)
        for item in step.fields:
            if item.kind == "file" or item.name not in cleaned:
                continue
            values[item.name] = to_json(item, cleaned[item.name])
        for key in (PLACE_CHOICE_KEY,):
            if key in cleaned:
                values[key] = cleaned[key]
        completed = max(draft.completed_steps, step_index) if complete else draft.completed_steps
        _save_draft(draft, values, completed_steps=completed)


def add_files(draft: Draft, field_name: str, files: Iterable) -> list[dict]:
    """Check, encrypt and attach uploads to a draft field. All or nothing: any refusal stores none of them."""
    _require_open(draft)
    procedure = registry.get(draft.procedure_key)
    item = procedure.field(field_name)
    if item is None or item.kind != "file":
        raise CaseError(_("Dieses Feld nimmt keine Dateien an."))
    files = list(files)
    values = draft_values(draft)
    existing = values.get(field_name) or []
    uploads.check_count(len(existing), len(files), item.upload)
    checked = []
    for upload in files:
        if upload.size > item.upload.max_bytes:
            raise uploads.UploadRefused(
                _("Die Datei „%(name)s“ ist %(size)s groß; erlaubt sind höchstens %(max)s.")
                % {
                    "name": upload.name[:80],
                    "size": uploads.human_size(upload.size),
                    "max": uploads.human_size(item.upload.max_bytes),
                }
            )
        data = upload.read(item.upload.max_bytes + 1)
        checked.append(uploads.check(data, upload.name, item.upload))
    stored: list[dict] = []
    try:
        for one in checked:
            stored.append(uploads.store(one))
        with transaction.atomic():
            locked = Draft.objects.select_for_update().get(pk=draft.pk)
            values = draft_values(locked)
            current = values.get(field_name) or []
            uploads.check_count(len(current), len(stored), item.upload)
            for meta in stored:
                DraftFile.objects.create(id=uuid.UUID(meta["id"]), draft=locked, storage_name=meta["storage"])
            values[field_name] = current + stored
            _save_draft(locked, values)
    except Exception:
        for meta in stored:
            uploads.delete(meta["storage"])
        raise
    return stored


def remove_file(draft: Draft, field_name: str, file_id: str) -> bool:
    _require_open(draft)
    with transaction.atomic():
        locked = Draft.objects.select_for_update().get(pk=draft.pk)
        values = draft_values(locked)
        current = values.get(field_name) or []
        keep = [meta for meta in current if meta.get("id") != str(file_id)]
        if len(keep) == len(current):
            return False
        values[field_name] = keep
        _save_draft(locked, values)
        gone = DraftFile.objects.filter(draft=locked, pk=file_id).first()
        if gone is not None:
            name = gone.storage_name
            gone.delete()
            transaction.on_commit(lambda: uploads.delete(name))
    return True


def delete_draft(draft: Draft) -> None:
    _require_open(draft)
    names = list(DraftFile.objects.filter(draft=draft).values_list("storage_name", flat=True))
    with transaction.atomic():
        DraftFile.objects.filter(draft=draft).delete()
        draft.delete()
        transaction.on_commit(lambda: [uploads.delete(name) for name in names])


def review_errors(procedure: Procedure, values: Mapping) -> dict[int, dict[str, list[str]]]:
    """All problems of the whole application, by step index (server-side truth, run again at submission)."""
    from django.core.exceptions import ValidationError

    problems: dict[int, dict[str, list[str]]] = {}
    for index, step in enumerate(procedure.steps):
        errors = validate_values(procedure, step.fields, values)
        if errors:
            problems[index] = errors
    if not problems:
        try:
            procedure.clean(values)
        except ValidationError as exc:
            by_field = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
            for name, messages in by_field.items():
                index = next(
                    (i for i, s in enumerate(procedure.steps) if any(f.name == name for f in s.fields)), 0
                )
                problems.setdefault(index, {}).setdefault(name, []).extend(messages)
    return problems


# --- numbers ----------------------------------------------------------------------------------------------


def authority_code(authority) -> str:
    return authority.key.upper()


def next_number(authority, year: int | None = None) -> str:
    """The next number `<AUTHORITY-CODE>-<YEAR>-<000123>`; call inside the submission's transaction.

    The counter row is updated first (UPDATE ... SET last = last + 1 takes the row lock until commit on
    PostgreSQL; SQLite serialises writers), so concurrent submissions get consecutive numbers and a
    rolled-back
    submission gives its number back.
    """
    year = year or timezone.localdate().year
    counters = CaseCounter.objects.filter(authority=authority, year=year)
    if not counters.update(last=F("last") + 1):
        try:
            with transaction.atomic():
                CaseCounter.objects.create(authority=authority, year=year, last=1)
        except IntegrityError:
            counters.update(last=F("last") + 1)
    value = counters.values_list("last", flat=True).get()
    return f"{authority_code(authority)}-{year}-{value:06d}"


# --- submission -------------------------------------------------------------------------------------------


@dataclass
class _Prepared:
    procedure: Procedure
    values: dict
    lead: object
    routes: list[Route]
    keys: dict
    quote: object | None
    place_ags: str
    checks: list[CheckResult] = field(default_factory=list)


_finder_cache: dict[tuple, tuple[float, int, str]] = {}


def find_authority(procedure: Procedure, values: Mapping):
    """The responsible authority via the catalogue's responsibility finder. Returns (authority, place_ags).

    Answers are kept in memory for CASES_FINDER_CACHE_SECONDS (responsibility rules change rarely; the finder
    loads offices and opening hours, which submissions do not need)."""
    import time

    from django.conf import settings

    from amtsweg.directory.models import Authority

    place = procedure.place(values)
    if values.get(PLACE_CHOICE_KEY):
        place = {**place, "place_id": values[PLACE_CHOICE_KEY]}
    ttl = float(getattr(settings, "CASES_FINDER_CACHE_SECONDS", 0) or 0)
    cache_key = (procedure.service_key, tuple(sorted((k, str(v)) for k, v in place.items())))
    cached = _finder_cache.get(cache_key) if ttl else None
    if cached is not None and cached[0] > time.monotonic():
        authority = Authority.objects.filter(pk=cached[1]).first()
        if authority is not None:
            return authority, cached[2]
    authority, place_ags = _find_authority_uncached(procedure, place)
    if ttl:
        _finder_cache[cache_key] = (time.monotonic() + ttl, authority.pk, place_ags)
    return authority, place_ags


def _find_authority_uncached(procedure: Procedure, place: dict):
    from amtsweg.catalog.services import CatalogError, find_responsible

    try:
        result = find_responsible(procedure.service_key, **place)
    except CatalogError as exc:
        raise CaseError(exc.message, {procedure.place_field or "__all__": [exc.message]}) from None
    if result.needs_choice:
        raise CaseError(
            _("Zu dieser Postleitzahl gehören mehrere Orte. Bitte wählen Sie Ihren Ort aus."),
            {procedure.place_field or "__all__": [_("Bitte wählen Sie Ihren Ort aus.")]},
        )
    if result.authority is None:
        raise CaseError(result.note or _("Für diesen Antrag ist keine sächsische Behörde zuständig."))
    place_ags = ""
    if result.place is not None and getattr(result.place, "ags8", None):
        place_ags = result.place.ags8
    elif result.district is not None:
        place_ags = result.district.ags
    return result.authority, place_ags


def _filter(values: Mapping, fields: Iterable[str] | None) -> dict:
    if fields is None:
        return dict(values)
    wanted = set(fields)
    return {k: v for k, v in values.items() if k in wanted}


def _prepare(procedure: Procedure, values: dict, case_stub: Case) -> _Prepared:
    lead, place_ags = find_authority(procedure, values)
    case_stub.authority = lead
    routes = procedure.routing(case_stub, values, lead) or [Route(lead, lead=True)]
    if sum(1 for r in routes if r.lead) != 1 or len({r.authority.pk for r in routes}) != len(routes):
        raise CaseError(
            _(
                "Die Weiterleitung dieses Antrags ist falsch eingerichtet. Bitte wenden Sie sich an die "
                "Behörde."
            )
        )
    keys = {route.authority.pk: crypto.active_key(route.authority) for route in routes}
    quote = None
    if procedure.has_fee:
        from amtsweg.payments.services import FeeError, quote_fee

        try:
            quote = quote_fee(
                procedure.key, lead, procedure.fee_variant_for(values), procedure.fee_inputs(values)
            )
        except FeeError as exc:
            raise CaseError(str(exc)) from None
    return _Prepared(procedure, values, lead, routes, keys, quote, place_ags)


def submit(draft: Draft, user, acting, idempotency_key, *, trust_level=None) -> tuple[Case, bool]:
    """Turn a complete draft into a case. Returns (case, created). The same idempotency key returns the same
    case (double click, replayed POST, concurrent requests): exactly one case per key, never a half-created
    one."""
    try:
        key = uuid.UUID(str(idempotency_key))
    except (TypeError, ValueError):
        raise CaseError(_("Das Formular ist unvollständig. Bitte laden Sie die Seite neu.")) from None
    existing = Case.objects.filter(applicant=user, idempotency_key=key).first()
    if existing is not None:
        return existing, False
    draft = Draft.objects.filter(pk=draft.pk).first() or draft  # the stored state, not a caller's stale copy
    if draft.owner_id != user.pk:
        raise AccessDenied(_("Dieser Antrag gehört nicht zu Ihrem Konto."))
    if draft.status != Draft.Status.OPEN:
        if draft.case_id:
            return draft.case, False
        raise CaseError(_("Dieser Antrag wurde bereits eingereicht."))
    procedure = registry.get(draft.procedure_key)
    required = TrustLevel.parse(procedure.trust_level)
    achieved = trust_level if trust_level is not None else getattr(acting, "trust_level", None)
    if achieved is None or TrustLevel.parse(achieved) < required:
        raise CaseError(
            _(
                "Für diesen Antrag ist das Vertrauensniveau „%(level)s“ nötig. Bitte melden Sie sich "
                "entsprechend an."
            )
            % {"level": required.label}
        )
    check_filer(procedure, acting)
    values = draft_values(draft)
    problems = review_errors(procedure, values)
    if problems:
        raise CaseError(
            _("Der Antrag ist noch nicht vollständig. Bitte prüfen Sie die markierten Angaben."),
            {name: msgs for errors in problems.values() for name, msgs in errors.items()},
        )
    stub = Case(procedure_key=procedure.key, applicant=user, submitted_at=timezone.now())
    prepared = _prepare(procedure, values, stub)
    results = [r for r in procedure.checks(stub, values) if isinstance(r, CheckResult)]
    automatic = bool(procedure.decides_automatically(stub, results))
    planned = procedure.automatic_decision(stub, values, results) if automatic else None
    submitted_at = stub.submitted_at
    acting_record = acting.as_record() if acting is not None else {}
    file_ids = [
        meta["id"]
        for item in procedure.all_fields()
        if item.kind == "file"
        for meta in values.get(item.name) or []
    ]
    content = {
        "procedure": procedure.key,
        "values": values,
        "acting": acting_record,
        "submitted_at": submitted_at.isoformat(),
    }
    digest = hashlib.sha256(crypto.canonical_json(content)).hexdigest()
    # Encrypt before the transaction (RSA and AES work is the slow part; the transaction stays short).
    sealed = []
    for route in prepared.routes:
        payload = {**content, "values": _filter(values, route.fields), "route": route.label}
        sealed.append((route, crypto.encrypt_for(prepared.keys[route.authority.pk], payload)))
    try:
        with transaction.atomic():
            case = _create_case(
                draft,
                user,
                acting,
                key,
                procedure,
                prepared,
                sealed,
                results,
                planned,
                submitted_at,
                digest,
                file_ids,
            )
    except IntegrityError:
        existing = Case.objects.filter(applicant=user, idempotency_key=key).first()
        if existing is not None:
            return existing, False
        raise
    if case.fee_cents:
        _process_now(case, "payment_request")
    return case, True


def _process_now(case: Case, kind: str) -> None:
    """Run a fast, database-only side effect at once (the citizen waits for it); the worker retries on
    failure."""
    from amtsweg.cases.models import OutboxMessage

    for message_id in OutboxMessage.objects.filter(
        case=case, kind=kind, status=OutboxMessage.Status.PENDING
    ).values_list("pk", flat=True):
        try:
            outbox.process(message_id)
        except Exception:
            logger.warning(
                "immediate outbox processing failed; the worker retries", exc_info=True, extra={"kind": kind}
            )


def _create_case(
    draft, user, acting, key, procedure, prepared, sealed, results, planned, submitted_at, digest, file_ids
):
    locked = Draft.objects.select_for_update().filter(pk=draft.pk, status=Draft.Status.OPEN).first()
    if locked is None:
        raise IntegrityError("draft already submitted")
    lead = prepared.lead
    # Numbers are drawn last: the counter row (and the audit chain head) stay locked only for the short end of
    # the transaction, so concurrent submissions to one authority wait for each other as little as possible.
    case = Case.objects.create(
        number=f"~{uuid.uuid4().hex}",
        procedure_key=procedure.key,
        authority=lead,
        applicant=user,
        organisation=getattr(acting, "organisation", None),
        on_behalf_of=getattr(acting, "on_behalf_of", None),
        acting={
            k: v
            for k, v in (acting.as_record() if acting is not None else {}).items()
            if k.endswith("_id") or k == "trust_level"
        },
        trust_level=TrustLevel.parse(getattr(acting, "trust_level", None) or TrustLevel.NIEDRIG).key,
        idempotency_key=key,
        place_ags=prepared.place_ags,
        fee_cents=prepared.quote.total_cents if prepared.quote is not None else 0,
        check_results=[r.as_dict() for r in results],
        planned_outcome=planned.outcome if planned is not None else "",
        planned_summary=str(planned.summary) if planned is not None else "",
        content_sha256=digest,
        submitted_at=submitted_at,
        retain_until=None,
    )
    today = timezone.localdate()
    parts = []
    for route, token in sealed:
        number = f"~{uuid.uuid4().hex}"
        days = _configured_processing_days(route.authority, procedure.key)
        if days is None:
            days = route.processing_days if route.processing_days is not None else procedure.processing_days
        due = _add_working_days(route.authority, today, days) if days else None
        part = CasePart.objects.create(
            case=case,
            authority=route.authority,
            number=number,
            label=route.label,
            is_lead=route.lead,
            fields=list(route.fields) if route.fields is not None else None,
            due_on=due,
        )
        parts.append(part)
        EncryptedPayload.objects.create(
            case=case, part=part, kind=EncryptedPayload.Kind.SUBMISSION, kid=crypto.jwe_kid(token), jwe=token
        )
        if due:
            CaseDeadline.objects.create(
                case=case, part=part, key="processing", label=str(_("Bearbeitungsziel")), due_on=due
            )
    lead_part = next(p for p in parts if p.is_lead)
    case.due_on = lead_part.due_on
    for file_id in file_ids:
        storage = (
            DraftFile.objects.filter(pk=file_id, draft=locked).values_list("storage_name", flat=True).first()
        )
        if storage is None:
            raise CaseError(_("Eine hochgeladene Datei fehlt. Bitte laden Sie sie erneut hoch."))
        Attachment.objects.create(id=uuid.UUID(file_id), case=case, storage_name=storage)
    DraftFile.objects.filter(draft=locked).delete()
    if planned is not None:
        data_token = crypto.encrypt_for(crypto.active_key(lead), dict(planned.data))
        EncryptedPayload.objects.create(
            case=case,
            part=lead_part,
            kind=EncryptedPayload.Kind.DECISION,
            key="planned",
            kid=crypto.jwe_kid(data_token),
            jwe=data_token,
        )
    for deadline in procedure.deadlines(case, prepared.values):
        CaseDeadline.objects.create(
            case=case, key=deadline.key[:100], label=str(deadline.label)[:300], due_on=deadline.due_on
        )
    for follow_up in procedure.follow_ups:
        anchor = today
        if follow_up.anchor_field and prepared.values.get(follow_up.anchor_field):
            anchor = dt.date.fromisoformat(prepared.values[follow_up.anchor_field])
        due = anchor + dt.timedelta(days=follow_up.due_after_days)
        FollowUpSubmission.objects.create(case=case, key=follow_up.key, due_on=due)
        CaseDeadline.objects.create(
            case=case, key=f"follow_up:{follow_up.key}", label=str(follow_up.title)[:300], due_on=due
        )
    outbox.enqueue("receipt", case=case, payload={"case": case.pk})
    if prepared.quote is not None and not prepared.quote.is_free:
        outbox.enqueue(
            "payment_request", case=case, payload={"case": case.pk, "quote": prepared.quote.as_dict()}
        )
    # The draft becomes the citizen's copy: without the attachment keys, purged with the draft deadline.
    copy = draft_values(locked)
    for item in procedure.all_fields():
        if item.kind == "file":
            copy[item.name] = [
                {k: v for k, v in meta.items() if k in ("name", "size", "type")}
                for meta in copy.get(item.name) or []
            ]
    _save_draft(locked, copy, status=Draft.Status.SUBMITTED, case=case)
    # The locked end: numbers, audit events, states.
    case.number = next_number(lead)
    case.save(update_fields=["due_on", "number"])
    for part in parts:
        part.number = case.number if part.is_lead else next_number(part.authority)
        part.save(update_fields=["number"])
    procedure.submitted(case, prepared.values)
    audit.append(
        "submitted",
        case=case,
        actor=user,
        to_state=State.SUBMITTED,
        detail={
            "procedure": procedure.key,
            "parts": [{"authority": p.authority.key, "number": p.number} for p in parts],
            "sha256": case.content_sha256,
            "attachments": len(file_ids),
            "trust_level": case.trust_level,
            "checks": [r.as_dict() for r in results],
        },
    )
    for part in parts:
        if not part.is_lead:
            audit.append(
                "routed",
                case=case,
                authority=part.authority,
                to_state=State.SUBMITTED,
                detail={"number": part.number, "label": part.label},
            )
    # What comes next.
    if prepared.quote is not None and not prepared.quote.is_free and procedure.payment_first:
        _move_all(case, State.PAYMENT_PENDING, None, "system")
    else:
        _continue_after_payment(case)
    return case


# Apps further down the dependency chain (the back office) register a callable (authority, procedure_key) ->
# int | None here: an authority's configured processing target, which wins over the procedure's own.
processing_days_hooks: list = []


def _configured_processing_days(authority, procedure_key: str) -> int | None:
    for hook in processing_days_hooks:
        days = hook(authority, procedure_key)
        if days is not None:
            return days
    return None


def _add_working_days(authority, start: dt.date, days: int) -> dt.date:
    from amtsweg.directory.services import add_working_days, holiday_region_for_authority

    try:
        region = holiday_region_for_authority(authority)
        return add_working_days(start, days, region.ags8, locality=region.locality)
    except Exception:
        return add_working_days(start, days)


def _continue_after_payment(case: Case) -> None:
    """Inside a transaction: the case goes to review, or is decided automatically when that was planned."""
    procedure = registry.get(case.procedure_key)
    if case.planned_outcome:
        lead = case.parts.get(is_lead=True)
        target = State.REJECTED if case.planned_outcome == "rejected" else State.DECIDED
        for part in case.parts.select_for_update().exclude(pk=lead.pk):
            _move_part(case, part, State.IN_REVIEW, None, "system")
        _move_part(case, lead, target, None, "system")
        decision = Decision.objects.create(
            case=case,
            part=lead,
            outcome=case.planned_outcome,
            summary=case.planned_summary,
            automatic=True,
            doc_type=procedure.decision_templates.get(case.planned_outcome, "bescheid"),
        )
        case.decided_automatically = True
        case.outcome = case.planned_outcome
        case.decided_at = timezone.now()
        lead.outcome = case.planned_outcome
        lead.decided_at = case.decided_at
        lead.save(update_fields=["outcome", "decided_at"])
        share = float(procedure.sample_review_share)
        if share > 0 and random.random() < share:  # noqa: S311 (sampling, not security)
            case.sample_review = True
            decision.review_due_on = timezone.localdate() + dt.timedelta(days=31)
            decision.save(update_fields=["review_due_on"])
        case.save(update_fields=["decided_automatically", "outcome", "decided_at", "sample_review"])
        audit.append(
            "decided",
            case=case,
            to_state=target,
            detail={
                "decision": decision.pk,
                "outcome": decision.outcome,
                "automatic": True,
                "sample_review": case.sample_review,
                "checks": case.check_results,
            },
        )
        outbox.enqueue("issue_decision", case=case, payload={"decision": decision.pk})
    else:
        _move_all(case, State.IN_REVIEW, None, "system")


# --- state machine ----------------------------------------------------------------------------------------


def _actor_kind(case: Case, part: CasePart, user) -> set[str]:
    kinds = set()
    if user is None:
        return {"system"}
    if Case.objects.for_citizen(user).filter(pk=case.pk).exists():
        kinds.add("citizen")
    if authorities_for(user).filter(pk=part.authority_id).exists():
        kinds.add("staff")
    return kinds


def _staff_has_role(user, part: CasePart, role: str | None) -> bool:
    return authorities_for(user, role).filter(pk=part.authority_id).exists()


def allowed_transitions(case: Case, user, part: CasePart | None = None) -> list[states.Transition]:
    """The transitions `user` may trigger now on the part (default: the user's own part, else the lead
    part)."""
    part = part or _part_for(case, user)
    kinds = _actor_kind(case, part, user)
    result = []
    roles: dict = {}  # one query per role, not per transition

    def has_role(role):
        if role not in roles:
            roles[role] = _staff_has_role(user, part, role)
        return roles[role]

    for transition in states.transitions_from(part.state):
        if ("staff" in kinds and "staff" in transition.actors and has_role(transition.role)) or (
            "citizen" in kinds and "citizen" in transition.actors
        ):
            result.append(transition)
    return result


def _part_for(case: Case, user) -> CasePart:
    if user is not None:
        own = case.parts.filter(authority__in=authorities_for(user)).order_by("-is_lead", "pk").first()
        if own is not None:
            return own
    return case.parts.get(is_lead=True)


def _move_part(case: Case, part: CasePart, target: str, user, kind: str, *, detail=None) -> None:
    transition = states.find(part.state, target)
    if transition is None or kind not in transition.actors:
        raise TransitionNotAllowed(
            _("Dieser Schritt ist im Status „%(state)s“ nicht möglich.") % {"state": State(part.state).label}
        )
    source = part.state
    part.state = target
    now = timezone.now()
    if target in (State.DECIDED, State.REJECTED):
        part.decided_at = now
    if target in states.TERMINAL:
        part.closed_at = now
    part.save(update_fields=["state", "decided_at", "closed_at"])
    audit.append(
        "transition",
        case=case,
        authority=part.authority,
        actor=user,
        from_state=source,
        to_state=target,
        detail={"part": part.number, "by": kind, **(detail or {})},
    )
    _refresh_case_state(case)


def _move_all(case: Case, target: str, user, kind: str) -> None:
    for part in case.parts.select_for_update().order_by("-is_lead", "pk"):
        _move_part(case, part, target, user, kind)


def _refresh_case_state(case: Case) -> None:
    new_state = states.aggregate_state(list(case.parts.values_list("state", flat=True)))
    fields = ["state", "version"]
    if new_state in states.TERMINAL and case.closed_at is None:
        case.closed_at = timezone.now()
        procedure = registry.get(case.procedure_key)
        case.retain_until = timezone.localdate().replace(
            year=timezone.localdate().year + procedure.retention_years
        )
        fields += ["closed_at", "retain_until"]
    case.state = new_state
    case.version += 1  # callers hold the case's row lock (select_for_update), so this cannot race
    case.save(update_fields=fields)


def _lock(case: Case, expected_version: int | None = None) -> Case:
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleCase(
            _("Der Vorgang wurde inzwischen von jemand anderem geändert. Bitte laden Sie ihn neu.")
        )
    return locked


def transition(
    case: Case, target: str, user, *, part: CasePart | None = None, note: str = "", expected_version=None
) -> Case:
    """Move a case part (default: the user's part) to `target` if the transition is declared and allowed."""
    with transaction.atomic():
        case = _lock(case, expected_version)
        part = CasePart.objects.select_for_update().get(pk=(part or _part_for(case, user)).pk)
        allowed = {t.target for t in allowed_transitions(case, user, part)}
        if target not in allowed:
            raise TransitionNotAllowed(
                _("Dieser Schritt ist im Status „%(state)s“ nicht möglich oder Ihnen nicht erlaubt.")
                % {"state": State(part.state).label}
            )
        kinds = _actor_kind(case, part, user)
        kind = (
            "staff" if "staff" in kinds and "staff" in states.find(part.state, target).actors else "citizen"
        )
        _move_part(case, part, target, user, kind, detail={"note": note[:500]} if note else None)
        if target == State.CLOSED and case.state in states.TERMINAL:
            pass
    return case


def withdraw(case: Case, user) -> Case:
    """The citizen withdraws the case (all parts) while it is still open; open fees are cancelled."""
    with transaction.atomic():
        case = _lock(case)
        if not Case.objects.for_citizen(user).filter(pk=case.pk).exists():
            raise AccessDenied(_("Dieser Vorgang gehört nicht zu Ihrem Konto."))
        parts = list(case.parts.select_for_update())
        if not all(p.state in states.OPEN_FOR_WITHDRAWAL for p in parts):
            raise TransitionNotAllowed(
                _("Der Antrag kann nicht mehr zurückgezogen werden, weil bereits entschieden wurde.")
            )
        for part in parts:
            _move_part(case, part, State.WITHDRAWN, user, "citizen")
        InformationRequest.objects.filter(case=case, status=InformationRequest.Status.OPEN).update(
            status=InformationRequest.Status.CANCELLED
        )
        if case.payment_reference:
            outbox.enqueue("cancel_payment", case=case, payload={"case": case.pk})
        for part in parts:
            outbox.enqueue(
                "notify_authority",
                case=case,
                payload={"case": case.pk, "part": part.pk, "event": "withdrawn"},
            )
    return case


def decide(
    case: Case,
    user,
    outcome: str,
    *,
    part: CasePart | None = None,
    data: Mapping | None = None,
    summary: str = "",
    expected_version=None,
) -> Decision:
    """A case worker's decision on their part: state decided/rejected, decision data encrypted, document
    queued.

    `data` fills the decision template (documents.defaults: betreff, anrede, entscheidung, begruendung); it is
    encrypted for the authority and decrypted by the worker that renders the document.
    """
    procedure = registry.get(case.procedure_key)
    if outcome not in dict(Case.Outcome.choices) or not outcome:
        raise CaseError(_("Unbekanntes Ergebnis der Entscheidung."))
    target = State.REJECTED if outcome == "rejected" else State.DECIDED
    part = part or _part_for(case, user)
    key_row = crypto.active_key(part.authority)
    template_data = dict(data or procedure.decision_data(case, {}, outcome))
    token = crypto.encrypt_for(key_row, template_data)
    with transaction.atomic():
        case = _lock(case, expected_version)
        part = CasePart.objects.select_for_update().get(pk=part.pk)
        if part.state in (State.DECIDED, State.REJECTED, State.DELIVERED) or part.state in states.TERMINAL:
            raise TransitionNotAllowed(_("Für diesen Vorgang wurde bereits entschieden."))
        if target not in {t.target for t in allowed_transitions(case, user, part)}:
            raise TransitionNotAllowed(
                _("Eine Entscheidung ist im Status „%(state)s“ nicht möglich oder Ihnen nicht erlaubt.")
                % {"state": State(part.state).label}
            )
        _move_part(case, part, target, user, "staff", detail={"outcome": outcome})
        decision = Decision.objects.create(
            case=case, part=part, outcome=outcome, summary=summary[:2000], automatic=False,
            doc_type=procedure.decision_templates.get(outcome, "bescheid"), decided_by=user,
        )  # fmt: skip
        EncryptedPayload.objects.create(
            case=case,
            part=part,
            kind=EncryptedPayload.Kind.DECISION,
            key=str(decision.pk),
            kid=key_row.kid,
            jwe=token,
        )
        part.outcome = outcome
        part.save(update_fields=["outcome"])
        if part.is_lead:
            case.outcome = outcome
            case.decided_at = decision.decided_at
            case.save(update_fields=["outcome", "decided_at"])
        CaseDeadline.objects.filter(part=part, key="processing", met_at__isnull=True).update(
            met_at=timezone.now()
        )
        audit.append(
            "decided",
            case=case,
            authority=part.authority,
            actor=user,
            to_state=target,
            detail={"decision": decision.pk, "outcome": outcome},
        )
        outbox.enqueue("issue_decision", case=case, payload={"decision": decision.pk})
    return decision


# --- reading (back office only) ---------------------------------------------------------------------------


def _staff_part(case: Case, user, part: CasePart | None) -> CasePart:
    allowed = CasePart.objects.for_staff(user).filter(case=case)
    if part is not None:
        allowed = allowed.filter(pk=part.pk)
    found = allowed.order_by("-is_lead", "pk").first()
    if found is None:
        raise AccessDenied(_("Dieser Vorgang gehört nicht zu Ihrer Behörde."))
    return found


def read_submission(case: Case, staff_user, purpose: str, *, part: CasePart | None = None) -> dict:
    """Decrypt what the staff member's authority received: the submission, answers and follow-ups.

    Checks tenancy (the user works for the part's authority), writes an audit event and a record in the
    citizen's
    transparency log in the same transaction. Raises AccessDenied, crypto.PrivateKeysUnavailable, CryptoError.
    """
    purpose = (purpose or "").strip()
    if not purpose:
        raise CaseError(_("Bitte geben Sie den Zweck des Zugriffs an."))
    part = _staff_part(case, staff_user, part)
    payloads = list(
        EncryptedPayload.objects.filter(part=part)
        .exclude(kind=EncryptedPayload.Kind.DECISION)
        .order_by("created_at", "pk")
    )
    opened = [(payload, crypto.decrypt(part.authority.key, payload.jwe)) for payload in payloads]
    with transaction.atomic():
        audit.append(
            "data_access",
            case=case,
            authority=part.authority,
            actor=staff_user,
            detail={"part": part.number, "purpose": purpose[:300]},
        )
        _transparency(case, part.authority, staff_user, purpose)
    result = {"submission": None, "answers": [], "follow_ups": [], "part": part}
    for payload, content in opened:
        if payload.kind == EncryptedPayload.Kind.SUBMISSION:
            result["submission"] = content
        elif payload.kind == EncryptedPayload.Kind.ANSWER:
            result["answers"].append({"request": payload.key, **content})
        elif payload.kind == EncryptedPayload.Kind.FOLLOW_UP:
            result["follow_ups"].append({"key": payload.key, **content})
    return result


def _transparency(case: Case, authority, actor, purpose: str) -> None:
    subjects = {case.applicant}
    if case.on_behalf_of is not None:
        subjects.add(case.on_behalf_of)
    for subject in subjects:
        record_data_access(subject, authority, actor, purpose, reference=case.number)


def read_attachment(
    case: Case, staff_user, attachment_id, purpose: str, *, part: CasePart | None = None
) -> tuple[bytes, dict]:
    """One decrypted attachment (bytes, metadata without key) for staff of a receiving authority; audited."""
    part = _staff_part(case, staff_user, part)
    attachment = Attachment.objects.filter(case=case, pk=attachment_id).first()
    if attachment is None:
        raise AccessDenied(_("Diese Datei gehört nicht zu diesem Vorgang."))
    meta = None
    for payload in EncryptedPayload.objects.filter(part=part).exclude(kind=EncryptedPayload.Kind.DECISION):
        content = crypto.decrypt(part.authority.key, payload.jwe)
        for value in (content.get("values") or {}).values():
            if isinstance(value, list):
                meta = next(
                    (m for m in value if isinstance(m, dict) and m.get("id") == str(attachment.pk)), meta
                )
    if meta is None:
        raise AccessDenied(_("Diese Datei ist für Ihre Behörde nicht freigegeben."))
    data = uploads.read(meta)
    with transaction.atomic():
        audit.append(
            "data_access",
            case=case,
            authority=part.authority,
            actor=staff_user,
            detail={"part": part.number, "attachment": str(attachment.pk), "purpose": purpose[:300]},
        )
        _transparency(case, part.authority, staff_user, purpose)
    return data, {k: v for k, v in meta.items() if k != "key"}


def system_read_decision_data(decision: Decision) -> dict:
    """For the worker that renders a decision document (back-office process with private keys); audited."""
    key = "planned" if decision.automatic else str(decision.pk)
    payload = EncryptedPayload.objects.filter(
        part=decision.part, kind=EncryptedPayload.Kind.DECISION, key=key
    ).first()
    if payload is None:
        return {}
    data = crypto.decrypt(decision.part.authority.key, payload.jwe)
    audit.append(
        "data_access",
        case=decision.case,
        authority=decision.part.authority,
        detail={"purpose": "Bescheid erstellen", "decision": decision.pk},
    )
    return data


# --- follow-up questions (Nachforderung) ------------------------------------------------------------------


def request_information(
    case: Case,
    staff_user,
    *,
    fields: Iterable[str] = (),
    documents: Iterable[str] = (),
    note: str,
    deadline: dt.date | None = None,
    part: CasePart | None = None,
) -> InformationRequest:
    """Ask the citizen for exactly these fields and documents (file fields) with a note and a deadline."""
    procedure = registry.get(case.procedure_key)
    names = list(dict.fromkeys([*fields, *documents]))
    if not names:
        raise CaseError(_("Bitte wählen Sie mindestens eine Angabe oder ein Dokument aus."))
    for name in names:
        item = procedure.field(name)
        if item is None:
            raise CaseError(_("Das Feld „%(name)s“ gibt es in diesem Verfahren nicht.") % {"name": name[:60]})
        if name in documents and item.kind != "file":
            raise CaseError(_("„%(label)s“ ist kein Dokument.") % {"label": item.label})
    note = (note or "").strip()
    if not note or len(note) > 5000:
        raise CaseError(_("Bitte schreiben Sie einen Hinweis (höchstens 5.000 Zeichen)."))
    today = timezone.localdate()
    deadline = deadline or today + dt.timedelta(days=procedure.information_days)
    if deadline <= today:
        raise CaseError(_("Die Frist muss in der Zukunft liegen."))
    with transaction.atomic():
        case = _lock(case)
        part = CasePart.objects.select_for_update().get(pk=_staff_part(case, staff_user, part).pk)
        if State.INFORMATION_REQUESTED not in {t.target for t in allowed_transitions(case, staff_user, part)}:
            raise TransitionNotAllowed(
                _("Eine Rückfrage ist im Status „%(state)s“ nicht möglich.")
                % {"state": State(part.state).label}
            )
        request = InformationRequest.objects.create(
            case=case, part=part, fields=names, note=note, deadline=deadline, requested_by=staff_user
        )
        _move_part(
            case,
            part,
            State.INFORMATION_REQUESTED,
            staff_user,
            "staff",
            detail={"request": str(request.pk), "fields": names},
        )
        CaseDeadline.objects.create(
            case=case,
            part=part,
            key=f"information:{request.pk}",
            label=str(_("Frist für Ihre Antwort")),
            due_on=deadline,
        )
        outbox.enqueue("information_request", case=case, payload={"request": str(request.pk)})
    return request


def requested_fields(request: InformationRequest):
    procedure = registry.get(request.case.procedure_key)
    return [procedure.field(name) for name in request.fields if procedure.field(name) is not None]


def answer_information_request(
    request: InformationRequest,
    user,
    values: Mapping,
    posted_names: Iterable[str] = (),
    files: Mapping | None = None,
) -> InformationRequest:
    """The citizen's answer: only the requested fields (anything else is refused), encrypted for the part's
    authority, attached to the case with its own audit entry; the part goes back to review."""
    case = request.case
    if not Case.objects.for_citizen(user).filter(pk=case.pk).exists():
        raise AccessDenied(_("Dieser Vorgang gehört nicht zu Ihrem Konto."))
    if request.status != InformationRequest.Status.OPEN:
        raise CaseError(_("Diese Rückfrage ist bereits beantwortet oder wurde zurückgenommen."))
    procedure = registry.get(case.procedure_key)
    allowed = set(request.fields)
    extra = {name for name in posted_names if procedure.field(name) is not None} - allowed
    if extra:
        raise CaseError(_("Es können nur die nachgeforderten Angaben geändert werden."))
    items = requested_fields(request)
    answer = {item.name: to_json(item, values.get(item.name)) for item in items if item.kind != "file"}
    stored: list[dict] = []
    try:
        for item in items:
            if item.kind != "file":
                continue
            incoming = list((files or {}).get(item.name) or [])
            uploads.check_count(0, len(incoming), item.upload)
            for upload in incoming:
                data = upload.read(item.upload.max_bytes + 1)
                stored.append(
                    {**uploads.store(uploads.check(data, upload.name, item.upload)), "field": item.name}
                )
            answer[item.name] = [m for m in stored if m["field"] == item.name]
        problems = validate_values(procedure, items, answer)
        if problems:
            raise CaseError(_("Bitte prüfen Sie die markierten Angaben."), problems)
        part = request.part
        token = crypto.encrypt_for(
            crypto.active_key(part.authority), {"values": answer, "answered_at": timezone.now().isoformat()}
        )
        with transaction.atomic():
            case = _lock(case)
            locked = InformationRequest.objects.select_for_update().get(pk=request.pk)
            if locked.status != InformationRequest.Status.OPEN:
                raise CaseError(_("Diese Rückfrage ist bereits beantwortet oder wurde zurückgenommen."))
            EncryptedPayload.objects.create(
                case=case,
                part=part,
                kind=EncryptedPayload.Kind.ANSWER,
                key=str(request.pk),
                kid=crypto.jwe_kid(token),
                jwe=token,
            )
            for meta in stored:
                Attachment.objects.create(id=uuid.UUID(meta["id"]), case=case, storage_name=meta["storage"])
            locked.status = InformationRequest.Status.ANSWERED
            locked.answered_at = timezone.now()
            locked.save(update_fields=["status", "answered_at"])
            CaseDeadline.objects.filter(case=case, key=f"information:{request.pk}").update(
                met_at=timezone.now()
            )
            audit.append(
                "information_answered",
                case=case,
                authority=part.authority,
                actor=user,
                detail={"request": str(request.pk), "fields": sorted(answer), "attachments": len(stored)},
            )
            part = CasePart.objects.select_for_update().get(pk=part.pk)
            if part.state == State.INFORMATION_REQUESTED:
                _move_part(case, part, State.IN_REVIEW, user, "citizen", detail={"request": str(request.pk)})
            outbox.enqueue(
                "notify_authority", case=case, payload={"case": case.pk, "part": part.pk, "event": "answered"}
            )
    except Exception:
        for meta in stored:
            uploads.delete(meta["storage"])
        raise
    return locked


def submit_follow_up(
    case: Case, user, key: str, values: Mapping, files: Mapping | None = None
) -> FollowUpSubmission:
    """A later submission the procedure expects (e.g. drilling results), encrypted for its recipients."""
    if not Case.objects.for_citizen(user).filter(pk=case.pk).exists():
        raise AccessDenied(_("Dieser Vorgang gehört nicht zu Ihrem Konto."))
    procedure = registry.get(case.procedure_key)
    follow_up = procedure.follow_up(key)
    expected = FollowUpSubmission.objects.filter(case=case, key=key).first()
    if follow_up is None or expected is None:
        raise CaseError(_("Für diesen Vorgang wird keine solche Nachreichung erwartet."))
    if expected.received_at is not None:
        raise CaseError(_("Diese Nachreichung ist bereits eingegangen."))
    fields = [f for step in follow_up.steps for f in step.fields]
    answer = {item.name: to_json(item, values.get(item.name)) for item in fields if item.kind != "file"}
    stored: list[dict] = []
    try:
        for item in fields:
            if item.kind != "file":
                continue
            incoming = list((files or {}).get(item.name) or [])
            uploads.check_count(0, len(incoming), item.upload)
            for upload in incoming:
                data = upload.read(item.upload.max_bytes + 1)
                stored.append(
                    {**uploads.store(uploads.check(data, upload.name, item.upload)), "field": item.name}
                )
            answer[item.name] = [m for m in stored if m["field"] == item.name]
        problems = validate_values(procedure, fields, answer)
        if problems:
            raise CaseError(_("Bitte prüfen Sie die markierten Angaben."), problems)
        parts = list(case.parts.all())
        if follow_up.recipients:
            parts = [p for p in parts if p.label in follow_up.recipients]
        sealed = [
            (
                p,
                crypto.encrypt_for(
                    crypto.active_key(p.authority),
                    {"values": answer, "follow_up": key, "received_at": timezone.now().isoformat()},
                ),
            )
            for p in parts
        ]
        with transaction.atomic():
            case = _lock(case)
            expected = FollowUpSubmission.objects.select_for_update().get(pk=expected.pk)
            if expected.received_at is not None:
                raise CaseError(_("Diese Nachreichung ist bereits eingegangen."))
            for part, token in sealed:
                EncryptedPayload.objects.create(
                    case=case,
                    part=part,
                    kind=EncryptedPayload.Kind.FOLLOW_UP,
                    key=key,
                    kid=crypto.jwe_kid(token),
                    jwe=token,
                )
            for meta in stored:
                Attachment.objects.create(id=uuid.UUID(meta["id"]), case=case, storage_name=meta["storage"])
            expected.received_at = timezone.now()
            expected.save(update_fields=["received_at"])
            CaseDeadline.objects.filter(case=case, key=f"follow_up:{key}").update(met_at=timezone.now())
            audit.append(
                "follow_up_received",
                case=case,
                actor=user,
                detail={"follow_up": key, "fields": sorted(answer), "attachments": len(stored)},
            )
            for part, _token in sealed:
                part = CasePart.objects.select_for_update().get(pk=part.pk)
                if part.state == State.FOLLOW_UP_PENDING:
                    _move_part(case, part, State.IN_REVIEW, user, "citizen", detail={"follow_up": key})
                outbox.enqueue(
                    "notify_authority",
                    case=case,
                    payload={"case": case.pk, "part": part.pk, "event": "follow_up"},
                )
    except Exception:
        for meta in stored:
            uploads.delete(meta["storage"])
        raise
    return expected


def assign(part: CasePart, staff_user, assignee, *, expected_version=None) -> CasePart:
    """Give a case part to a case worker of the same authority (None = unassigned); audited."""
    if not CasePart.objects.for_staff(staff_user, "case_worker").filter(pk=part.pk).exists():
        raise AccessDenied(_("Dieser Vorgang gehört nicht zu Ihrer Behörde."))
    if (
        assignee is not None
        and not authorities_for(assignee, "case_worker").filter(pk=part.authority_id).exists()
    ):
        raise CaseError(_("Diese Person bearbeitet keine Vorgänge dieser Behörde."))
    with transaction.atomic():
        case = _lock(part.case, expected_version)
        part = CasePart.objects.select_for_update().get(pk=part.pk)
        part.assignee = assignee
        part.save(update_fields=["assignee"])
        case.version += 1
        case.save(update_fields=["version"])
        audit.append(
            "assigned",
            case=case,
            authority=part.authority,
            actor=staff_user,
            detail={"part": part.number, "assignee": getattr(assignee, "pk", None)},
        )
    return part


def remind_follow_ups(today: dt.date | None = None) -> int:
    """Queue a reminder for every expected follow-up whose reminder day has come (once per follow-up)."""
    today = today or timezone.localdate()
    count = 0
    pending = FollowUpSubmission.objects.filter(received_at__isnull=True, reminded_at__isnull=True)
    for expected in pending.select_related("case"):
        try:
            spec = registry.get(expected.case.procedure_key).follow_up(expected.key)
        except registry.UnknownProcedure:
            continue
        if spec is None or expected.case.state in states.TERMINAL:
            continue
        if expected.due_on - dt.timedelta(days=spec.remind_days_before) > today:
            continue
        with transaction.atomic():
            locked = FollowUpSubmission.objects.select_for_update().get(pk=expected.pk)
            if locked.reminded_at is not None:
                continue
            locked.reminded_at = timezone.now()
            locked.save(update_fields=["reminded_at"])
            audit.append("follow_up_reminded", case=expected.case, detail={"follow_up": expected.key})
            outbox.enqueue("follow_up_reminder", case=expected.case, payload={"follow_up": locked.pk})
        count += 1
    return count


# --- back office lists ------------------------------------------------------------------------------------


def worklist(user, role: str | None = "case_worker"):
    """Open case parts of the user's authorities (tenancy in one place: CasePart.objects.for_staff)."""
    return (
        CasePart.objects.for_staff(user, role)
        .exclude(state__in=states.TERMINAL)
        .select_related("case", "authority", "assignee")
        .order_by("due_on", "case__submitted_at")
    )


def overdue_information_requests(user, today: dt.date | None = None):
    today = today or timezone.localdate()
    return (
        InformationRequest.objects.for_staff(user)
        .filter(status=InformationRequest.Status.OPEN, deadline__lt=today)
        .select_related("case", "part")
    )


def overdue_deadlines(user, today: dt.date | None = None):
    today = today or timezone.localdate()
    parts = CasePart.objects.for_staff(user).values("case_id")
    return (
        CaseDeadline.objects.filter(case_id__in=parts, met_at__isnull=True, due_on__lt=today)
        .filter(Q(part__isnull=True) | Q(part__authority__in=authorities_for(user)))
        .exclude(case__state__in=states.TERMINAL)
        .select_related("case", "part")
    )


def overdue_follow_ups(user, today: dt.date | None = None):
    today = today or timezone.localdate()
    parts = CasePart.objects.for_staff(user).values("case_id")
    return FollowUpSubmission.objects.filter(
        case_id__in=parts, received_at__isnull=True, due_on__lt=today
    ).select_related("case")


def sample_review_list(user):
    return (
        Decision.objects.for_staff(user)
        .filter(automatic=True, case__sample_review=True, reviewed_at__isnull=True)
        .select_related("case", "part")
    )


def complete_sample_review(decision: Decision, staff_user, result: str, note: str = "") -> Decision:
    """Confirm an automatic decision, or open the case for correction (result "corrected")."""
    if result not in ("confirmed", "corrected"):
        raise CaseError(_("Unbekanntes Prüfergebnis."))
    if not Decision.objects.for_staff(staff_user, "case_worker").filter(pk=decision.pk).exists():
        raise AccessDenied(_("Diese Entscheidung gehört nicht zu Ihrer Behörde."))
    with transaction.atomic():
        case = _lock(decision.case)
        decision = Decision.objects.select_for_update().get(pk=decision.pk)
        if decision.reviewed_at is not None:
            raise CaseError(_("Diese Entscheidung wurde bereits geprüft."))
        decision.reviewed_at = timezone.now()
        decision.reviewed_by = staff_user
        decision.review_result = result
        decision.save(update_fields=["reviewed_at", "reviewed_by", "review_result"])
        audit.append(
            "sample_review",
            case=case,
            authority=decision.part.authority,
            actor=staff_user,
            detail={"decision": decision.pk, "result": result, "note": note[:500]},
        )
        if result == "corrected":
            part = CasePart.objects.select_for_update().get(pk=decision.part_id)
            _move_part(
                case, part, State.IN_REVIEW, staff_user, "staff", detail={"sample_review": decision.pk}
            )
    return decision


# --- citizen view -----------------------------------------------------------------------------------------

CITIZEN_EVENT_KINDS = (
    "submitted",
    "transition",
    "decided",
    "information_answered",
    "follow_up_received",
    "routed",
)


def citizen_timeline(case: Case) -> list:
    return list(
        case.audit_events.filter(kind__in=CITIZEN_EVENT_KINDS)
        .select_related("authority")
        .order_by("at", "id")
    )


def withdrawable(case: Case) -> bool:
    return case.state not in states.TERMINAL and all(
        p.state in states.OPEN_FOR_WITHDRAWAL for p in case.parts.all()
    )


# --- signals from payments and the postbox ----------------------------------------------------------------


def case_for_reference(reference: str) -> Case | None:
    if not isinstance(reference, str) or not reference.startswith("case:"):
        return None
    try:
        public_id = uuid.UUID(reference.split(":")[1])
    except (ValueError, IndexError):
        return None
    return Case.objects.filter(public_id=public_id).first()


def on_payment_paid(reference: str) -> bool:
    """The fee for a case is paid: continue the case once (idempotent: looks at the state, not the
    call count)."""
    case = case_for_reference(reference)
    if case is None:
        return False
    with transaction.atomic():
        case = _lock(case)
        if case.state != State.PAYMENT_PENDING:
            return False
        audit.append("payment_received", case=case, detail={"reference": reference})
        _continue_after_payment(case)
    return True


def on_delivery_notified(reference: str, delivery, notified_on) -> bool:
    """A decision was notified (bekanntgegeben): part → delivered, then follow-up pending where one is
    expected."""
    decision = (
        Decision.objects.filter(delivery_id=getattr(delivery, "pk", None))
        .select_related("case", "part")
        .first()
    )
    if decision is None:
        return False
    with transaction.atomic():
        case = _lock(decision.case)
        part = CasePart.objects.select_for_update().get(pk=decision.part_id)
        if part.state not in (State.DECIDED, State.REJECTED):
            return False
        _move_part(case, part, State.DELIVERED, None, "system", detail={"notified_on": str(notified_on)})
        if (
            part.outcome != "rejected"
            and FollowUpSubmission.objects.filter(case=case, received_at__isnull=True).exists()
        ):
            _move_part(case, part, State.FOLLOW_UP_PENDING, None, "system")
    return True


# --- housekeeping -----------------------------------------------------------------------------------------


def purge_drafts(now: dt.datetime | None = None) -> int:
    """Delete drafts (and submitted copies) 30 days after the last edit (§ 8a (3) OZG), with their files."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=DRAFT_RETENTION_DAYS)
    count = 0
    for draft in Draft.objects.filter(updated_at__lt=cutoff).iterator():
        names = list(DraftFile.objects.filter(draft=draft).values_list("storage_name", flat=True))
        with transaction.atomic():
            DraftFile.objects.filter(draft=draft).delete()
            draft.delete()
        for name in names:
            uploads.delete(name)
        count += 1
    orphans = DraftFile.objects.filter(draft__isnull=True, created_at__lt=cutoff)
    for orphan in orphans:
        uploads.delete(orphan.storage_name)
        orphan.delete()
    return count
