"""The back office's public surface.

Settings per authority (contract with the authority administration; keep the names):
`processing_target`, `requires_second_approval`, `substitute_for`, `letter_settings`.
Case work (worklists, drafts, approval, notes) follows below and builds on `amtsweg.cases.services`.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amtsweg.accounts.tenancy import authorities_for
from amtsweg.backoffice.models import Absence, DecisionDraft, LetterSettings, Note, ProcedureSetting
from amtsweg.cases import audit, crypto, states
from amtsweg.cases import services as case_services
from amtsweg.cases.models import AuditEvent, Case, CasePart
from amtsweg.cases.services import AccessDenied, CaseError, StaleCase, TransitionNotAllowed
from amtsweg.cases.states import State

# --- settings per authority (contract) ----------------------------------------------------------------------


def procedure_setting(authority, procedure_key: str) -> ProcedureSetting | None:
    return ProcedureSetting.objects.filter(authority=authority, procedure_key=procedure_key).first()


def processing_target(authority, procedure_key: str) -> int | None:
    """The processing target in working days for new cases of this procedure at this authority: the
    authority's configured value, else the procedure's own target (None: no target)."""
    setting = procedure_setting(authority, procedure_key)
    if setting is not None and setting.processing_days is not None:
        return setting.processing_days
    from amtsweg.procedures import registry

    try:
        return registry.get(procedure_key).processing_days
    except registry.UnknownProcedure:
        return None


def requires_second_approval(authority, procedure_key: str) -> bool:
    """Whether decisions of this procedure at this authority need a second person's release (four eyes)."""
    setting = procedure_setting(authority, procedure_key)
    return bool(setting and setting.second_approval)


def absence_of(user, authority, on_date: dt.date | None = None) -> Absence | None:
    on_date = on_date or timezone.localdate()
    if user is None:
        return None
    return (
        Absence.objects.filter(authority=authority, user=user, starts_on__lte=on_date, ends_on__gte=on_date)
        .select_related("substitute")
        .order_by("-starts_on", "-pk")
        .first()
    )


def substitute_for(user, authority, on_date: dt.date | None = None):
    """Who takes new work meant for `user` at `authority` on `on_date`: the user when present, else their
    substitute (followed along a chain of absences; a cycle ends with the last present person or the
    user)."""
    seen = set()
    current = user
    while current is not None and current.pk not in seen:
        seen.add(current.pk)
        absence = absence_of(current, authority, on_date)
        if absence is None:
            return current
        current = absence.substitute
    return user


def letter_settings(authority) -> LetterSettings:
    """The authority's letter settings; an unsaved default (authority name as letterhead) when none are
    stored."""
    found = LetterSettings.objects.filter(authority=authority).first()
    if found is not None:
        return found
    lines = [authority.name]
    for value in (getattr(authority, "phone", ""), getattr(authority, "email", "")):
        if value:
            lines.append(value)
    return LetterSettings(authority=authority, letterhead="\n".join(lines))


def configured_processing_days(authority, procedure_key: str) -> int | None:
    """Only the authority's own setting (the case engine's hook; None lets the procedure's target apply)."""
    setting = procedure_setting(authority, procedure_key)
    return setting.processing_days if setting is not None else None


# --- worklists ----------------------------------------------------------------------------------------------

FAR_FUTURE = dt.date(9999, 12, 31)
PAGE_SIZE = 25  # rows per page: a laptop screen; fewer rows also keep the page fast at 1M cases
SORTS = {
    "frist": _("Frist, früheste zuerst"),
    "eingang": _("Eingang, neueste zuerst"),
    "eingang_alt": _("Eingang, älteste zuerst"),
}
DUE_FILTERS = {
    "ueberfaellig": _("überfällig"),
    "heute": _("heute fällig"),
    "woche": _("in den nächsten 7 Tagen fällig"),
}
PAYMENT_FILTERS = {
    "offen": _("Gebühr offen"),
    "bezahlt": _("Gebühr bezahlt"),
    "frei": _("gebührenfrei"),
}


@dataclass
class Filters:
    """What the worklist shows. Nothing here is personal data except `search`, which never goes into a URL
    (the view keeps it in the session)."""

    procedure: str = ""
    state: str = ""
    assignee: str = ""  # "mir", "niemand" or a staff user's id
    due: str = ""
    payment: str = ""
    search: str = ""
    sort: str = "frist"

    @classmethod
    def parse(cls, data, search: str = "") -> Filters:
        def pick(name, allowed=None, limit=100):
            value = str(data.get(name, "") or "").strip()[:limit]
            if allowed is not None and value not in allowed:
                return ""
            return value

        assignee = pick("wer", limit=20)
        if assignee not in ("mir", "niemand") and not assignee.isdigit():
            assignee = ""
        return cls(
            procedure=pick("verfahren"),
            state=pick("status", {s.value for s in State if s not in states.TERMINAL}),
            assignee=assignee,
            due=pick("frist", DUE_FILTERS),
            payment=pick("zahlung", PAYMENT_FILTERS),
            search=(search or "").strip()[:100],
            sort=pick("sortierung", SORTS) or "frist",
        )

    def query(self) -> dict:
        """The URL parameters (without the search term)."""
        values = {
            "verfahren": self.procedure,
            "status": self.state,
            "wer": self.assignee,
            "frist": self.due,
            "zahlung": self.payment,
            "sortierung": "" if self.sort == "frist" else self.sort,
        }
        return {k: v for k, v in values.items() if v}


@dataclass
class WorklistPage:
    rows: list
    counts: dict
    total: int
    next_cursor: str | None
    filters: Filters


def _authority_ids(user) -> list[int]:
    return sorted(authorities_for(user, "case_worker").values_list("pk", flat=True))


def _open_parts(user, authority_ids: list[int] | None = None):
    # Tenancy from the one place (accounts.tenancy.authorities_for), resolved to a list of ids first: with
    # the ids as literals PostgreSQL plans per authority and walks the partial worklist index in order
    # (with a subquery it expected a large share of all rows and scanned the whole table at 1M cases).
    if authority_ids is None:
        authority_ids = _authority_ids(user)
    return (
        CasePart.objects.filter(authority_id__in=authority_ids)
        .exclude(state__in=states.TERMINAL)
        .annotate(sort_due=Coalesce("due_on", Value(FAR_FUTURE)))
    )


def _apply(queryset, user, filters: Filters, *, with_state: bool = True):
    today = timezone.localdate()
    if filters.procedure:
        queryset = queryset.filter(case__procedure_key=filters.procedure)
    if with_state and filters.state:
        queryset = queryset.filter(state=filters.state)
    if filters.assignee == "mir":
        queryset = queryset.filter(assignee=user)
    elif filters.assignee == "niemand":
        queryset = queryset.filter(assignee__isnull=True)
    elif filters.assignee:
        queryset = queryset.filter(assignee_id=int(filters.assignee))
    if filters.due == "ueberfaellig":
        queryset = queryset.filter(due_on__lt=today)
    elif filters.due == "heute":
        queryset = queryset.filter(due_on=today)
    elif filters.due == "woche":
        queryset = queryset.filter(due_on__gte=today, due_on__lte=today + dt.timedelta(days=7))
    if filters.payment:
        from amtsweg.payments.models import PaymentRequest

        paid = PaymentRequest.objects.filter(reference=OuterRef("case__payment_reference"), state="paid")
        if filters.payment == "frei":
            queryset = queryset.filter(case__fee_cents=0)
        elif filters.payment == "bezahlt":
            queryset = queryset.filter(case__fee_cents__gt=0).filter(Exists(paid))
        else:
            queryset = queryset.filter(case__fee_cents__gt=0).exclude(Exists(paid))
    if filters.search:
        term = filters.search
        condition = Q(number__istartswith=term) | Q(case__number__istartswith=term)
        words = term.split()[:3]
        name = Q()
        for word in words:
            name &= (
                Q(case__applicant__last_name__icontains=word)
                | Q(case__applicant__first_name__icontains=word)
                | Q(case__organisation__name__icontains=word)
            )
        queryset = queryset.filter(condition | name)
    return queryset


def _counts(base, user, filters: Filters, authority_ids: list[int]) -> dict:
    """Open parts per state for the filters (without the state filter). Counting is the worklist's most
    expensive query at many cases (all open parts of the authority, joined to their case for a procedure
    filter), so the result is kept briefly (BACKOFFICE_COUNT_CACHE_SECONDS) per authority set and filter;
    "mir" is per user. Never with a search term (personal data stays out of the cache)."""
    seconds = getattr(settings, "BACKOFFICE_COUNT_CACHE_SECONDS", 0)
    key = None
    if seconds > 0 and not filters.search:
        parts = [
            ",".join(map(str, authority_ids)),
            filters.procedure,
            f"mir:{user.pk}" if filters.assignee == "mir" else filters.assignee,
            filters.due,
            filters.payment,
            timezone.localdate().isoformat(),
        ]
        digest = hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]
        key = f"backoffice:counts:{digest}"
        found = cache.get(key)
        if found is not None:
            return found
    counts = {row["state"]: row["n"] for row in base.order_by().values("state").annotate(n=Count("id"))}
    if key is not None:
        cache.set(key, counts, seconds)
    return counts


def _encode_cursor(values: list) -> str:
    raw = json.dumps(values, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str, sort: str):
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value, pk = json.loads(raw)
        pk = int(pk)
        parse = dt.date.fromisoformat if sort == "frist" else dt.datetime.fromisoformat
        value = parse(value)
    except (ValueError, TypeError, json.JSONDecodeError):
        return None
    return value, pk


# The columns a worklist row shows (other fields load on access): the full rows of case, applicant, assignee
# and authority (JSON, key material, password hashes) cost more to fetch and build than the page itself.
_PERSON = ("first_name", "last_name", "email", "username")
ROW_FIELDS = (
    "id", "case_id", "authority_id", "number", "state", "assignee_id", "due_on", "created_at",
    "case__id", "case__public_id", "case__number", "case__procedure_key", "case__applicant_id",
    "case__organisation_id", "case__organisation__id", "case__organisation__name",
    "case__applicant__id", *(f"case__applicant__{f}" for f in _PERSON),
    "assignee__id", *(f"assignee__{f}" for f in _PERSON),
    "authority__id", "authority__name",
)  # fmt: skip


def worklist_page(user, filters: Filters, cursor: str = "", size: int = PAGE_SIZE) -> WorklistPage:
    """One page of the worklist (keyset pagination: `cursor` is the position after the last row shown)."""
    authority_ids = _authority_ids(user)
    base = _apply(_open_parts(user, authority_ids), user, filters, with_state=False)
    counts = _counts(base, user, filters, authority_ids)
    queryset = base.filter(state=filters.state) if filters.state else base
    total = sum(counts.values()) if not filters.state else counts.get(filters.state, 0)
    if filters.sort == "frist":
        order = ("sort_due", "id")
    elif filters.sort == "eingang_alt":
        order = ("created_at", "id")
    else:
        order = ("-created_at", "-id")
    position = _decode_cursor(cursor, filters.sort) if cursor else None
    if position is not None:
        value, pk = position
        if filters.sort == "frist":
            queryset = queryset.filter(Q(sort_due__gt=value) | Q(sort_due=value, id__gt=pk))
        elif filters.sort == "eingang_alt":
            queryset = queryset.filter(Q(created_at__gt=value) | Q(created_at=value, id__gt=pk))
        else:
            queryset = queryset.filter(Q(created_at__lt=value) | Q(created_at=value, id__lt=pk))
    rows = list(
        queryset.select_related("case", "case__applicant", "case__organisation", "assignee", "authority")
        .only(*ROW_FIELDS)
        .order_by(*order)[: size + 1]
    )
    next_cursor = None
    if len(rows) > size:
        rows = rows[:size]
        last = rows[-1]
        key = last.sort_due if filters.sort == "frist" else last.created_at
        next_cursor = _encode_cursor([key.isoformat(), last.pk])
    today = timezone.localdate()
    detail_prefix = reverse("backoffice:worklist")
    for row in rows:
        row.overdue = bool(row.due_on and row.due_on < today)
        row.due_today = row.due_on == today
        row.url = f"{detail_prefix}{row.case.public_id}/"
    return WorklistPage(rows=rows, counts=counts, total=total, next_cursor=next_cursor, filters=filters)


def colleagues(user):
    """Case workers of the user's authorities (for assignment and the assignee filter)."""
    from amtsweg.accounts.models import User

    return (
        User.objects.filter(
            staff_memberships__authority__in=authorities_for(user, "case_worker"),
            staff_memberships__case_worker=True,
            staff_memberships__is_active=True,
            is_active=True,
        )
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )


def procedures_in_worklist() -> list[tuple[str, str]]:
    from amtsweg.procedures import registry

    return sorted(((p.key, str(p.title)) for p in registry.all_procedures()), key=lambda item: item[1])


# --- assignment ---------------------------------------------------------------------------------------------


@dataclass
class Assigned:
    part: CasePart
    assignee: object
    substituted: bool


def assign(user, parts, assignee, *, expected_versions: dict | None = None, on_date=None) -> list[Assigned]:
    """Assign case parts (bulk or one) to `assignee`; an absent assignee's substitute gets them instead.
    Parts of other authorities raise AccessDenied (cases.services.assign checks), nothing is half done:
    all parts are assigned in one transaction."""
    result = []
    with transaction.atomic():
        for part in parts:
            effective = substitute_for(assignee, part.authority, on_date) if assignee is not None else None
            expected = (expected_versions or {}).get(part.pk)
            updated = case_services.assign(part, user, effective, expected_version=expected)
            result.append(Assigned(updated, effective, effective != assignee))
    return result


# --- the case page ------------------------------------------------------------------------------------------


def part_for(user, public_id) -> CasePart | None:
    """The user's part of the case with this public id (None for another authority's case or a wrong id)."""
    try:
        public_id = uuid.UUID(str(public_id))
    except ValueError:
        return None
    return (
        CasePart.objects.for_staff(user)
        .filter(case__public_id=public_id)
        .select_related("case", "case__applicant", "case__organisation", "authority", "assignee")
        .order_by("-is_lead", "pk")
        .first()
    )


def timeline(part: CasePart):
    """Audit events of the case that concern the part's authority (no personal data in them)."""
    return (
        AuditEvent.objects.filter(case=part.case)
        .filter(Q(authority=part.authority) | Q(authority__isnull=True))
        .order_by("at", "pk")
    )


def payment_state(case: Case) -> dict:
    from amtsweg.payments.services import request_for_reference

    if not case.fee_cents:
        return {"label": _("gebührenfrei"), "state": "free", "amount_cents": 0}
    request = request_for_reference(case.payment_reference) if case.payment_reference else None
    if request is None:
        return {"label": _("Gebühr noch nicht angefordert"), "state": "none", "amount_cents": case.fee_cents}
    return {"label": request.get_state_display(), "state": request.state, "amount_cents": case.fee_cents}


def messages_for(part: CasePart):
    from amtsweg.postbox.services import messages_for_reference

    return messages_for_reference(part.case.reference, part.authority)


def deliveries_for(part: CasePart):
    from amtsweg.postbox.services import deliveries_for_reference

    return deliveries_for_reference(part.case.reference)


@dataclass
class NextSteps:
    """What the user may do next on the part (computed once per page)."""

    transitions: list  # plain steps offered as buttons (without those that have their own dialog)
    can_ask: bool
    can_decide: bool


def next_steps(part: CasePart, user) -> NextSteps:
    allowed = case_services.allowed_transitions(part.case, user, part)
    targets = {t.target for t in allowed}
    own_dialog = {State.INFORMATION_REQUESTED, State.DECIDED, State.REJECTED}
    return NextSteps(
        transitions=[t for t in allowed if t.target not in own_dialog and "staff" in t.actors],
        can_ask=State.INFORMATION_REQUESTED in targets,
        can_decide=State.DECIDED in targets or State.REJECTED in targets,
    )


def staff_transitions(part: CasePart, user) -> list:
    return next_steps(part, user).transitions


def can_decide(part: CasePart, user) -> bool:
    return next_steps(part, user).can_decide


def can_ask(part: CasePart, user) -> bool:
    return next_steps(part, user).can_ask


# --- internal notes (never shown to the citizen) ------------------------------------------------------------


def add_note(part: CasePart, user, text: str) -> Note:
    if not CasePart.objects.for_staff(user).filter(pk=part.pk).exists():
        raise AccessDenied(_("Dieser Vorgang gehört nicht zu Ihrer Behörde."))
    with transaction.atomic():
        return _store_note(part, user, text)


def _store_note(part: CasePart, user, text: str) -> Note:
    text = (text or "").strip()
    if not text or len(text) > 5000:
        raise CaseError(_("Bitte schreiben Sie eine Notiz (höchstens 5.000 Zeichen)."))
    key_row = crypto.active_key(part.authority)
    token = crypto.encrypt_for(key_row, {"text": text})
    with transaction.atomic():
        note = Note.objects.create(part=part, author=user, kid=key_row.kid, jwe=token)
        audit.append(
            "note_added",
            case=part.case,
            authority=part.authority,
            actor=user,
            detail={"part": part.number, "note": note.pk},
        )
    return note


def notes_for(part: CasePart, user) -> list[dict]:
    notes = list(Note.objects.for_staff(user).filter(part=part).select_related("author"))
    return [
        {"note": n, "text": crypto.decrypt(part.authority.key, n.jwe).get("text", ""), "author": n.author}
        for n in notes
    ]


# --- decisions: draft, second approval, issue ---------------------------------------------------------------

STALE_DRAFT = _("Der Bescheidentwurf wurde inzwischen von jemand anderem geändert. Bitte laden Sie ihn neu.")
TEXT_FIELDS = ("betreff", "anrede", "entscheidung", "begruendung")
TEXT_LIMITS = {"betreff": 300, "anrede": 200, "entscheidung": 5000, "begruendung": 10000}


def default_texts(part: CasePart, outcome: str) -> dict:
    """The procedure's decision template data for this case, with the authority's signatory."""
    from amtsweg.procedures import registry

    case = part.case
    data = dict(registry.get(case.procedure_key).decision_data(case, {}, outcome))
    if data.get("begruendung") == str(_("Die Voraussetzungen wurden automatisch geprüft.")):
        data["begruendung"] = str(_("Die Angaben und Nachweise wurden geprüft."))
    letter = letter_settings(part.authority)
    if letter.signatory_name:
        closing = "\n".join(
            filter(None, [str(_("Im Auftrag")), letter.signatory_name, letter.signatory_title])
        )
        data["begruendung"] = f"{data.get('begruendung', '')}\n\n{closing}".strip()
    return {k: str(data.get(k, "")) for k in TEXT_FIELDS} | {
        k: v for k, v in data.items() if k not in TEXT_FIELDS
    }


def clean_texts(values) -> dict:
    texts = {}
    for name in TEXT_FIELDS:
        value = str(values.get(name, "") or "").strip()
        if not value:
            raise CaseError(_("Bitte füllen Sie alle Teile des Bescheids aus."))
        if len(value) > TEXT_LIMITS[name]:
            raise CaseError(
                _("„%(name)s“ ist zu lang (höchstens %(limit)s Zeichen).")
                % {"name": name, "limit": TEXT_LIMITS[name]}
            )
        texts[name] = value
    return texts


def open_draft(part: CasePart) -> DecisionDraft | None:
    return DecisionDraft.objects.filter(part=part).exclude(status=DecisionDraft.Status.ISSUED).first()


def draft_texts(draft: DecisionDraft) -> dict:
    return crypto.decrypt(draft.part.authority.key, draft.jwe)


def save_draft(
    part: CasePart, user, outcome: str, values, *, expected_version: int | None = None
) -> DecisionDraft:
    """Create or change the open decision draft of a part (optimistic locking with `expected_version`)."""
    if outcome not in ("granted", "partly_granted", "rejected", "acknowledged"):
        raise CaseError(_("Bitte wählen Sie das Ergebnis der Entscheidung."))
    if not can_decide(part, user):
        raise TransitionNotAllowed(
            _("Eine Entscheidung ist im Status „%(state)s“ nicht möglich oder Ihnen nicht erlaubt.")
            % {"state": State(part.state).label}
        )
    defaults = default_texts(part, outcome)
    texts = {**{k: v for k, v in defaults.items() if k not in TEXT_FIELDS}, **clean_texts(values)}
    key_row = crypto.active_key(part.authority)
    token = crypto.encrypt_for(key_row, texts)
    with transaction.atomic():
        draft = (
            DecisionDraft.objects.select_for_update()
            .filter(part=part)
            .exclude(status=DecisionDraft.Status.ISSUED)
            .first()
        )
        if draft is None:
            draft = DecisionDraft(part=part, drafted_by=user, version=0)
        elif expected_version is not None and draft.version != expected_version:
            raise StaleCase(STALE_DRAFT)
        elif draft.status == DecisionDraft.Status.AWAITING_APPROVAL:
            raise CaseError(
                _("Der Entwurf liegt zur Freigabe vor. Ändern können Sie ihn erst nach der Rückgabe.")
            )
        draft.outcome = outcome
        draft.kid = key_row.kid
        draft.jwe = token
        draft.status = DecisionDraft.Status.DRAFT
        draft.drafted_by = user
        draft.approved_by = None
        draft.approved_at = None
        draft.needs_approval = requires_second_approval(part.authority, part.case.procedure_key)
        draft.version += 1
        draft.save()
        audit.append(
            "decision_drafted",
            case=part.case,
            authority=part.authority,
            actor=user,
            detail={"part": part.number, "draft": str(draft.pk), "outcome": outcome},
        )
    return draft


def _locked_draft(draft: DecisionDraft, expected_version: int | None) -> DecisionDraft:
    locked = (
        DecisionDraft.objects.select_for_update()
        .select_related("part__case", "part__authority")
        .get(pk=draft.pk)
    )
    if locked.status == DecisionDraft.Status.ISSUED:
        raise TransitionNotAllowed(_("Dieser Bescheid wurde bereits erlassen."))
    if expected_version is not None and locked.version != expected_version:
        raise StaleCase(STALE_DRAFT)
    return locked


def _issue(draft: DecisionDraft, *, case_version: int | None = None):
    part = draft.part
    texts = draft_texts(draft)
    summary = texts.get("entscheidung", "")[:300]
    decision = case_services.decide(
        part.case,
        draft.drafted_by,
        draft.outcome,
        part=part,
        data=texts,
        summary=summary,
        expected_version=case_version,
    )
    draft.status = DecisionDraft.Status.ISSUED
    draft.decision = decision
    draft.version += 1
    draft.save(update_fields=["status", "decision", "version", "updated_at"])
    return decision


def finish_draft(draft: DecisionDraft, user, *, expected_version=None, case_version=None):
    """The drafter's last step: issue now, or (four eyes) put the draft before an approver.
    Returns the Decision when issued, else None."""
    with transaction.atomic():
        draft = _locked_draft(draft, expected_version)
        if not can_decide(draft.part, user):
            raise TransitionNotAllowed(
                _("Eine Entscheidung ist im Status „%(state)s“ nicht möglich oder Ihnen nicht erlaubt.")
                % {"state": State(draft.part.state).label}
            )
        draft.needs_approval = requires_second_approval(draft.part.authority, draft.part.case.procedure_key)
        if draft.needs_approval:
            if draft.status != DecisionDraft.Status.DRAFT:
                raise CaseError(_("Der Entwurf liegt bereits zur Freigabe vor."))
            draft.status = DecisionDraft.Status.AWAITING_APPROVAL
            draft.version += 1
            draft.save(update_fields=["status", "needs_approval", "version", "updated_at"])
            audit.append(
                "decision_submitted_for_approval",
                case=draft.part.case,
                authority=draft.part.authority,
                actor=user,
                detail={"part": draft.part.number, "draft": str(draft.pk)},
            )
            return None
        draft.drafted_by = user
        return _issue(draft, case_version=case_version)


def approve(draft: DecisionDraft, approver, *, expected_version=None):
    """The second person releases the draft; the decision is issued at once (by the drafter's authority,
    as the drafter's decision) and handed to delivery."""
    if not authorities_for(approver, "approver").filter(pk=draft.part.authority_id).exists():
        raise AccessDenied(_("Für die Freigabe fehlt Ihnen die Rolle „Freigabe (Vier-Augen-Prinzip)“."))
    with transaction.atomic():
        draft = _locked_draft(draft, expected_version)
        if draft.drafted_by_id == approver.pk:
            raise CaseError(
                _("Die Freigabe muss eine andere Person erteilen als die, die den Bescheid entworfen hat.")
            )
        if draft.status != DecisionDraft.Status.AWAITING_APPROVAL:
            raise CaseError(_("Dieser Entwurf liegt nicht zur Freigabe vor."))
        draft.status = DecisionDraft.Status.APPROVED
        draft.approved_by = approver
        draft.approved_at = timezone.now()
        draft.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
        audit.append(
            "decision_approved",
            case=draft.part.case,
            authority=draft.part.authority,
            actor=approver,
            detail={"part": draft.part.number, "draft": str(draft.pk), "drafted_by": draft.drafted_by_id},
        )
        return _issue(draft)


def return_draft(draft: DecisionDraft, approver, note: str = "", *, expected_version=None) -> DecisionDraft:
    """The approver sends the draft back for changes."""
    if not authorities_for(approver, "approver").filter(pk=draft.part.authority_id).exists():
        raise AccessDenied(_("Für die Freigabe fehlt Ihnen die Rolle „Freigabe (Vier-Augen-Prinzip)“."))
    with transaction.atomic():
        draft = _locked_draft(draft, expected_version)
        if draft.status != DecisionDraft.Status.AWAITING_APPROVAL:
            raise CaseError(_("Dieser Entwurf liegt nicht zur Freigabe vor."))
        draft.status = DecisionDraft.Status.DRAFT
        draft.version += 1
        draft.save(update_fields=["status", "version", "updated_at"])
        audit.append(
            "decision_returned",
            case=draft.part.case,
            authority=draft.part.authority,
            actor=approver,
            detail={"part": draft.part.number, "draft": str(draft.pk)},
        )
        if note.strip():
            _store_note(draft.part, approver, note)
    return draft


def approval_queue(user):
    return (
        DecisionDraft.objects.for_staff(user, "approver")
        .filter(status=DecisionDraft.Status.AWAITING_APPROVAL)
        .exclude(drafted_by=user)
        .select_related("part__case", "part__authority", "drafted_by")
        .order_by("updated_at")
    )


def draft_for_approval(user, draft_id) -> DecisionDraft | None:
    try:
        draft_id = uuid.UUID(str(draft_id))
    except ValueError:
        return None
    return (
        DecisionDraft.objects.for_staff(user, "approver")
        .filter(pk=draft_id)
        .select_related("part__case", "part__authority", "drafted_by")
        .first()
    )


def preview_pdf(part: CasePart, outcome: str, texts: dict) -> bytes:
    """The decision as it would be issued, unsealed (for the preview; watermarked by the view)."""
    from amtsweg.cases.handlers import recipient_for
    from amtsweg.documents.services import DocumentSpec, render_pdf
    from amtsweg.procedures import registry

    case = part.case
    procedure = registry.get(case.procedure_key)
    recipient = recipient_for(case)
    spec = DocumentSpec(
        doc_type=procedure.decision_templates.get(outcome, "bescheid"),
        authority=part.authority,
        procedure=case.procedure_key,
        data=texts,
        recipient_lines=[recipient.name, *recipient.address_lines],
        file_number=part.number,
        notes=[str(_("ENTWURF – nicht bekanntgegeben"))],
    )
    pdf, _prepared, _pages = render_pdf(spec)
    return pdf
