"""Citizen pages of the case engine: the multi-step application form and "Meine Anträge". Thin views: parse,
call
`cases.services`, render. Tenancy: drafts and cases are always fetched through `for_citizen(user)`, so another
person's ids are a 404."""

from __future__ import annotations

import contextlib
import uuid

from django.contrib import messages
from django.http import Http404, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from amtsweg.accounts.services import (
    acting_context,
    citizen_required,
    current_trust_level,
    require_trust_level,
)
from amtsweg.cases import services, states
from amtsweg.cases.forms import display_value, from_json, step_form
from amtsweg.cases.models import Case, Draft, FollowUpSubmission, InformationRequest
from amtsweg.cases.uploads import UploadRefused
from amtsweg.procedures import registry


def _procedure_or_404(key):
    try:
        return registry.get(key)
    except registry.UnknownProcedure:
        raise Http404(_("Dieses Onlineverfahren gibt es nicht (mehr).")) from None


def _draft_or_404(request, draft_id) -> Draft:
    return get_object_or_404(Draft.objects.for_citizen(request.user), pk=draft_id, status=Draft.Status.OPEN)


def _steps_nav(procedure, draft, current: int | None) -> list[dict]:
    allowed = services.allowed_step(draft)
    return [
        {
            "index": i,
            "number": i + 1,
            "title": step.title,
            "current": i == current,
            "done": i <= draft.completed_steps,
            "reachable": i <= allowed,
            "url": reverse("cases:step", args=[draft.pk, i]),
        }
        for i, step in enumerate(procedure.steps)
    ]


# --- start ------------------------------------------------------------------------------------------------


@citizen_required
@require_http_methods(["GET", "POST"])
def start(request, procedure_key):
    procedure = _procedure_or_404(procedure_key)
    if (response := require_trust_level(request, procedure.trust_level)) is not None:
        return response
    acting = acting_context(request)
    if request.method == "POST":
        try:
            draft = services.start_draft(request.user, procedure.key, acting)
        except services.CaseError as exc:
            messages.error(request, exc.message)
            return HttpResponseRedirect(request.path, status=303)
        return HttpResponseRedirect(reverse("cases:step", args=[draft.pk, 0]), status=303)
    drafts = services.open_drafts(request.user).filter(procedure_key=procedure.key)
    return render(
        request,
        "cases/start.html",
        {"procedure": procedure, "drafts": drafts, "acting": acting, "step_count": len(procedure.steps)},
    )


# --- steps ------------------------------------------------------------------------------------------------


def _initial(procedure, step, values) -> dict:
    return {item.name: from_json(item, values.get(item.name)) for item in step.fields if item.kind != "file"}


def _files(step, values) -> dict:
    return {item.name: values.get(item.name) or [] for item in step.fields if item.kind == "file"}


def _place_choice(procedure, values):
    """Candidates when the postal code covers several municipalities, else []. Raises CaseError for
    bad input."""
    from amtsweg.catalog.services import CatalogError, find_responsible

    try:
        result = find_responsible(procedure.service_key, **procedure.place(values))
    except CatalogError as exc:
        raise services.CaseError(exc.message, {procedure.place_field: [exc.message]}) from None
    return result.candidates if result.needs_choice else []


@citizen_required
@require_http_methods(["GET", "POST"])
def step(request, draft_id, index):
    draft = _draft_or_404(request, draft_id)
    procedure = _procedure_or_404(draft.procedure_key)
    if (response := require_trust_level(request, procedure.trust_level)) is not None:
        return response
    if not 0 <= index < len(procedure.steps):
        raise Http404(_("Diesen Schritt gibt es nicht."))
    allowed = services.allowed_step(draft)
    if index > allowed:
        messages.warning(
            request,
            _(
                "Bitte füllen Sie die Schritte der Reihe nach aus. Sie sind jetzt beim nächsten offenen "
                "Schritt."
            ),
        )
        return HttpResponseRedirect(reverse("cases:step", args=[draft.pk, allowed]), status=303)
    current = procedure.steps[index]
    values = services.draft_values(draft)
    candidates = []
    upload_errors: dict[str, list[str]] = {}
    if request.method == "POST":
        action = request.POST.get("aktion", "weiter")
        form = step_form(procedure, current.fields, data=request.POST)
        valid = form.is_valid()
        # Uploads first: they are stored (encrypted) even if other fields still have errors.
        for item in current.fields:
            if item.kind == "file" and request.FILES.getlist(item.name):
                try:
                    services.add_files(draft, item.name, request.FILES.getlist(item.name))
                except (UploadRefused, services.CaseError) as exc:
                    upload_errors.setdefault(item.name, []).append(str(getattr(exc, "message", exc)))
                    valid = False
        if action.startswith("entfernen:"):
            _prefix, field_name, file_id = ([*action.split(":"), "", ""])[:3]
            services.remove_file(draft, field_name, file_id)
            messages.info(request, _("Die Datei wurde entfernt."))
            return HttpResponseRedirect(request.path, status=303)
        draft.refresh_from_db()
        values = services.draft_values(draft)
        cleaned = {
            name: value for name, value in (form.cleaned_data or {}).items() if name not in form.errors
        }
        for item in current.fields:
            if (
                item.kind == "file"
                and item.required
                and not values.get(item.name)
                and item.name not in upload_errors
            ):
                upload_errors.setdefault(item.name, []).append(
                    _("Bitte laden Sie mindestens eine Datei hoch.")
                )
                valid = False
        if procedure.place_field in {f.name for f in current.fields} and valid:
            merged = {**values, **{k: v for k, v in cleaned.items()}}
            chosen = request.POST.get(services.PLACE_CHOICE_KEY, "")
            try:
                candidates = _place_choice(procedure, merged)
            except services.CaseError as exc:
                form.add_error(procedure.place_field, exc.message)
                valid = False
            if candidates:
                if chosen and chosen in {str(c.id) for c in candidates}:
                    cleaned[services.PLACE_CHOICE_KEY] = chosen
                    candidates = []
                else:
                    valid = False
            else:
                cleaned[services.PLACE_CHOICE_KEY] = ""
        if action in ("speichern", "zurueck") or valid:
            services.save_step_values(
                draft, index, cleaned, complete=valid and action not in ("speichern", "zurueck")
            )
        if action == "speichern":
            messages.success(
                request,
                _("Ihr Entwurf ist gespeichert. Sie können ihn 30 Tage lang von jedem Gerät aus fortsetzen."),
            )
            return HttpResponseRedirect(request.path, status=303)
        if action == "zurueck" and index > 0:
            return HttpResponseRedirect(reverse("cases:step", args=[draft.pk, index - 1]), status=303)
        if valid:
            if index + 1 < len(procedure.steps):
                return HttpResponseRedirect(reverse("cases:step", args=[draft.pk, index + 1]), status=303)
            return HttpResponseRedirect(reverse("cases:review", args=[draft.pk]), status=303)
        status = 422
    else:
        form = step_form(procedure, current.fields, initial=_initial(procedure, current, values))
        status = 200
    draft.refresh_from_db()
    values = services.draft_values(draft)
    return render(
        request,
        "cases/step.html",
        {
            "procedure": procedure,
            "draft": draft,
            "step": current,
            "index": index,
            "number": index + 1,
            "count": len(procedure.steps),
            "steps": _steps_nav(procedure, draft, index),
            "form": form,
            "files": _files(current, values),
            "upload_errors": upload_errors,
            "candidates": candidates,
            "place_key": services.PLACE_CHOICE_KEY,
            "is_last": index + 1 == len(procedure.steps),
            "step_template": getattr(procedure, "step_templates", {}).get(current.key, ""),
        },
        status=status,
    )


@citizen_required
@require_POST
def check_field(request, draft_id, index, name):
    """htmx: validate one field on change and return its re-rendered block (the server stays the truth)."""
    draft = _draft_or_404(request, draft_id)
    procedure = _procedure_or_404(draft.procedure_key)
    if not 0 <= index < len(procedure.steps):
        raise Http404
    item = next((f for f in procedure.steps[index].fields if f.name == name and f.kind != "file"), None)
    if item is None:
        raise Http404
    form = step_form(procedure, [item], data=request.POST)
    form.is_valid()
    return render(
        request, "cases/_field.html", {"field": form[name], "draft": draft, "index": index, "inline": True}
    )


@citizen_required
@require_POST
def delete_draft(request, draft_id):
    draft = _draft_or_404(request, draft_id)
    services.delete_draft(draft)
    messages.success(request, _("Der Entwurf wurde gelöscht."))
    return HttpResponseRedirect(reverse("cases:my_cases"), status=303)


# --- review and submit ------------------------------------------------------------------------------------


def _review_context(request, draft, procedure, values, errors=None):
    authority = None
    fee = None
    problem = ""
    try:
        authority, _ags = services.find_authority(procedure, values)
    except services.CaseError as exc:
        problem = exc.message
    if authority is not None and procedure.has_fee:
        from amtsweg.payments.services import FeeError, quote_fee

        try:
            fee = quote_fee(
                procedure.key, authority, procedure.fee_variant_for(values), procedure.fee_inputs(values)
            )
        except FeeError as exc:
            problem = str(exc)
    sections = []
    derived = procedure.derived_rows(values)
    for i, one in enumerate(procedure.steps):
        rows = [(item.label, display_value(item, values.get(item.name)), item.name) for item in one.fields]
        rows += [(label, value, "") for key, label, value in derived if key == one.key]
        sections.append(
            {
                "index": i,
                "title": one.title,
                "rows": rows,
                "url": reverse("cases:step", args=[draft.pk, i]),
                "errors": (errors or {}).get(i, {}),
            }
        )
    return {
        "procedure": procedure,
        "draft": draft,
        "sections": sections,
        "authority": authority,
        "fee": fee,
        "problem": problem,
        "errors": errors or {},
        "steps": _steps_nav(procedure, draft, None),
        "count": len(procedure.steps),
        "idempotency_key": uuid.uuid4(),
    }


@citizen_required
@require_http_methods(["GET", "POST"])
def review(request, draft_id):
    draft = get_object_or_404(Draft.objects.for_citizen(request.user), pk=draft_id)
    if draft.status == Draft.Status.SUBMITTED and draft.case_id:
        # A replayed submit (back button, double click on another tab): the case that was created.
        return HttpResponseRedirect(reverse("cases:detail", args=[draft.case.public_id]), status=303)
    procedure = _procedure_or_404(draft.procedure_key)
    if (response := require_trust_level(request, procedure.trust_level)) is not None:
        return response
    if draft.completed_steps < len(procedure.steps) - 1:
        messages.warning(request, _("Bitte füllen Sie zuerst alle Schritte aus."))
        return HttpResponseRedirect(
            reverse("cases:step", args=[draft.pk, services.allowed_step(draft)]), status=303
        )
    values = services.draft_values(draft)
    errors = services.review_errors(procedure, values)
    if request.method == "POST":
        if request.POST.get("bestaetigung") != "ja":
            messages.error(
                request, _("Bitte bestätigen Sie, dass Ihre Angaben vollständig und richtig sind.")
            )
            return render(
                request,
                "cases/review.html",
                _review_context(request, draft, procedure, values, errors),
                status=422,
            )
        try:
            case, _created = services.submit(
                draft,
                request.user,
                acting_context(request),
                request.POST.get("einreichungsschluessel"),
                trust_level=current_trust_level(request),
            )
        except services.CaseError as exc:
            messages.error(request, exc.message)
            return render(
                request,
                "cases/review.html",
                _review_context(request, draft, procedure, values, errors),
                status=422,
            )
        messages.success(
            request, _("Ihr Antrag ist eingegangen. Die Eingangsbestätigung kommt in Ihr Postfach.")
        )
        return HttpResponseRedirect(reverse("cases:detail", args=[case.public_id]), status=303)
    return render(request, "cases/review.html", _review_context(request, draft, procedure, values, errors))


# --- Meine Anträge ----------------------------------------------------------------------------------------


def _case_or_404(request, public_id) -> Case:
    return get_object_or_404(
        Case.objects.for_citizen(request.user).select_related("authority"), public_id=public_id
    )


@citizen_required
def my_cases(request):
    cases = Case.objects.for_citizen(request.user).select_related("authority").order_by("-submitted_at")[:200]
    drafts = services.open_drafts(request.user)
    rows = []
    for draft in drafts:
        try:
            title = registry.get(draft.procedure_key).title
        except registry.UnknownProcedure:
            title = draft.procedure_key
        rows.append({"draft": draft, "title": title})
    return render(request, "cases/my_cases.html", {"cases": [(c, _title(c)) for c in cases], "drafts": rows})


def _title(case: Case) -> str:
    try:
        return registry.get(case.procedure_key).title
    except registry.UnknownProcedure:
        return case.procedure_key


@citizen_required
def detail(request, public_id):
    case = _case_or_404(request, public_id)
    from amtsweg.payments.services import request_for_reference
    from amtsweg.postbox.services import deliveries_for_reference

    payment = request_for_reference(case.reference)
    open_requests = case.information_requests.filter(status=InformationRequest.Status.OPEN)
    follow_ups = []
    procedure = None
    with contextlib.suppress(registry.UnknownProcedure):
        procedure = registry.get(case.procedure_key)
    for expected in case.follow_ups.all():
        spec = procedure.follow_up(expected.key) if procedure else None
        follow_ups.append({"expected": expected, "title": spec.title if spec else expected.key})
    return render(
        request,
        "cases/detail.html",
        {
            "case": case,
            "title": _title(case),
            "parts": case.parts.select_related("authority"),
            "timeline": services.citizen_timeline(case),
            "deliveries": deliveries_for_reference(case.reference),
            "messages_list": _messages_for(request.user, case),
            "payment": payment,
            "open_requests": open_requests,
            "follow_ups": follow_ups,
            "decisions": case.decisions.all(),
            "withdrawable": services.withdrawable(case),
            "has_copy": Draft.objects.for_citizen(request.user).filter(case=case).exists(),
            "states": states.State,
            "procedure_links": procedure.case_links(case) if procedure else [],
        },
    )


def _messages_for(user, case):
    from amtsweg.postbox.models import Message

    return Message.objects.for_citizen(user).filter(reference=case.reference).order_by("-created_at")[:50]


@citizen_required
def after_payment(request, public_id):
    case = _case_or_404(request, public_id)
    return HttpResponseRedirect(reverse("cases:detail", args=[case.public_id]), status=303)


@citizen_required
@require_POST
def withdraw(request, public_id):
    case = _case_or_404(request, public_id)
    try:
        services.withdraw(case, request.user)
    except services.CaseError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Ihr Antrag wurde zurückgezogen."))
    return HttpResponseRedirect(reverse("cases:detail", args=[case.public_id]), status=303)


@citizen_required
def copy(request, public_id):
    case = _case_or_404(request, public_id)
    draft = get_object_or_404(Draft.objects.for_citizen(request.user), case=case)
    procedure = _procedure_or_404(case.procedure_key)
    values = services.draft_values(draft)
    return render(
        request,
        "cases/copy.html",
        {"case": case, "procedure": procedure, "rows": procedure.summary(values), "draft": draft},
    )


# --- follow-up questions and later submissions ------------------------------------------------------------


def _prefill_from_copy(request, case) -> dict:
    draft = Draft.objects.for_citizen(request.user).filter(case=case).first()
    return services.draft_values(draft) if draft is not None else {}


@citizen_required
@require_http_methods(["GET", "POST"])
def answer(request, public_id, request_id):
    case = _case_or_404(request, public_id)
    inquiry = get_object_or_404(
        InformationRequest.objects.for_citizen(request.user), pk=request_id, case=case
    )
    procedure = _procedure_or_404(case.procedure_key)
    items = services.requested_fields(inquiry)
    plain = [item for item in items if item.kind != "file"]
    errors = {}
    if request.method == "POST":
        if inquiry.status != InformationRequest.Status.OPEN:
            messages.error(request, _("Diese Rückfrage ist bereits beantwortet."))
            return HttpResponseRedirect(reverse("cases:detail", args=[case.public_id]), status=303)
        posted = [
            name for name in list(request.POST) + list(request.FILES) if procedure.field(name) is not None
        ]
        form = step_form(procedure, plain, data=request.POST)
        if form.is_valid():
            try:
                services.answer_information_request(
                    inquiry,
                    request.user,
                    form.cleaned_data,
                    posted,
                    {name: request.FILES.getlist(name) for name in request.FILES},
                )
            except (services.CaseError, UploadRefused) as exc:
                message = getattr(exc, "message", str(exc))
                if isinstance(exc, services.CaseError) and not exc.errors and "nachgeforderten" in message:
                    return HttpResponseBadRequest(message)
                messages.error(request, message)
                errors = getattr(exc, "errors", {})
            else:
                messages.success(request, _("Vielen Dank, Ihre Antwort ist bei der Behörde eingegangen."))
                return HttpResponseRedirect(reverse("cases:detail", args=[case.public_id]), status=303)
        status = 422
    else:
        values = _prefill_from_copy(request, case)
        form = step_form(
            procedure, plain, initial={item.name: from_json(item, values.get(item.name)) for item in plain}
        )
        status = 200
    return render(
        request,
        "cases/answer.html",
        {
            "case": case,
            "inquiry": inquiry,
            "form": form,
            "file_fields": [i for i in items if i.kind == "file"],
            "errors": errors,
        },
        status=status,
    )


@citizen_required
@require_http_methods(["GET", "POST"])
def follow_up(request, public_id, key):
    case = _case_or_404(request, public_id)
    procedure = _procedure_or_404(case.procedure_key)
    spec = procedure.follow_up(key)
    expected = FollowUpSubmission.objects.filter(case=case, key=key).first()
    if spec is None or expected is None:
        raise Http404(_("Für diesen Vorgang wird keine solche Nachreichung erwartet."))
    items = [f for s in spec.steps for f in s.fields]
    plain = [item for item in items if item.kind != "file"]
    if request.method == "POST":
        form = step_form(procedure, plain, data=request.POST)
        if form.is_valid():
            try:
                services.submit_follow_up(
                    case,
                    request.user,
                    key,
                    form.cleaned_data,
                    {n: request.FILES.getlist(n) for n in request.FILES},
                )
            except (services.CaseError, UploadRefused) as exc:
                messages.error(request, getattr(exc, "message", str(exc)))
            else:
                messages.success(request, _("Ihre Nachreichung ist eingegangen."))
                return HttpResponseRedirect(reverse("cases:detail", args=[case.public_id]), status=303)
        status = 422
    else:
        form = step_form(procedure, plain)
        status = 200
    return render(
        request,
        "cases/follow_up.html",
        {
            "case": case,
            "spec": spec,
            "expected": expected,
            "form": form,
            "file_fields": [i for i in items if i.kind == "file"],
        },
        status=status,
    )
