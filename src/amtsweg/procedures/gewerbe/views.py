"""Thin views of the Gewerbeanzeige pilot.

Citizens (/gewerbe/): their businesses, prefilled Ummeldung/Abmeldung, the guided move.
Case workers (/verwaltung/gewerbe/): work list, case page with checklist and receipt, follow-up question,
register with ex-officio deregistration. Tenancy comes from the engine's and the register's querysets.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from amtsweg.accounts.services import acting_context, citizen_required, require_trust_level, staff_required
from amtsweg.cases import services as cases
from amtsweg.cases.models import CasePart
from amtsweg.exchange import services as exchange
from amtsweg.procedures import registry
from amtsweg.procedures.gewerbe import services
from amtsweg.procedures.gewerbe.models import Gewerbebetrieb, Gewerbemeldung, Verlegung
from amtsweg.procedures.gewerbe.procedure import KEYS, KIND_BY_KEY

TRUST = "substanziell"


def _redirect(name, *args, status=303):
    return HttpResponseRedirect(reverse(name, args=args), status=status)


def _parse_date(raw: str) -> dt.date | None:
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime((raw or "").strip()[:10], fmt).date()
        except ValueError:
            continue
    return None


# --- citizens ----------------------------------------------------------------------------------------------


@citizen_required
@require_http_methods(["GET"])
def my_businesses(request):
    acting = acting_context(request)
    return render(
        request,
        "gewerbe/mine.html",
        {"businesses": services.businesses_for(acting), "acting": acting, "keys": KEYS},
    )


@citizen_required
@require_POST
def start_change(request, business_id, kind):
    if (response := require_trust_level(request, TRUST)) is not None:
        return response
    acting = acting_context(request)
    try:
        betrieb = services.business_for(acting, business_id)
        draft = services.start_change(request.user, acting, betrieb, kind)
    except cases.CaseError as exc:
        messages.error(request, exc.message)
        return _redirect("gewerbe:mine")
    messages.info(
        request, _("Wir haben die bekannten Angaben übernommen. Bitte prüfen und ergänzen Sie sie.")
    )
    return _redirect("cases:review", draft.pk)


@citizen_required
@require_http_methods(["GET", "POST"])
def move(request, business_id):
    if (response := require_trust_level(request, TRUST)) is not None:
        return response
    acting = acting_context(request)
    try:
        betrieb = services.business_for(acting, business_id)
    except cases.AccessDenied:
        raise Http404(_("Diesen Betrieb gibt es in Ihrem Konto nicht.")) from None
    form = {"strasse": "", "plz": "", "ort": "", "datum": "", "ort_id": ""}
    errors: dict[str, str] = {}
    candidates = []
    if request.method == "POST":
        form = {k: str(request.POST.get(k, ""))[:200].strip() for k in form}
        day = _parse_date(form["datum"])
        if day is None:
            errors["datum"] = _("Bitte geben Sie das Datum des Umzugs an (TT.MM.JJJJ).")
        if not errors:
            try:
                plan, result = services.start_move(
                    request.user,
                    acting,
                    betrieb,
                    street=form["strasse"],
                    postal_code=form["plz"],
                    locality=form["ort"],
                    moved_on=day,
                    place_id=form["ort_id"] or None,
                )
            except cases.CaseError as exc:
                if "ort_id" in exc.errors:
                    candidates = exc.errors["ort_id"]
                errors["plz"] = exc.message
            else:
                if plan.same_municipality:
                    messages.info(
                        request,
                        _(
                            "Der Betrieb bleibt in derselben Gemeinde: Sie melden ihn um. Bitte prüfen Sie "
                            "die Angaben."
                        ),
                    )
                    return _redirect("cases:review", result.pk)
                return _redirect("gewerbe:move_detail", result.pk)
    return render(
        request,
        "gewerbe/move.html",
        {"betrieb": betrieb, "form": form, "errors": errors, "candidates": candidates},
        status=400 if errors else 200,
    )


@citizen_required
@require_http_methods(["GET", "POST"])
def move_detail(request, move_id):
    if (response := require_trust_level(request, TRUST)) is not None:
        return response
    move = get_object_or_404(
        Verlegung.objects.for_citizen(request.user).select_related("betrieb__authority", "new_authority"),
        pk=move_id,
    )
    acting = acting_context(request)
    if request.method == "POST" and not move.submitted_at:
        try:
            services.submit_move(move, request.user, acting)
        except cases.CaseError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, _("Beide Anzeigen sind abgesendet. Bitte bezahlen Sie jetzt die Gebühren.")
            )
        return _redirect("gewerbe:move_detail", move.pk)
    anmeldung, abmeldung = services.move_drafts(move)
    problems = {} if move.submitted_at else services.move_problems(move)
    parts = []
    for kind, draft, authority in (
        ("abmeldung", abmeldung, move.betrieb.authority),
        ("anmeldung", anmeldung, move.new_authority),
    ):
        count = sum(len(msgs) for step in (problems.get(kind) or {}).values() for msgs in step.values())
        parts.append(
            {
                "kind": kind,
                "title": registry.get(KEYS[kind]).title,
                "authority": authority,
                "draft": draft if draft is not None and draft.status == draft.Status.OPEN else None,
                "problems": count,
            }
        )
    cases_done = [c for c in (move.abmeldung_case, move.anmeldung_case) if c is not None]
    return render(
        request,
        "gewerbe/move_detail.html",
        {"move": move, "parts": parts, "ready": not any(p["problems"] for p in parts), "cases": cases_done},
    )


# --- case workers ------------------------------------------------------------------------------------------


def _gewerbe_parts(user):
    return cases.worklist(user).filter(case__procedure_key__in=list(KEYS.values()))


def _staff_case(user, public_id):
    part = (
        CasePart.objects.for_staff(user, "case_worker")
        .filter(case__public_id=public_id, case__procedure_key__in=list(KEYS.values()))
        .select_related("case__authority")
        .first()
    )
    if part is None:
        raise Http404(_("Diesen Vorgang gibt es in Ihrer Behörde nicht."))
    return part.case, part


@staff_required(role="case_worker")
@require_http_methods(["GET"])
def worklist(request):
    today = timezone.localdate()
    rows = [
        {
            "part": p,
            "overdue": bool(p.due_on and p.due_on < today),
            "kind_label": services.KIND_LABELS[KIND_BY_KEY[p.case.procedure_key]],
        }
        for p in _gewerbe_parts(request.user)[:200]
    ]
    return render(request, "gewerbe/staff_worklist.html", {"rows": rows})


@staff_required(role="case_worker")
@require_http_methods(["GET"])
def staff_case(request, public_id):
    case, part = _staff_case(request.user, public_id)
    record = Gewerbemeldung.objects.filter(case=case).select_related("betrieb").first()
    return render(
        request,
        "gewerbe/staff_case.html",
        {
            "case": case,
            "part": part,
            "kind": KIND_BY_KEY[case.procedure_key],
            "kind_label": services.KIND_LABELS[KIND_BY_KEY[case.procedure_key]],
            "record": record,
            "log": exchange.log_for_staff(request.user, case.reference),
            "purpose": services.REVIEW_PURPOSE,
        },
    )


@staff_required(role="case_worker")
@require_POST
def staff_review(request, public_id):
    """Opening the notification decrypts it: only by POST, with a purpose, audited and logged for the
    citizen."""
    case, part = _staff_case(request.user, public_id)
    purpose = str(request.POST.get("zweck", "")).strip()[:300] or services.REVIEW_PURPOSE
    try:
        review = services.open_for_review(case, request.user, purpose)
    except cases.CaseError as exc:
        messages.error(request, exc.message)
        return _redirect("gewerbe:staff_case", case.public_id)
    procedure = registry.get(case.procedure_key)
    questions = [(f.name, f"{s.title}: {f.label}") for s in procedure.steps for f in s.fields]
    return render(
        request,
        "gewerbe/staff_review.html",
        {
            "case": case,
            "part": part,
            "review": review,
            "summary": procedure.summary(review.values),
            "questions": questions,
            "can_decide": part.state == "in_review",
            "can_ask": part.state == "in_review",
        },
    )


@staff_required(role="case_worker")
@require_POST
def staff_issue(request, public_id):
    case, _part = _staff_case(request.user, public_id)
    try:
        services.issue_receipt(
            case,
            request.user,
            confirmed=request.POST.getlist("geprueft"),
            note=str(request.POST.get("hinweis", ""))[:1001],
            expected_version=int(request.POST["version"])
            if str(request.POST.get("version", "")).isdigit()
            else None,
        )
    except cases.CaseError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _(
                "Die Empfangsbescheinigung ist ausgestellt; sie wird gesiegelt zugestellt. Die Weitergabe "
                "läuft."
            ),
        )
    return _redirect("gewerbe:staff_case", case.public_id)


@staff_required(role="case_worker")
@require_POST
def staff_question(request, public_id):
    case, part = _staff_case(request.user, public_id)
    deadline = _parse_date(request.POST.get("frist", ""))
    try:
        cases.request_information(
            case,
            request.user,
            fields=request.POST.getlist("felder"),
            note=str(request.POST.get("text", ""))[:5001],
            deadline=deadline,
            part=part,
        )
    except cases.CaseError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Die Rückfrage ist an die anzeigende Person gesendet."))
    return _redirect("gewerbe:staff_case", case.public_id)


@staff_required(role="case_worker")
@require_http_methods(["GET"])
def register(request):
    businesses = Gewerbebetrieb.objects.for_staff(request.user, "case_worker").select_related("authority")
    query = str(request.GET.get("q", "")).strip()[:100]
    if query:
        businesses = businesses.filter(name__icontains=query) | businesses.filter(number__iexact=query)
    return render(
        request,
        "gewerbe/staff_register.html",
        {"businesses": businesses.order_by("status", "name")[:300], "q": query},
    )


@staff_required(role="case_worker")
@require_POST
def ex_officio(request, business_id):
    betrieb = get_object_or_404(Gewerbebetrieb.objects.for_staff(request.user, "case_worker"), pk=business_id)
    day = _parse_date(request.POST.get("datum", ""))
    if day is None:
        messages.error(request, _("Bitte geben Sie das Datum der Aufgabe an (TT.MM.JJJJ)."))
        return _redirect("gewerbe:register")
    try:
        services.deregister_ex_officio(
            betrieb, request.user, closed_on=day, reason=str(request.POST.get("grund", ""))[:1001]
        )
    except cases.CaseError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("Der Betrieb %(number)s ist von Amts wegen abgemeldet.") % {"number": betrieb.number}
        )
    return _redirect("gewerbe:register")
