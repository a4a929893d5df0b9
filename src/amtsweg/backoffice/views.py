"""Thin views of the back office (/verwaltung/vorgaenge/).

No personal data in URLs: cases are addressed by their opaque public UUID, the search term is sent by POST and
kept in the session under a random token (the URL carries only the token). Opening the application decrypts
it: only by POST with a purpose, recorded in the audit trail and the citizen's transparency log.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from amtsweg.accounts.services import staff_required
from amtsweg.accounts.staff import idle_timeout_seconds
from amtsweg.backoffice import services, watermark
from amtsweg.cases import services as cases
from amtsweg.cases.models import Case
from amtsweg.cases.states import State
from amtsweg.procedures import registry

SEARCH_KEY = "backoffice.search"
OPEN_PURPOSE = "Bearbeitung des Antrags"


def _redirect(name, *args, query: dict | None = None):
    url = reverse(name, args=args)
    if query:
        url += "?" + urlencode(query)
    return HttpResponseRedirect(url, status=303)


def _int(raw) -> int | None:
    raw = str(raw or "").strip()
    return int(raw) if raw.isdigit() and len(raw) < 12 else None


def _part_or_404(request, public_id):
    part = services.part_for(request.user, public_id)
    if part is None:
        raise Http404(_("Diesen Vorgang gibt es in Ihrer Behörde nicht."))
    return part


def _base_context(request) -> dict:
    return {"idle_seconds": idle_timeout_seconds()}


# --- worklist -----------------------------------------------------------------------------------------------


def _remember_search(request, term: str) -> str:
    stored = dict(request.session.get(SEARCH_KEY) or {})
    token = secrets.token_urlsafe(6)
    stored[token] = term[:100]
    request.session[SEARCH_KEY] = dict(list(stored.items())[-20:])
    return token


@staff_required(role="case_worker")
@require_http_methods(["GET", "POST"])
def worklist(request):
    if request.method == "POST":
        # The search term is personal data (a name): it travels by POST and stays in the session.
        query = services.Filters.parse(request.POST).query()
        term = str(request.POST.get("suche", "")).strip()[:100]
        if term:
            query["suche"] = _remember_search(request, term)
        return _redirect("backoffice:worklist", query=query)
    token = str(request.GET.get("suche", ""))[:20]
    term = (request.session.get(SEARCH_KEY) or {}).get(token, "") if token else ""
    filters = services.Filters.parse(request.GET, term)
    page = services.worklist_page(request.user, filters, str(request.GET.get("nach", ""))[:200])
    query = filters.query() | ({"suche": token} if term else {})
    next_url = None
    if page.next_cursor:
        next_url = "?" + urlencode(query | {"nach": page.next_cursor})
    state_links = [
        {
            "state": state,
            "label": State(state).label,
            "count": page.counts.get(state, 0),
            "url": "?" + urlencode({k: v for k, v in (query | {"status": state}).items()}),
            "current": filters.state == state,
        }
        for state in State.values
        if page.counts.get(state)
    ]
    return render(
        request,
        "backoffice/worklist.html",
        {
            **_base_context(request),
            "page": page,
            "filters": filters,
            "state_links": state_links,
            "all_url": "?" + urlencode({k: v for k, v in query.items() if k != "status"}),
            "next_url": next_url,
            "first_url": "?" + urlencode(query) if request.GET.get("nach") else None,
            "colleagues": services.colleagues(request.user),
            "procedures": services.procedures_in_worklist(),
            "procedure_titles": dict(services.procedures_in_worklist()),
            "all_count": sum(page.counts.values()),
            "states": [(s.value, s.label) for s in State if s not in ("closed", "withdrawn")],
            "sorts": services.SORTS,
            "due_filters": services.DUE_FILTERS,
            "payment_filters": services.PAYMENT_FILTERS,
            "back": request.get_full_path(),
        },
    )


@staff_required(role="case_worker")
@require_POST
def bulk_assign(request):
    ids = [pk for pk in (_int(v) for v in request.POST.getlist("vorgang")[:200]) if pk is not None]
    back = str(request.POST.get("zurueck", ""))
    if not back.startswith(reverse("backoffice:worklist")):
        back = reverse("backoffice:worklist")
    if not ids:
        messages.error(request, _("Bitte wählen Sie mindestens einen Vorgang aus."))
        return HttpResponseRedirect(back, status=303)
    assignee = _assignee(request)
    if assignee is False:
        return HttpResponseRedirect(back, status=303)
    parts = list(services.CasePart.objects.for_staff(request.user, "case_worker").filter(pk__in=ids))
    if len(parts) != len(set(ids)):
        messages.error(request, _("Mindestens ein ausgewählter Vorgang gehört nicht zu Ihrer Behörde."))
        return HttpResponseRedirect(back, status=303)
    try:
        result = services.assign(request.user, parts, assignee)
    except cases.CaseError as exc:
        messages.error(request, exc.message)
    else:
        _report_assignment(request, result, assignee)
    return HttpResponseRedirect(back, status=303)


def _assignee(request):
    raw = str(request.POST.get("an", "")).strip()
    if raw in ("", "niemand"):
        return None
    if raw == "mir":
        return request.user
    pk = _int(raw)
    found = services.colleagues(request.user).filter(pk=pk).first() if pk else None
    if found is None:
        messages.error(request, _("Diese Person bearbeitet keine Vorgänge Ihrer Behörde."))
        return False
    return found


def _report_assignment(request, result, assignee):
    substituted = [r for r in result if r.substituted]
    if assignee is None:
        messages.success(
            request, _("%(n)d Vorgang/Vorgänge sind jetzt nicht zugewiesen.") % {"n": len(result)}
        )
    else:
        messages.success(request, _("%(n)d Vorgang/Vorgänge zugewiesen.") % {"n": len(result)})
    for row in substituted:
        messages.info(
            request,
            _("%(number)s ging an %(name)s (Vertretung, %(absent)s ist abwesend).")
            % {
                "number": row.part.number,
                "name": row.assignee.display_name or row.assignee.username,
                "absent": assignee.display_name or assignee.username,
            },
        )


# --- case page ----------------------------------------------------------------------------------------------


def _detail_context(request, part, opened=None) -> dict:
    case = part.case
    try:
        procedure = registry.get(case.procedure_key)
    except registry.UnknownProcedure:  # a procedure taken out of service: the case stays readable
        procedure = None
    user = request.user
    steps = services.next_steps(part, user)
    context = {
        **_base_context(request),
        "part": part,
        "case": case,
        "procedure": procedure,
        "opened": opened,
        "purpose": OPEN_PURPOSE,
        "timeline": services.timeline(part),
        "notes": services.notes_for(part, user),
        "payment": services.payment_state(case),
        "messages_linked": services.messages_for(part),
        "deliveries": services.deliveries_for(part),
        "requests": part.information_requests.order_by("-requested_at"),
        "transitions": steps.transitions,
        "can_ask": steps.can_ask,
        "can_decide": steps.can_decide,
        "draft": services.open_draft(part),
        "decisions": part.decisions.order_by("decided_at"),
        "colleagues": services.colleagues(user),
        "questions": [(f.name, f"{s.title}: {f.label}") for s in procedure.steps for f in s.fields]
        if procedure
        else [],
        "default_deadline": dt.date.today() + dt.timedelta(days=getattr(procedure, "information_days", 14)),
    }
    if opened is not None and procedure is not None:
        context["summary"] = _summary(procedure, opened)
    return context


def _summary(procedure, opened) -> dict:
    """The decrypted application as readable rows; file fields become links to the attachments."""
    values = (opened.get("submission") or {}).get("values") or {}
    fields = opened["part"].fields
    rows, files = [], []
    for step in procedure.steps:
        for item in step.fields:
            if fields is not None and item.name not in fields:
                continue
            value = values.get(item.name)
            if item.kind == "file":
                for meta in value or []:
                    if isinstance(meta, dict) and meta.get("id"):
                        files.append({"label": item.label, "name": meta.get("name", ""), "id": meta["id"],
                                      "type": meta.get("type", ""), "size": meta.get("size")})  # fmt: skip
                continue
            rows.append((str(step.title), str(item.label), _display(item, value)))
    answers = []
    for answer in opened.get("answers") or []:
        shown = []
        for name, value in (answer.get("values") or {}).items():
            item = procedure.field(name)
            if item is None:
                continue
            if item.kind == "file":
                for meta in value or []:
                    if isinstance(meta, dict) and meta.get("id"):
                        files.append({"label": item.label, "name": meta.get("name", ""), "id": meta["id"],
                                      "type": meta.get("type", ""), "size": meta.get("size")})  # fmt: skip
                continue
            shown.append((str(item.label), _display(item, value)))
        answers.append({"at": answer.get("answered_at", ""), "rows": shown})
    return {"rows": rows, "files": files, "answers": answers}


def _display(item, value) -> str:
    from amtsweg.cases.forms import display_value

    return display_value(item, value)


@staff_required
@require_GET
def detail(request, public_id):
    part = _part_or_404(request, public_id)
    return render(request, "backoffice/detail.html", _detail_context(request, part))


@staff_required
@require_POST
def open_application(request, public_id):
    part = _part_or_404(request, public_id)
    purpose = str(request.POST.get("zweck", "")).strip()[:300]
    try:
        opened = cases.read_submission(part.case, request.user, purpose, part=part)
    except cases.CaseError as exc:
        messages.error(request, exc.message)
        return _redirect("backoffice:detail", part.case.public_id)
    return render(request, "backoffice/detail.html", _detail_context(request, part, opened))


@staff_required
@require_GET
def attachment(request, public_id, attachment_id):
    part = _part_or_404(request, public_id)
    download = request.GET.get("herunterladen") == "1"
    purpose = _("Anlage herunterladen") if download else _("Anlage ansehen")
    try:
        data, meta = cases.read_attachment(part.case, request.user, attachment_id, purpose, part=part)
        data, content_type = watermark.mark(data, str(meta.get("type", "")), request.user)
    except cases.AccessDenied as exc:
        raise Http404(exc.message) from exc
    except (cases.CaseError, watermark.WatermarkError) as exc:
        messages.error(request, getattr(exc, "message", str(exc)))
        return _redirect("backoffice:detail", part.case.public_id)
    response = HttpResponse(data, content_type=content_type)
    extension = "pdf" if content_type == "application/pdf" else "png"
    # The file name is neutral: the citizen's original name may hold personal data.
    filename = f"anlage-{str(attachment_id)[:8]}.{extension}"
    response["Content-Disposition"] = f'{"attachment" if download else "inline"}; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    return response


@staff_required
@require_POST
def add_note(request, public_id):
    part = _part_or_404(request, public_id)
    try:
        services.add_note(part, request.user, str(request.POST.get("notiz", ""))[:5001])
    except cases.CaseError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Die interne Notiz ist gespeichert. Antragstellende sehen sie nicht."))
    return _redirect("backoffice:detail", part.case.public_id)


def _parse_date(raw: str) -> dt.date | None:
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime((raw or "").strip()[:10], fmt).date()
        except ValueError:
            continue
    return None


@staff_required(role="case_worker")
@require_POST
def ask(request, public_id):
    part = _part_or_404(request, public_id)
    raw_deadline = str(request.POST.get("frist", "")).strip()
    deadline = _parse_date(raw_deadline)
    if raw_deadline and deadline is None:
        messages.error(request, _("Bitte geben Sie die Frist als Datum an (TT.MM.JJJJ)."))
        return _redirect("backoffice:detail", part.case.public_id)
    fields = [str(v)[:100] for v in request.POST.getlist("felder")[:50]]
    procedure = registry.get(part.case.procedure_key)
    documents = [name for name in fields if (f := procedure.field(name)) is not None and f.kind == "file"]
    try:
        cases.request_information(
            part.case,
            request.user,
            fields=[n for n in fields if n not in documents],
            documents=documents,
            note=str(request.POST.get("text", ""))[:5001],
            deadline=deadline,
            part=part,
        )
    except cases.CaseError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Die Rückfrage ist an die antragstellende Person gesendet."))
    return _redirect("backoffice:detail", part.case.public_id)


@staff_required(role="case_worker")
@require_POST
def reassign(request, public_id):
    part = _part_or_404(request, public_id)
    assignee = _assignee(request)
    if assignee is not False:
        try:
            result = services.assign(
                request.user, [part], assignee, expected_versions={part.pk: _int(request.POST.get("version"))}
            )
        except cases.CaseError as exc:
            messages.error(request, exc.message)
        else:
            _report_assignment(request, result, assignee)
    return _redirect("backoffice:detail", part.case.public_id)


@staff_required(role="case_worker")
@require_POST
def step(request, public_id):
    part = _part_or_404(request, public_id)
    target = str(request.POST.get("ziel", ""))[:40]
    offered = {t.target for t in services.staff_transitions(part, request.user)}
    try:
        if target not in offered:
            raise cases.TransitionNotAllowed(
                _("Dieser Schritt ist im Status „%(state)s“ nicht möglich.")
                % {"state": State(part.state).label}
            )
        cases.transition(
            part.case,
            target,
            request.user,
            part=part,
            note=str(request.POST.get("vermerk", ""))[:500],
            expected_version=_int(request.POST.get("version")),
        )
    except cases.CaseError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Der Vorgang ist jetzt „%(state)s“.") % {"state": State(target).label})
    return _redirect("backoffice:detail", part.case.public_id)


# --- decisions ----------------------------------------------------------------------------------------------

OUTCOMES = [(value, label) for value, label in Case.Outcome.choices if value]


@staff_required(role="case_worker")
@require_http_methods(["GET", "POST"])
def decision(request, public_id):
    part = _part_or_404(request, public_id)
    draft = services.open_draft(part)
    if request.method == "POST":
        outcome = str(request.POST.get("ergebnis", ""))[:20]
        action = request.POST.get("aktion", "speichern")
        try:
            if action in ("speichern", "erlassen") or draft is None:
                draft = services.save_draft(
                    part,
                    request.user,
                    outcome,
                    request.POST,
                    expected_version=_int(request.POST.get("entwurf_version")) if draft else None,
                )
            if action == "erlassen":
                issued = services.finish_draft(
                    draft, request.user, case_version=_int(request.POST.get("version"))
                )
                if issued is None:
                    messages.success(request, _("Der Bescheid liegt zur Freigabe vor (Vier-Augen-Prinzip)."))
                else:
                    messages.success(request, _("Der Bescheid ist erlassen und wird gesiegelt zugestellt."))
                return _redirect("backoffice:detail", part.case.public_id)
        except cases.CaseError as exc:
            messages.error(request, exc.message)
            texts = {name: str(request.POST.get(name, ""))[:10000] for name in services.TEXT_FIELDS}
            return _decision_page(request, part, draft, outcome, texts, status=400)
        messages.success(request, _("Der Entwurf ist gespeichert."))
        return _redirect("backoffice:decision", part.case.public_id)
    outcome = draft.outcome if draft else str(request.GET.get("ergebnis", "granted"))
    if outcome not in dict(OUTCOMES):
        outcome = "granted"
    texts = services.draft_texts(draft) if draft else services.default_texts(part, outcome)
    return _decision_page(request, part, draft, outcome, texts)


def _decision_page(request, part, draft, outcome, texts, status=200):
    return render(
        request,
        "backoffice/decision.html",
        {
            **_base_context(request),
            "part": part,
            "case": part.case,
            "draft": draft,
            "outcome": outcome,
            "outcomes": OUTCOMES,
            "texts": texts,
            "can_decide": services.can_decide(part, request.user),
            "second_approval": services.requires_second_approval(part.authority, part.case.procedure_key),
            "letter": services.letter_settings(part.authority),
        },
        status=status,
    )


def _pdf_response(request, pdf: bytes) -> HttpResponse:
    data = watermark.pdf(pdf, watermark.label(request.user))
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="bescheid-entwurf.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@staff_required(role="case_worker")
@require_GET
def decision_preview(request, public_id):
    part = _part_or_404(request, public_id)
    draft = services.open_draft(part)
    if draft is None:
        messages.error(request, _("Bitte speichern Sie zuerst einen Entwurf."))
        return _redirect("backoffice:decision", part.case.public_id)
    return _preview(request, part, draft)


def _preview(request, part, draft):
    from amtsweg.documents.services import DocumentSpecError, MissingData, TemplateNotFound

    try:
        pdf = services.preview_pdf(part, draft.outcome, services.draft_texts(draft))
    except (DocumentSpecError, MissingData, TemplateNotFound) as exc:
        messages.error(request, str(exc))
        return _redirect("backoffice:detail", part.case.public_id)
    return _pdf_response(request, pdf)


# --- second approval ----------------------------------------------------------------------------------------


@staff_required(role="approver")
@require_GET
def approvals(request):
    return render(
        request,
        "backoffice/approvals.html",
        {**_base_context(request), "drafts": services.approval_queue(request.user)[:200]},
    )


def _draft_or_404(request, draft_id):
    draft = services.draft_for_approval(request.user, draft_id)
    if draft is None:
        raise Http404(_("Diesen Entwurf gibt es in Ihrer Behörde nicht."))
    return draft


@staff_required(role="approver")
@require_http_methods(["GET", "POST"])
def approval(request, draft_id):
    draft = _draft_or_404(request, draft_id)
    if request.method == "POST":
        action = request.POST.get("aktion")
        version = _int(request.POST.get("entwurf_version"))
        try:
            if action == "freigeben":
                services.approve(draft, request.user, expected_version=version)
                messages.success(request, _("Freigegeben: Der Bescheid ist erlassen und wird zugestellt."))
                return _redirect("backoffice:approvals")
            if action == "zurueckgeben":
                services.return_draft(
                    draft, request.user, str(request.POST.get("hinweis", ""))[:5000], expected_version=version
                )
                messages.success(request, _("Der Entwurf ist zur Überarbeitung zurückgegeben."))
                return _redirect("backoffice:approvals")
            messages.error(request, _("Bitte wählen Sie „Freigeben“ oder „Zurückgeben“."))
        except cases.CaseError as exc:
            messages.error(request, exc.message)
        return _redirect("backoffice:approval", draft.pk)
    return render(
        request,
        "backoffice/approval.html",
        {
            **_base_context(request),
            "draft": draft,
            "part": draft.part,
            "case": draft.part.case,
            "texts": services.draft_texts(draft),
            "outcome_label": dict(Case.Outcome.choices).get(draft.outcome, draft.outcome),
        },
    )


@staff_required(role="approver")
@require_GET
def approval_preview(request, draft_id):
    draft = _draft_or_404(request, draft_id)
    return _preview(request, draft.part, draft)


@staff_required
@require_GET
def keep_alive(request):
    """The idle-timeout warning's "stay logged in": any staff request refreshes the last activity."""
    return HttpResponse(status=204)
