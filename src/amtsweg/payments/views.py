"""Thin views: parse input, call services, render. Citizens see only their own payments (404 otherwise)."""

from __future__ import annotations

import logging
from datetime import date

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from amtsweg.accounts.tenancy import authorities_for, citizen_required, staff_required
from amtsweg.payments import services
from amtsweg.payments.camt import CamtError, import_camt053, resolve_entry
from amtsweg.payments.fees import FeeError
from amtsweg.payments.models import (
    BankEntry,
    BankEntryStatus,
    PayeeAccount,
    Payment,
    PaymentRequest,
    PaymentState,
)
from amtsweg.payments.references import format_rf

logger = logging.getLogger("amtsweg.payments")

MAX_CAMT_UPLOAD = 10 * 1024 * 1024


# --- Citizen pages ----------------------------------------------------------------------------------


def _own_request(request, public_id) -> PaymentRequest:
    return get_object_or_404(PaymentRequest.objects.for_citizen(request.user), public_id=public_id)


def _page_state(payment_request: PaymentRequest) -> dict:
    """What the citizen sees: paid / pending / failed / transfer / open (+ the attempt it refers to)."""
    latest = services.latest_payment(payment_request)
    transfer = payment_request.payments.filter(provider="ueberweisung", state=PaymentState.PENDING).first()
    if payment_request.state == "paid":
        state = "paid"
    elif payment_request.state == "cancelled":
        state = "cancelled"
    elif (
        latest
        and latest.state in (PaymentState.PENDING, PaymentState.CREATED)
        and latest.provider != "ueberweisung"
    ):
        state = "pending"
    elif latest and latest.state in (PaymentState.FAILED, PaymentState.CANCELLED, PaymentState.EXPIRED):
        state = "failed"
    elif transfer:
        state = "transfer"
    else:
        state = "open"
    return {"state": state, "latest": latest, "transfer": transfer}


def _context(payment_request: PaymentRequest) -> dict:
    page = _page_state(payment_request)
    transfer = page["transfer"]
    return {
        "pr": payment_request,
        **page,
        "methods": services.payment_methods(),
        "account": PayeeAccount.objects.filter(authority_id=payment_request.authority_id).first(),
        "transfer_reference": format_rf(transfer.provider_reference) if transfer else "",
        "poll": page["state"] == "pending",
    }


@never_cache
@citizen_required
@require_GET
def request_detail(request, public_id):
    payment_request = _own_request(request, public_id)
    return render(request, "payments/request.html", _context(payment_request))


@never_cache
@citizen_required
@require_GET
def status_fragment(request, public_id):
    """Polled by htmx while a payment is being confirmed; asks the provider now and then (users who wait)."""
    payment_request = _own_request(request, public_id)
    latest = services.latest_payment(payment_request)
    if latest and latest.state == PaymentState.PENDING:
        services.refresh_if_stale(latest)
        payment_request.refresh_from_db()
    return render(request, "payments/_status.html", _context(payment_request))


@citizen_required
@require_POST
def start(request, public_id):
    payment_request = _own_request(request, public_id)
    try:
        _payment, url = services.start_payment(
            payment_request, request.user, request.POST.get("anbieter", "")
        )
    except services.PaymentError as exc:
        messages.error(request, str(exc))
        return redirect("payments:request", public_id=payment_request.public_id)
    return HttpResponseRedirect(url, status=303)


@never_cache
@citizen_required
@require_GET
def payment_return(request, public_id):
    """Back from the provider. The query string is ignored: the provider is asked."""
    payment = get_object_or_404(Payment.objects.for_citizen(request.user), public_id=public_id)
    services.handle_return(request, payment)
    return HttpResponseRedirect(reverse("payments:request", args=[payment.request.public_id]), status=303)


@citizen_required
@require_GET
def girocode(request, public_id):
    payment_request = _own_request(request, public_id)
    transfer = get_object_or_404(
        payment_request.payments, provider="ueberweisung", state=PaymentState.PENDING
    )
    try:
        svg = services.epc_qr_svg(transfer)
    except services.PaymentError:
        raise Http404 from None
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=300"
    return response


@csrf_exempt  # server-to-server; authenticated by the provider's signature instead
@require_POST
def notify(request, provider):
    result = services.process_notification(provider, request)
    body = {"outcome": result.outcome}
    if result.reason:
        body["reason"] = result.reason
    return JsonResponse(body, status=result.http_status)


@require_GET
def fee_quote(request):
    """The fee before submission, computed by the same function the case uses (HTML fragment or JSON)."""
    from amtsweg.directory.models import Authority

    params = request.GET
    authority = None
    if params.get("behoerde"):
        authority = Authority.objects.filter(key=params["behoerde"][:100]).first()
    inputs = {}
    if "anzahl" in params:
        inputs["quantity"] = params.get("anzahl", "")[:10]
    if "posten" in params:
        inputs["items"] = [key[:100] for key in params.getlist("posten")[:50]]
    quote, error = None, ""
    try:
        if params.get("behoerde") and authority is None:
            raise FeeError(_("Diese Behörde ist nicht bekannt."))
        quote = services.quote_fee(
            params.get("verfahren", "")[:100], authority, params.get("variante", "")[:100], inputs
        )
    except FeeError as exc:
        error = str(exc)
    if params.get("format") == "json":
        if error:
            return JsonResponse({"error": error}, status=400)
        return JsonResponse(quote.as_dict())
    return render(request, "payments/_fee_quote.html", {"quote": quote, "error": error})


# --- Back office ----------------------------------------------------------------------------------


def _day(value: str | None) -> date:
    try:
        return date.fromisoformat(value) if value else timezone.localdate()
    except ValueError:
        return timezone.localdate()


def _staff_authority(request, role=None):
    authorities = authorities_for(request.user, role).order_by("name")
    key = request.GET.get("behoerde") or request.POST.get("behoerde")
    if key:
        return get_object_or_404(authorities, key=key[:100]), authorities
    authority = authorities.first()
    if authority is None:
        raise Http404
    return authority, authorities


@never_cache
@staff_required
@require_GET
def staff_summary(request):
    authority, authorities = _staff_authority(request)
    day = _day(request.GET.get("tag"))
    summary = services.daily_summary(authority, day)
    return render(
        request,
        "payments/staff_summary.html",
        {"summary": summary, "authority": authority, "authorities": authorities, "day": day},
    )


@never_cache
@staff_required
@require_GET
def staff_export(request):
    authority, _authorities = _staff_authority(request)
    day = _day(request.GET.get("tag"))
    response = HttpResponse(services.cash_office_csv(authority, day), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="kasse-{authority.key}-{day.isoformat()}.csv"'
    return response


def _back_to_summary(authority, day=None):
    query = f"?behoerde={authority.key}" + (f"&tag={day.isoformat()}" if day else "")
    return HttpResponseRedirect(reverse("payments:staff_summary") + query, status=303)


@staff_required(role="case_worker")
@require_POST
def staff_import(request):
    authority, _authorities = _staff_authority(request, "case_worker")
    upload = request.FILES.get("datei")
    if upload is None:
        messages.error(request, _("Bitte wählen Sie eine camt.053-Datei aus."))
    elif upload.size > MAX_CAMT_UPLOAD:
        messages.error(request, _("Die Datei ist zu groß (höchstens 10 MB)."))
    else:
        try:
            result = import_camt053(upload.read(), authority, by=request.user)
        except CamtError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request, _("Kontoauszug eingelesen: %(summary)s.") % {"summary": result.summary()}
            )
    return _back_to_summary(authority)


@staff_required(role="case_worker")
@require_POST
def staff_resolve(request, pk):
    entry = get_object_or_404(
        BankEntry.objects.for_staff(request.user, "case_worker"), pk=pk, status=BankEntryStatus.UNMATCHED
    )
    try:
        resolve_entry(entry, by=request.user, note=request.POST.get("vermerk", ""))
    except CamtError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Die Buchung ist als geklärt vermerkt."))
    return _back_to_summary(entry.authority)
