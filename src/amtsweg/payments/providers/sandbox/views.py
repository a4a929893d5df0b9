"""SANDBOX gateway HTTP interface: API for the merchant (signed) and the hosted payment page for the payer."""

from __future__ import annotations

import json
import logging
from datetime import date
from functools import wraps
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from amtsweg.payments import signing
from amtsweg.payments.money import format_cents
from amtsweg.payments.providers.sandbox import conf, gateway
from amtsweg.payments.providers.sandbox.models import SandboxTransaction
from amtsweg.payments.references import is_valid_iban, normalise

logger = logging.getLogger("amtsweg.payments.sandbox")


def sandbox_only(view):
    """Outside demo/test mode (or AMTSWEG_SANDBOX_PAYMENT=1) every sandbox URL is a 404."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not conf.enabled():
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def merchant_signed(view):
    """API calls must carry the merchant's HMAC signature (over the body, or 'METHOD path' for GET)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        signed = request.body if request.method == "POST" else f"{request.method} {request.path}".encode()
        try:
            signing.verify(
                conf.secret(),
                signed,
                request.headers.get(f"{conf.SIGNATURE_PREFIX}-Timestamp"),
                request.headers.get(f"{conf.SIGNATURE_PREFIX}-Signature"),
            )
        except signing.SignatureError as exc:
            logger.warning("SANDBOX: unsigned API call refused", extra={"path": request.path})
            return JsonResponse({"error": str(exc)}, status=403)
        return view(request, *args, **kwargs)

    return wrapper


def _json_body(request):
    try:
        return json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        return None


@csrf_exempt
@sandbox_only
@require_POST
@merchant_signed
def api_create(request):
    try:
        tx = gateway.create_transaction(_json_body(request))
    except gateway.GatewayError as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    payment_url = conf.gateway_url() + f"/{tx.id}/"
    return JsonResponse({**gateway.as_json(tx), "payment_url": payment_url}, status=201)


@sandbox_only
@require_GET
@merchant_signed
def api_status(request, tx_id):
    tx = get_object_or_404(SandboxTransaction, pk=tx_id)
    return JsonResponse(gateway.as_json(tx))


@csrf_exempt
@sandbox_only
@require_POST
@merchant_signed
def api_refund(request, tx_id):
    tx = get_object_or_404(SandboxTransaction, pk=tx_id)
    data = _json_body(request)
    if not isinstance(data, dict):
        return JsonResponse({"error": "JSON-Objekt erwartet"}, status=400)
    try:
        tx = gateway.refund(tx, data.get("amount_cents"), data.get("refund_id"))
    except gateway.GatewayError as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    return JsonResponse(gateway.as_json(tx))


# --- Hosted payment page --------------------------------------------------------------------------


class CardForm(forms.Form):
    number = forms.CharField(label=_("Kartennummer"), max_length=30)
    expiry = forms.CharField(label=_("Gültig bis (MM/JJ)"), max_length=5)
    cvc = forms.CharField(label=_("Prüfnummer (CVC)"), max_length=4)
    holder = forms.CharField(label=_("Name auf der Karte"), max_length=100)

    def clean_number(self):
        number = "".join(self.cleaned_data["number"].split())
        if not number.isdigit() or not 12 <= len(number) <= 19 or not gateway.luhn_ok(number):
            raise ValidationError(_("Die Kartennummer ist ungültig."))
        if number not in gateway.CARDS:
            raise ValidationError(_("Im Testbetrieb sind nur die angegebenen Testkarten zugelassen."))
        return number

    def clean_expiry(self):
        value = self.cleaned_data["expiry"].strip()
        try:
            month, year = value.split("/")
            month, year = int(month), 2000 + int(year)
            valid = 1 <= month <= 12 and (year, month) >= (date.today().year, date.today().month)
        except ValueError:
            valid = False
        if not valid:
            raise ValidationError(_("Bitte ein Ablaufdatum in der Zukunft im Format MM/JJ angeben."))
        return value

    def clean_cvc(self):
        value = self.cleaned_data["cvc"].strip()
        if not value.isdigit() or len(value) not in (3, 4):
            raise ValidationError(_("Die Prüfnummer hat 3 oder 4 Ziffern."))
        return value


class SepaForm(forms.Form):
    holder = forms.CharField(label=_("Kontoinhaber/in"), max_length=100)
    iban = forms.CharField(label=_("IBAN"), max_length=42)
    mandate = forms.BooleanField(label=_("Ich erteile das SEPA-Lastschriftmandat (Test)."))

    def clean_iban(self):
        iban = normalise(self.cleaned_data["iban"])
        if not is_valid_iban(iban):
            raise ValidationError(_("Die IBAN ist ungültig."))
        return iban


def _back_to_merchant(tx: SandboxTransaction) -> HttpResponseRedirect:
    # The merchant's own return URL, registered (and checked) when the transaction was created.
    separator = "&" if "?" in tx.return_url else "?"
    return HttpResponseRedirect(
        tx.return_url + separator + urlencode({"sandbox_tx": str(tx.id), "ergebnis": tx.status}), status=303
    )


@never_cache
@sandbox_only
@require_http_methods(["GET", "POST"])
def hosted_page(request, tx_id):
    tx = get_object_or_404(SandboxTransaction, pk=tx_id)
    status = gateway.current_status(tx)
    card_form, sepa_form = CardForm(prefix="card"), SepaForm(prefix="sepa")
    error = ""
    if request.method == "POST" and status == "open":
        method = request.POST.get("method")
        try:
            if method == "card":
                card_form = CardForm(request.POST, prefix="card")
                if card_form.is_valid():
                    gateway.pay_card(tx, card_form.cleaned_data["number"])
                    return _back_to_merchant(tx)
            elif method == "sepa":
                sepa_form = SepaForm(request.POST, prefix="sepa")
                if sepa_form.is_valid():
                    gateway.pay_sepa(tx, sepa_form.cleaned_data["iban"])
                    return _back_to_merchant(tx)
            elif method == "paypal":
                gateway.pay_paypal(tx, approve=request.POST.get("decision") == "approve")
                return _back_to_merchant(tx)
            elif method == "cancel":
                gateway.cancel(tx)
                return _back_to_merchant(tx)
            else:
                error = _("Bitte wählen Sie eine Zahlart.")
        except gateway.GatewayError as exc:
            error = str(exc)
        tx.refresh_from_db()
        status = tx.status
    return render(
        request,
        "payments/sandbox/pay.html",
        {
            "tx": tx,
            "status": status,
            "amount": format_cents(tx.amount_cents),
            "card_form": card_form,
            "sepa_form": sepa_form,
            "error": error,
            "open": status == "open",
            "return_url": tx.return_url,
        },
        status=400 if (request.method == "POST" and status == "open") else 200,
    )


@sandbox_only
@require_GET
def index(request):
    return render(request, "payments/sandbox/index.html", {"cards": gateway.CARDS})
