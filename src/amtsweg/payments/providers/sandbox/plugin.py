"""Our side of the SANDBOX provider: the plugin "sandbox". It talks to the gateway over HTTP only."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from amtsweg.payments import http, signing
from amtsweg.payments.providers.base import (
    InvalidNotification,
    PaymentProvider,
    ProviderError,
    ProviderStatus,
    ProviderUnavailable,
    StartResult,
    VerifiedNotification,
    register,
)
from amtsweg.payments.providers.sandbox import conf

# The gateway's words -> our PaymentState values ("open" = the citizen has not finished yet).
STATUS_MAP = {
    "open": "pending",
    "pending": "pending",
    "paid": "paid",
    "failed": "failed",
    "cancelled": "cancelled",
    "expired": "expired",
    "partially_refunded": "partially_refunded",
    "refunded": "refunded",
}
MAX_NOTIFICATION_BYTES = 16 * 1024


@register("sandbox")
class SandboxProvider(PaymentProvider):
    label = _("Testzahlung (SANDBOX)")
    description = _("Karte, PayPal-ähnlich oder SEPA-Lastschrift mit Testdaten – es fließt kein Geld.")
    is_sandbox = True

    def is_available(self) -> bool:
        return conf.enabled()

    # --- calls to the gateway ---------------------------------------------------------------------

    def _call(self, method: str, path: str, payload: dict | None = None) -> dict:
        url = conf.gateway_url() + path
        body = http.dumps(payload) if payload is not None else b""
        signed = body if payload is not None else f"{method} {urlsplit(url).path}".encode()
        headers = signing.signed_headers(conf.secret(), signed, prefix=conf.SIGNATURE_PREFIX)
        try:
            response = http.send(method, url, body=body if payload is not None else None, headers=headers)
        except http.TransportError as exc:
            raise ProviderUnavailable(str(exc)) from exc
        if response.status >= 500:
            raise ProviderUnavailable(f"SANDBOX HTTP {response.status}")
        try:
            data = response.json()
        except (ValueError, UnicodeDecodeError):
            raise ProviderError(f"SANDBOX: unlesbare Antwort (HTTP {response.status})") from None
        if not response.ok:
            raise ProviderError(str(data.get("error", f"HTTP {response.status}"))[:300])
        return data

    @staticmethod
    def _status(data: dict) -> ProviderStatus:
        state = STATUS_MAP.get(data.get("status"))
        if state is None:
            raise ProviderError("SANDBOX: unbekannter Status")
        return ProviderStatus(
            state=state,
            amount_cents=data.get("amount_cents"),
            refunded_cents=int(data.get("refunded_cents") or 0),
            provider_reference=str(data.get("id", "")),
            method=str(data.get("method", ""))[:50],
        )

    def start(self, payment, return_url: str) -> StartResult:
        notify_url = _platform_url(reverse("payments:notify", args=[self.key]))
        data = self._call(
            "POST",
            "/api/transaktionen/",
            {
                "merchant_reference": str(payment.public_id),
                "amount_cents": payment.amount_cents,
                "currency": payment.currency,
                "purpose": payment.request.purpose,
                "return_url": return_url,
                "notify_url": notify_url,
            },
        )
        payment_url = data.get("payment_url", "")
        if not isinstance(payment_url, str) or not payment_url.startswith(conf.gateway_url() + "/"):
            raise ProviderError("SANDBOX: unerwartete Weiterleitungsadresse")
        return StartResult(redirect_url=payment_url, provider_reference=str(data["id"]))

    def query_status(self, payment) -> ProviderStatus:
        return self._status(self._call("GET", f"/api/transaktionen/{payment.provider_reference}/"))

    def refund(self, payment, amount_cents: int, refund_id: str) -> ProviderStatus:
        data = self._call(
            "POST",
            f"/api/transaktionen/{payment.provider_reference}/erstattungen/",
            {"amount_cents": amount_cents, "refund_id": refund_id},
        )
        return self._status(data)

    # --- notifications from the gateway ---------------------------------------------------------------

    def verify_notification(self, request) -> VerifiedNotification:
        body = request.body
        if len(body) > MAX_NOTIFICATION_BYTES:
            raise InvalidNotification("zu groß", status=413)
        try:
            signing.verify(
                conf.secret(),
                body,
                request.headers.get(f"{conf.SIGNATURE_PREFIX}-Timestamp"),
                request.headers.get(f"{conf.SIGNATURE_PREFIX}-Signature"),
            )
        except signing.SignatureError as exc:
            raise InvalidNotification(str(exc), status=403) from exc
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            raise InvalidNotification("kein JSON", status=400) from None
        if not isinstance(data, dict):
            raise InvalidNotification("kein JSON-Objekt", status=400)
        notification_id, tx_id = data.get("notification_id"), data.get("transaction_id")
        amount, refunded = data.get("amount_cents"), data.get("refunded_cents", 0)
        if (
            not isinstance(notification_id, str)
            or not 0 < len(notification_id) <= 100
            or not isinstance(tx_id, str)
            or not 0 < len(tx_id) <= 100
            or data.get("status") not in STATUS_MAP
            or isinstance(amount, bool)
            or not isinstance(amount, int)
            or isinstance(refunded, bool)
            or not isinstance(refunded, int)
            or refunded < 0
        ):
            raise InvalidNotification("Felder fehlen oder sind ungültig", status=400)
        return VerifiedNotification(
            notification_id=notification_id,
            provider_reference=tx_id,
            status=self._status({**data, "id": tx_id}),
            payload=data,
        )


def _platform_url(path: str) -> str:
    from amtsweg.payments.services import callback_base_url

    return callback_base_url() + path
