"""Staff pages: terminal registration (authority administrators), the video queue and call page, and the
assisted filing form (assisted-service operators). All under /verwaltung/ (second factor, tenancy)."""

from __future__ import annotations

import base64
import binascii
import json
import uuid

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from amtsweg.accounts.tenancy import authorities_for, staff_required
from amtsweg.assisted import filing
from amtsweg.assisted.models import Site
from amtsweg.cases import services as cases
from amtsweg.cases import uploads
from amtsweg.cases.forms import step_form, to_json
from amtsweg.kiosk import services
from amtsweg.kiosk.models import CallDocument, Terminal, VideoRequest
from amtsweg.kiosk.views import ice_servers, signal_exchange
from amtsweg.procedures import registry

ADMIN = services.ADMIN_ROLE
OPERATOR = services.OPERATOR_ROLE


# --- terminals -------------------------------------------------------------------------------------------


@staff_required(role=ADMIN)
@require_http_methods(["GET", "POST"])
def terminals(request):
    sites = Site.objects.for_staff(request.user, ADMIN).filter(kind=Site.Kind.TERMINAL).order_by("name")
    new_token = None
    error = ""
    if request.method == "POST":
        site = (
            sites.filter(pk=request.POST.get("standort") or 0).first()
            if ((request.POST.get("standort") or "").isdigit())
            else None
        )
        if site is None:
            error = _("Bitte wählen Sie einen Standort Ihrer Behörde.")
        else:
            try:
                _terminal, new_token = services.register_terminal(
                    site, request.POST.get("name", ""), request.user
                )
            except services.KioskError as exc:
                error = exc.message
    rows = Terminal.objects.for_staff(request.user, ADMIN).select_related("site")
    return render(
        request,
        "kiosk/staff/terminals.html",
        {"sites": sites, "terminals": rows, "new_token": new_token, "error": error},
        status=422 if error else 200,
    )


@staff_required(role=ADMIN)
@require_POST
def revoke(request, public_id):
    terminal = get_object_or_404(Terminal.objects.for_staff(request.user, ADMIN), public_id=public_id)
    services.revoke_terminal(terminal, request.user)
    messages.success(request, _("Das Terminal „%(name)s“ ist gesperrt.") % {"name": terminal.name})
    return HttpResponseRedirect(reverse("kiosk_staff:terminals"))


# --- video -----------------------------------------------------------------------------------------------


@staff_required(role=OPERATOR)
def video_queue(request):
    services.mark_present(request.user)
    return render(request, "kiosk/staff/video_queue.html", {"queue": services.queue_for(request.user)})


@staff_required(role=OPERATOR)
def video_queue_json(request):
    services.mark_present(request.user)
    return JsonResponse(
        {
            "queue": [
                {
                    "id": str(v.public_id),
                    "site": v.terminal.site.name,
                    "topic": v.topic,
                    "since": v.created_at.isoformat(),
                    "accept": reverse("kiosk_staff:video_accept", args=[v.public_id]),
                }
                for v in services.queue_for(request.user)
            ]
        }
    )


def _staff_video(request, public_id) -> VideoRequest:
    return get_object_or_404(VideoRequest.objects.for_staff(request.user, OPERATOR), public_id=public_id)


@staff_required(role=OPERATOR)
@require_POST
def video_accept(request, public_id):
    video = _staff_video(request, public_id)
    try:
        services.accept(video, request.user)
    except services.KioskError as exc:
        messages.error(request, exc.message)
        return HttpResponseRedirect(reverse("kiosk_staff:video_queue"))
    return HttpResponseRedirect(reverse("kiosk_staff:video_call", args=[video.public_id]))


def _my_call(request, public_id) -> VideoRequest:
    video = _staff_video(request, public_id)
    if video.accepted_by_id != request.user.pk:
        raise Http404
    return video


@staff_required(role=OPERATOR)
def video_call(request, public_id):
    video = _my_call(request, public_id)
    return render(
        request,
        "kiosk/staff/video_call.html",
        {
            "video": video,
            "documents": video.documents.select_related("case"),
            "ice_servers": json.dumps(ice_servers()),
        },
    )


@staff_required(role=OPERATOR)
@require_http_methods(["GET", "POST"])
def video_signal(request, public_id):
    services.mark_present(request.user)
    return signal_exchange(request, _my_call(request, public_id), "staff")


@staff_required(role=OPERATOR)
@require_POST
def video_end(request, public_id):
    services.end(_my_call(request, public_id), by_staff=request.user)
    messages.success(request, _("Das Gespräch ist beendet."))
    return HttpResponseRedirect(reverse("kiosk_staff:video_queue"))


@staff_required(role=OPERATOR)
@require_POST
def video_attach(request, public_id):
    video = _my_call(request, public_id)
    upload = request.FILES.get("dokument")
    if upload is None:
        messages.error(request, _("Bitte wählen Sie eine Datei aus."))
    else:
        try:
            services.attach_document(video, request.user, upload, request.POST.get("vorgang", ""))
        except (services.KioskError, uploads.UploadRefused) as exc:
            messages.error(request, getattr(exc, "message", str(exc)))
        else:
            messages.success(request, _("Das Dokument ist verschlüsselt gespeichert."))
    return HttpResponseRedirect(reverse("kiosk_staff:video_call", args=[video.public_id]))


@staff_required
def call_document(request, document_id):
    document = get_object_or_404(CallDocument.objects.select_related("request", "case"), pk=document_id)
    try:
        meta, content = services.read_document(document, request.user)
    except services.KioskError:
        raise Http404 from None
    response = HttpResponse(content, content_type=meta.get("type") or "application/octet-stream")
    response["Content-Disposition"] = 'attachment; filename="dokument"'
    return response


# --- assisted filing -------------------------------------------------------------------------------------


def _procedures_for(user):
    return sorted(registry.all_procedures(), key=lambda p: str(p.title))


@staff_required(role=OPERATOR)
def filing_start(request):
    return render(request, "kiosk/staff/filing_start.html", {"procedures": _procedures_for(request.user)})


def _signature_bytes(data_url: str) -> bytes | None:
    prefix = "data:image/png;base64,"
    if not data_url or not data_url.startswith(prefix):
        return None
    try:
        return base64.b64decode(data_url[len(prefix) :], validate=True)
    except (binascii.Error, ValueError):
        return b"invalid"


@staff_required(role=OPERATOR)
@require_http_methods(["GET", "POST"])
def filing_form(request, procedure_key):
    try:
        procedure = registry.get(procedure_key)
    except registry.UnknownProcedure:
        raise Http404 from None
    fields = [f for f in procedure.all_fields() if f.kind != "file"]
    file_fields = [f for f in procedure.all_fields() if f.kind == "file"]
    sites = Site.objects.for_staff(request.user, OPERATOR).order_by("name")
    data = request.POST if request.method == "POST" else None
    form = step_form(procedure, fields, data=data)
    problems: dict = {}
    message = ""
    if request.method == "POST":
        key = request.POST.get("schluessel") or ""
        if form.is_valid():
            values = {item.name: to_json(item, form.cleaned_data.get(item.name)) for item in fields}
            files = [(f.name, upload) for f in file_fields for upload in request.FILES.getlist(f.name)]
            site = (
                sites.filter(pk=request.POST.get("standort")).first()
                if request.POST.get("standort", "").isdigit()
                else None
            )
            try:
                case, _created = filing.file_for_citizen(
                    procedure.key,
                    values,
                    operator=request.user,
                    identification=request.POST.get("identifizierung", ""),
                    consent_given=request.POST.get("einwilligung") == "ja",
                    signature_png=_signature_bytes(request.POST.get("unterschrift", "")),
                    channel="terminal",
                    idempotency_key=key,
                    files=files,
                    site=site,
                )
            except (cases.CaseError, uploads.UploadRefused) as exc:
                message = getattr(exc, "message", str(exc))
                problems = getattr(exc, "errors", {}) or {}
                for name, msgs in problems.items():
                    if name in form.fields:
                        for text in msgs:
                            form.add_error(name, text)
            else:
                return HttpResponseRedirect(
                    reverse("kiosk_staff:filing_receipt", args=[case.assisted_filing.pk])
                )
        else:
            message = _("Einige Angaben fehlen oder sind nicht korrekt. Die Stellen sind markiert.")
    else:
        key = str(uuid.uuid4())
    return render(
        request,
        "kiosk/staff/filing_form.html",
        {
            "procedure": procedure,
            "form": form,
            "file_fields": file_fields,
            "sites": sites,
            "key": key,
            "message": message,
            "problems": problems,
            "post": request.POST,
        },
        status=422 if message else 200,
    )


@staff_required(role=OPERATOR)
def filing_receipt(request, pk):
    from amtsweg.assisted.models import AssistedFiling

    record = get_object_or_404(
        AssistedFiling.objects.for_staff(request.user, OPERATOR).select_related("case"),
        pk=pk,
    )
    return render(request, "kiosk/receipt.html", filing.receipt_context(record.case))


def operator_authorities(user):
    return authorities_for(user, OPERATOR)
