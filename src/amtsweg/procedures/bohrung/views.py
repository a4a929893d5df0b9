"""Thin views of the drilling notification.

Applicants (/bohranzeige/…): status per authority, the results form with the layer log table, the offline base
layer of the maps. Staff (/verwaltung/bohrung/…): work list, case page with the part's actions, the LfULG
registry (list, map, GeoJSON, CSV) and the overdue results. Tenancy comes from the tenancy managers.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from amtsweg.accounts.services import citizen_required, staff_required
from amtsweg.cases import services as cases
from amtsweg.cases.models import Case
from amtsweg.cases.states import State
from amtsweg.cases.uploads import UploadRefused
from amtsweg.procedures import registry as procedure_registry
from amtsweg.procedures.bohrung import geo, services
from amtsweg.procedures.bohrung.models import Bohrung
from amtsweg.procedures.bohrung.procedure import GEOLOGY, KEY, MINING, PURPOSES, WATER

ROWS_START, ROWS_STEP, ROWS_MAX = 8, 5, 300


def _redirect(name, *args):
    return HttpResponseRedirect(reverse(name, args=args), status=303)


# --- public -----------------------------------------------------------------------------------------------


@require_GET
@cache_control(max_age=3600, public=True)
def base_layer(request):
    return JsonResponse(geo.base_layer())


# --- applicants -------------------------------------------------------------------------------------------


def _own_case(request, public_id) -> Case:
    case = Case.objects.for_citizen(request.user).filter(public_id=public_id, procedure_key=KEY).first()
    if case is None:
        raise Http404(_("Diese Bohranzeige gibt es in Ihrem Konto nicht."))
    return case


@citizen_required
@require_GET
def status(request, public_id):
    case = _own_case(request, public_id)
    return render(
        request,
        "bohrung/status.html",
        {
            "case": case,
            "bohrung": Bohrung.objects.filter(case=case).first(),
            "rows": services.status_rows(case),
            "results": services.results_expected(case),
        },
    )


def _row_count(request) -> int:
    try:
        count = int(request.POST.get("zeilen", ROWS_START))
    except (TypeError, ValueError):
        count = ROWS_START
    return max(1, min(ROWS_MAX, count))


@citizen_required
@require_http_methods(["GET", "POST"])
def results(request, public_id):
    case = _own_case(request, public_id)
    expected = services.results_expected(case)
    if expected is None:
        raise Http404(_("Für diese Bohranzeige werden keine Ergebnisse erwartet."))
    if expected.received_at is not None:
        messages.info(request, _("Die Ergebnisse sind bereits eingegangen."))
        return _redirect("bohrung:status", case.public_id)
    count, errors, row_errors, status_code = ROWS_START, {}, {}, 200
    if request.method == "POST":
        count = _row_count(request)
        if request.POST.get("aktion") == "mehr":
            count = min(ROWS_MAX, count + ROWS_STEP)
        else:
            try:
                services.submit_results(case, request.user, request.POST, request.FILES, count)
            except (cases.CaseError, UploadRefused) as exc:
                detail = getattr(exc, "errors", None) or {}
                row_errors = detail.get("rows", {}) if isinstance(detail, dict) else {}
                errors = {k: v for k, v in detail.items() if k != "rows"} if isinstance(detail, dict) else {}
                messages.error(request, getattr(exc, "message", str(exc)))
                status_code = 422
            else:
                messages.success(request, _("Ihre Ergebnisse sind eingegangen. Vielen Dank."))
                return _redirect("bohrung:status", case.public_id)
    rows = [
        {
            "index": i,
            "von": request.POST.get(f"schicht-{i}-von", ""),
            "bis": request.POST.get(f"schicht-{i}-bis", ""),
            "beschreibung": request.POST.get(f"schicht-{i}-beschreibung", ""),
            "grundwasser": bool(request.POST.get(f"schicht-{i}-grundwasser")),
            "error": row_errors.get(i, ""),
        }
        for i in range(count)
    ]
    return render(
        request,
        "bohrung/results.html",
        {
            "case": case,
            "expected": expected,
            "rows": rows,
            "count": count,
            "errors": errors,
            "post": request.POST,
        },
        status=status_code,
    )


# --- staff ------------------------------------------------------------------------------------------------


def _staff_part(request, public_id):
    part = services.staff_part(request.user, public_id)
    if part is None:
        raise Http404(_("Diese Bohranzeige gibt es in Ihrer Behörde nicht."))
    return part.case, part


@staff_required(role="case_worker")
@require_GET
def worklist(request):
    today = timezone.localdate()
    rows = [
        {"part": p, "overdue": bool(p.due_on and p.due_on < today)}
        for p in services.worklist(request.user)[:300]
    ]
    return render(request, "bohrung/staff_worklist.html", {"rows": rows})


@staff_required(role="case_worker")
@require_GET
def staff_case(request, public_id):
    case, part = _staff_part(request, public_id)
    return render(request, "bohrung/staff_case.html", _case_context(case, part))


def _case_context(case, part, opened=None):
    bohrung = Bohrung.objects.filter(case=case).first()
    open_water = part.label in (WATER, MINING) and part.state == State.IN_REVIEW
    return {
        "case": case,
        "part": part,
        "bohrung": bohrung,
        "rows": services.status_rows(case),
        "results": services.results_expected(case),
        "can_decide": open_water and not (bohrung and services.water_silent(bohrung, part)),
        "can_expect": part.label == GEOLOGY and part.state == State.IN_REVIEW and _results_pending(case),
        "can_close": part.state in (State.IN_REVIEW, State.DECIDED, State.DELIVERED, State.FOLLOW_UP_PENDING)
        and (part.label != GEOLOGY or not _results_pending(case)),
        "opened": opened,
        "purpose": services.REVIEW_PURPOSE,
        "is_water": part.label == WATER,
    }


def _results_pending(case) -> bool:
    expected = services.results_expected(case)
    return expected is not None and expected.received_at is None


@staff_required(role="case_worker")
@require_POST
def staff_open(request, public_id):
    """Decrypting is only by POST, with a purpose; audited and logged for the applicant."""
    case, part = _staff_part(request, public_id)
    purpose = str(request.POST.get("zweck", "")).strip()[:300] or services.REVIEW_PURPOSE
    try:
        opened = services.open_case(case, request.user, purpose)
    except cases.CaseError as exc:
        messages.error(request, exc.message)
        return _redirect("bohrung:staff_case", case.public_id)
    procedure = procedure_registry.get(KEY)
    opened["summary"] = procedure.summary(opened["values"], part.fields)
    return render(request, "bohrung/staff_case.html", _case_context(case, part, opened))


def _version(request):
    raw = str(request.POST.get("version", ""))
    return int(raw) if raw.isdigit() else None


@staff_required(role="case_worker")
@require_POST
def staff_decide(request, public_id):
    case, _part = _staff_part(request, public_id)
    try:
        services.decide_part(
            case,
            request.user,
            str(request.POST.get("art", "")),
            str(request.POST.get("text", ""))[:8001],
            expected_version=_version(request),
        )
    except cases.CaseError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Der Bescheid ist erlassen; er wird gesiegelt zugestellt."))
    return _redirect("bohrung:staff_case", case.public_id)


@staff_required(role="case_worker")
@require_POST
def staff_expect(request, public_id):
    case, _part = _staff_part(request, public_id)
    try:
        services.expect_results(case, request.user)
    except cases.CaseError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Die Anzeige ist geprüft. Der Vorgang wartet auf die Ergebnisse."))
    return _redirect("bohrung:staff_case", case.public_id)


@staff_required(role="case_worker")
@require_POST
def staff_close(request, public_id):
    case, _part = _staff_part(request, public_id)
    try:
        services.close_part(case, request.user, str(request.POST.get("hinweis", "")))
    except cases.CaseError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Ihr Teil des Vorgangs ist abgeschlossen."))
    return _redirect("bohrung:staff_case", case.public_id)


@staff_required(role="case_worker")
@require_GET
def overdue(request):
    return render(
        request, "bohrung/staff_overdue.html", {"rows": services.overdue_results(request.user)[:500]}
    )


def _registry(request):
    queryset, cleaned, errors = services.registry(request.user, request.GET)
    return queryset, cleaned, errors


@staff_required(role="case_worker")
@require_GET
def register(request):
    queryset, cleaned, errors = _registry(request)
    query = "&".join(f"{k}={v}" for k, v in cleaned.items())
    return render(
        request,
        "bohrung/staff_register.html",
        {
            "rows": queryset[:500],
            "total": queryset.count(),
            "filters": cleaned,
            "errors": errors,
            "districts": sorted(geo.district_names().items(), key=lambda item: item[1]),
            "purposes": PURPOSES,
            "statuses": list(services.STATUS_FILTERS.items()),
            "query": query,
        },
    )


@staff_required(role="case_worker")
@require_GET
def register_geojson(request):
    queryset, _cleaned, errors = _registry(request)
    if errors:
        return JsonResponse({"errors": [str(e) for e in errors]}, status=400)
    response = HttpResponse(
        json.dumps(services.geojson(queryset), ensure_ascii=False), content_type="application/geo+json"
    )
    response["Content-Disposition"] = 'inline; filename="bohrungen.geojson"'
    return response


@staff_required(role="case_worker")
@require_GET
def register_csv(request):
    queryset, _cleaned, errors = _registry(request)
    if errors:
        return HttpResponse(
            "; ".join(str(e) for e in errors), status=400, content_type="text/plain; charset=utf-8"
        )
    response = HttpResponse("\ufeff" + services.csv_text(queryset), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="bohrungen.csv"'
    return response
