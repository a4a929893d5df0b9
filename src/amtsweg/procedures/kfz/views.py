"""Citizen pages of the i-Kfz dialogue. Thin views: parse, call `kfz.dialogue`, render.

Tenancy: dialogues are fetched through `Dialogue.objects.for_citizen(user)`, so another person's id is a 404.
Security codes: the vehicle view is marked sensitive (Django's error reports mask the POST fields) and the
code
inputs never echo a value back into the page.
"""

from __future__ import annotations

import datetime as dt
import functools

from django.contrib import messages
from django.db import OperationalError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from amtsweg.accounts.services import citizen_required, current_trust_level, require_trust_level
from amtsweg.cases.forms import from_json, step_form
from amtsweg.procedures import registry
from amtsweg.procedures.kfz import dialogue as service
from amtsweg.procedures.kfz.forms import CODE_FIELD_NAMES, ConfirmForm, VehicleForm
from amtsweg.procedures.kfz.models import Dialogue
from amtsweg.procedures.kfz.procedure import KFZ_KEYS
from amtsweg.vehicle_register import checks as rules
from amtsweg.vehicle_register.interface import RegisterError

DOWNLOAD_MINUTES = 30  # § 23 FZV: the read-only e-decision can be downloaded for 30 minutes


def register_errors(view):
    """The register is not reachable or refuses: a clear German page (503) instead of a server error."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except RegisterError as exc:
            return render(request, "kfz/unavailable.html", {"message": exc.message}, status=503)

    return wrapper


def _procedure(key):
    if key not in KFZ_KEYS:
        raise Http404(_("Dieses Onlineverfahren gibt es nicht."))
    return registry.get(key)


def _dialogue(request, pk) -> Dialogue:
    return get_object_or_404(Dialogue.objects.for_citizen(request.user), pk=pk)


def _steps(dialogue: Dialogue, current: int) -> list[dict]:
    titles = [_("Fahrzeug und Sicherheitscodes"), _("Angaben"), _("Prüfen und bezahlen")]
    done = [
        dialogue.codes_verified_at is not None,
        bool(dialogue.findings),
        dialogue.status != Dialogue.Status.OPEN,
    ]
    return [
        {"number": i + 1, "title": t, "current": i + 1 == current, "done": done[i]}
        for i, t in enumerate(titles)
    ]


def _route(dialogue: Dialogue):
    """Where a dialogue in this state belongs (None: the requested page is right)."""
    if dialogue.status == Dialogue.Status.ABORTED:
        return reverse("kfz:aborted", args=[dialogue.pk])
    if dialogue.status == Dialogue.Status.SUBMITTED:
        return reverse("kfz:result", args=[dialogue.pk])
    if dialogue.status in (Dialogue.Status.AWAITING_PAYMENT, Dialogue.Status.PAID):
        return reverse("kfz:submit", args=[dialogue.pk])
    return None


# --- start
# -----------------------------------------------------------------------------------------------------------


@never_cache
@citizen_required
@require_http_methods(["GET", "POST"])
def start(request, procedure_key):
    procedure = _procedure(procedure_key)
    if (response := require_trust_level(request, procedure.trust_level)) is not None:
        return response
    if request.method == "POST":
        try:
            dialogue = service.start(request.user, procedure.key)
        except (service.DialogueError, RegisterError) as exc:
            messages.error(request, exc.message)
            return HttpResponseRedirect(request.path, status=303)
        return HttpResponseRedirect(reverse("kfz:vehicle", args=[dialogue.pk]), status=303)
    return render(request, "kfz/start.html", {"procedure": procedure, "labels": _code_labels(procedure)})


def _code_labels(procedure) -> list[str]:
    from amtsweg.vehicle_register import codes

    return [str(codes.LABELS[kind]) for kind in procedure.code_kinds]


# --- step 1: vehicle and codes
# -------------------------------------------------------------------------------------


@never_cache
@register_errors
@sensitive_post_parameters(*CODE_FIELD_NAMES)
@sensitive_variables("form", "codes")
@citizen_required
@require_http_methods(["GET", "POST"])
def vehicle(request, pk):
    dialogue = _dialogue(request, pk)
    procedure = _procedure(dialogue.procedure_key)
    if (response := require_trust_level(request, procedure.trust_level)) is not None:
        return response
    if (target := _route(dialogue)) is not None:
        return HttpResponseRedirect(target, status=303)
    if dialogue.codes_verified_at is not None:
        return HttpResponseRedirect(reverse("kfz:details", args=[dialogue.pk]), status=303)
    status, problem = 200, ""
    if request.method == "POST":
        form = VehicleForm(procedure, request.POST)
        if form.is_valid():
            codes = form.security_codes()
            try:
                outcome = service.verify_vehicle(
                    dialogue,
                    plate=form.cleaned_data.get("kennzeichen", ""),
                    vin=form.cleaned_data.get("fin", ""),
                    zb2_number=form.cleaned_data.get("zb2_nummer", ""),
                    codes=codes,
                )
            except (service.DialogueError, RegisterError) as exc:
                messages.error(request, exc.message)
                return HttpResponseRedirect(_route(dialogue) or request.path, status=303)
            if outcome.ok:
                messages.success(request, outcome.message)
                return HttpResponseRedirect(reverse("kfz:details", args=[dialogue.pk]), status=303)
            if outcome.aborted:
                messages.error(request, outcome.message)
                return HttpResponseRedirect(reverse("kfz:aborted", args=[dialogue.pk]), status=303)
            problem = outcome.message
            for name, message in outcome.errors.items():
                if name in form.fields:
                    form.add_error(name, message)
        status = 422
        dialogue.refresh_from_db()
    else:
        form = VehicleForm(procedure)
    return render(
        request,
        "kfz/vehicle.html",
        {
            "procedure": procedure,
            "dialogue": dialogue,
            "form": form,
            "problem": problem,
            "corrections_left": rules.corrections_left(dialogue.wrong_entries),
            "wrong_entries": dialogue.wrong_entries,
            "steps": _steps(dialogue, 1),
        },
        status=status,
    )


# --- step 2: details
# -----------------------------------------------------------------------------------------------


def _prefill(procedure, user, data) -> dict:
    initial = {}
    for item in procedure.details_fields:
        if item.name in data:
            initial[item.name] = from_json(item, data.get(item.name))
        elif item.prefill == "full_name":
            initial[item.name] = f"{user.first_name} {user.last_name}".strip()
        elif item.prefill:
            initial[item.name] = getattr(user, item.prefill, "") or ""
    if "kennzeichen_wahl" in {f.name for f in procedure.details_fields} and "kennzeichen_wahl" not in initial:
        initial["kennzeichen_wahl"] = (
            "reserviert"
            if procedure.key == "kfz-wiederzulassung"
            else ("neu" if procedure.key == "kfz-neuzulassung" else "behalten")
        )
    if procedure.key == "kfz-ausserbetriebsetzung" and not initial.get("reservierung_monate"):
        initial["reservierung_monate"] = 12
    return initial


@never_cache
@register_errors
@citizen_required
@require_http_methods(["GET", "POST"])
def details(request, pk):
    dialogue = _dialogue(request, pk)
    procedure = _procedure(dialogue.procedure_key)
    if (response := require_trust_level(request, procedure.trust_level)) is not None:
        return response
    if (target := _route(dialogue)) is not None:
        return HttpResponseRedirect(target, status=303)
    if dialogue.codes_verified_at is None:
        return HttpResponseRedirect(reverse("kfz:vehicle", args=[dialogue.pk]), status=303)
    data = service.values(dialogue)
    record = service.record_for(dialogue)
    candidates, status = [], 200
    if request.method == "POST":
        form = step_form(procedure, procedure.details_fields, data=request.POST)
        if form.is_valid():
            try:
                service.save_details(
                    dialogue,
                    request.user,
                    form.cleaned_data,
                    district_choice=request.POST.get("bezirk_wahl", ""),
                )
            except service.NeedsDistrictChoice as exc:
                candidates = exc.candidates
                form.add_error(None, exc.message)
            except service.DialogueError as exc:
                for name, message in exc.errors.items():
                    form.add_error(name if name in form.fields else None, message)
                if not exc.errors:
                    form.add_error(None, exc.message)
            else:
                return HttpResponseRedirect(reverse("kfz:review", args=[dialogue.pk]), status=303)
        status = 422
    else:
        form = step_form(procedure, procedure.details_fields, initial=_prefill(procedure, request.user, data))
    return render(
        request,
        "kfz/details.html",
        {
            "procedure": procedure,
            "dialogue": dialogue,
            "record": record,
            "form": form,
            "candidates": candidates,
            "steps": _steps(dialogue, 2),
        },
        status=status,
    )


# --- step 3: review, confirm, pay
# ------------------------------------------------------------------------------------


def _summary(procedure, data, record) -> list[tuple[str, str]]:
    from amtsweg.cases.forms import display_value

    rows = []
    if record.plate:
        rows.append((_("Kennzeichen"), record.plate))
    rows.append((_("Fahrzeug"), f"{record.make} {record.model} · FIN {record.vin}"))
    for item in procedure.details_fields:
        value = data.get(item.name)
        if value in (None, "", []) and item.name in ("wunschkennzeichen", "reservierung_monate"):
            continue
        shown = display_value(item, value)
        if item.name == "iban" and value:
            shown = f"{value[:4]} **** **** {value[-4:]}"
        rows.append((str(item.label), shown))
    return rows


@never_cache
@register_errors
@citizen_required
@require_http_methods(["GET", "POST"])
def review(request, pk):
    dialogue = _dialogue(request, pk)
    procedure = _procedure(dialogue.procedure_key)
    if (response := require_trust_level(request, procedure.trust_level)) is not None:
        return response
    if (target := _route(dialogue)) is not None:
        return HttpResponseRedirect(target, status=303)
    data = service.values(dialogue)
    if dialogue.codes_verified_at is None or not data.get("_details"):
        return HttpResponseRedirect(
            reverse("kfz:details" if dialogue.codes_verified_at else "kfz:vehicle", args=[dialogue.pk]),
            status=303,
        )
    review_data = service.review_for(dialogue, request.user)
    status = 200
    if request.method == "POST":
        form = ConfirmForm(request.POST)  # any amount the browser sends is ignored: the fee is computed here
        if form.is_valid() and review_data.quote is not None:
            try:
                payment_request = service.request_payment(
                    dialogue, request.user, current_trust_level(request) or "niedrig"
                )
            except service.DialogueError as exc:
                messages.error(request, exc.message)
                return HttpResponseRedirect(request.path, status=303)
            return HttpResponseRedirect(
                reverse("payments:request", args=[payment_request.public_id]), status=303
            )
        status = 422
    else:
        form = ConfirmForm()
    return render(
        request,
        "kfz/review.html",
        {
            "procedure": procedure,
            "dialogue": dialogue,
            "record": service.record_for(dialogue),
            "rows": _summary(procedure, data, service.record_for(dialogue)),
            "review": review_data,
            "form": form,
            "steps": _steps(dialogue, 3),
        },
        status=status,
    )


@citizen_required
@require_POST
def abort(request, pk):
    dialogue = _dialogue(request, pk)
    try:
        service.abort(dialogue)
    except service.DialogueError as exc:
        messages.error(request, exc.message)
        return HttpResponseRedirect(_route(dialogue) or reverse("kfz:review", args=[dialogue.pk]), status=303)
    return HttpResponseRedirect(reverse("kfz:aborted", args=[dialogue.pk]), status=303)


@never_cache
@citizen_required
@require_GET
def aborted(request, pk):
    dialogue = Dialogue.objects.for_citizen(request.user).filter(pk=pk).first()
    if dialogue is None and Dialogue.objects.filter(pk=pk).exists():
        raise Http404  # another person's application
    if dialogue is not None and dialogue.status != Dialogue.Status.ABORTED:
        return HttpResponseRedirect(
            _route(dialogue) or reverse("kfz:vehicle", args=[dialogue.pk]), status=303
        )
    # Thirty minutes after the abort the dialogue is gone: the page still answers, without details.
    return render(
        request,
        "kfz/aborted.html",
        {"dialogue": dialogue, "procedure": registry.get(dialogue.procedure_key) if dialogue else None},
    )


# --- after payment: submit
# --------------------------------------------------------------------------------------------


@never_cache
@register_errors
@citizen_required
@require_http_methods(["GET", "POST"])
def submit(request, pk):
    dialogue = _dialogue(request, pk)
    procedure = _procedure(dialogue.procedure_key)
    if dialogue.status == Dialogue.Status.SUBMITTED:
        return HttpResponseRedirect(reverse("kfz:result", args=[dialogue.pk]), status=303)
    if dialogue.status in (Dialogue.Status.OPEN, Dialogue.Status.ABORTED):
        return HttpResponseRedirect(_route(dialogue) or reverse("kfz:review", args=[dialogue.pk]), status=303)
    payment_request = service.payment_request_of(dialogue)
    error = ""
    if request.method == "POST":
        try:
            service.submit(dialogue)
        except service.DialogueError as exc:
            error = exc.message
        except OperationalError:
            from amtsweg.procedures.kfz.tasks import submit_paid_dialogue

            submit_paid_dialogue.enqueue(str(dialogue.pk))
            error = _(
                "Die Übermittlung ist gerade stark ausgelastet. Ihr bezahlter Antrag wird in wenigen "
                "Augenblicken automatisch übermittelt; laden Sie diese Seite dann neu."
            )
        else:
            return HttpResponseRedirect(reverse("kfz:result", args=[dialogue.pk]), status=303)
    paid = payment_request is not None and payment_request.state == "paid"
    return render(
        request,
        "kfz/submit.html",
        {
            "procedure": procedure,
            "dialogue": dialogue,
            "payment_request": payment_request,
            "paid": paid,
            "error": error,
        },
        status=422 if error else 200,
    )


# --- result
# ------------------------------------------------------------------------------------------------------------


def _documents(request, dialogue):
    """Delivered documents of the case (decision, proof, receipt) with the postbox message to open them."""
    from amtsweg.postbox.models import Message

    case = dialogue.case
    if case is None:
        return []
    rows = []
    for message in (
        Message.objects.for_citizen(request.user)
        .filter(reference=case.reference)
        .prefetch_related("documents")
    ):
        for document in message.documents.all():
            rows.append({"document": document, "message": message})
    order = {"bescheid": 0, "zulassungsnachweis": 1}
    return sorted(rows, key=lambda r: (order.get(r["document"].doc_type, 9), r["document"].issued_on))


def _result_context(request, dialogue):
    case = dialogue.case
    procedure = registry.get(dialogue.procedure_key)
    documents = _documents(request, dialogue)
    expected = (
        1
        + (1 if case and case.decided_automatically else 0)
        + (1 if case and case.decided_automatically and procedure.issues_proof else 0)
    )
    decided_at = case.decided_at if case else None
    return {
        "procedure": procedure,
        "dialogue": dialogue,
        "case": case,
        "failed": [c for c in (case.check_results if case else []) if not c.get("passed")],
        "documents": documents,
        "waiting": case is not None and len(documents) < expected,
        "download_open": bool(
            decided_at and timezone.now() - decided_at <= dt.timedelta(minutes=DOWNLOAD_MINUTES)
        ),
        "dispatch": getattr(case, "kfz_dispatch", None).first() if case else None,
        "proof": getattr(case, "kfz_proof", None) if case and hasattr(case, "kfz_proof") else None,
        "register": _register_outcome(dialogue, case),
    }


def _register_outcome(dialogue, case) -> dict:
    """What the register did (plate, reservation) for the result page; {} when nothing changed."""
    if case is None or not case.decided_automatically:
        return {}
    from amtsweg.vehicle_register.services import get_register

    result = get_register().operation(dialogue.operation_id)
    if result is None:
        return {}
    until = result.detail.get("reserved_until")
    return {
        "plate": result.detail.get("plate", ""),
        "reserved_until": dt.date.fromisoformat(until) if until else None,
    }


@never_cache
@register_errors
@citizen_required
@require_GET
def result(request, pk):
    dialogue = _dialogue(request, pk)
    if dialogue.status != Dialogue.Status.SUBMITTED or dialogue.case is None:
        return HttpResponseRedirect(
            _route(dialogue) or reverse("kfz:vehicle", args=[dialogue.pk]), status=303
        )
    return render(request, "kfz/result.html", _result_context(request, dialogue))


@never_cache
@register_errors
@citizen_required
@require_GET
def result_documents(request, pk):
    """htmx: the documents block, polled until the sealed documents are in the postbox."""
    dialogue = _dialogue(request, pk)
    if dialogue.case is None:
        target = _route(dialogue) or reverse("kfz:vehicle", args=[dialogue.pk])
        return HttpResponseRedirect(target, status=303)
    return render(request, "kfz/_documents.html", _result_context(request, dialogue))
