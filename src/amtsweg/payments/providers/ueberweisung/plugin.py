"""The "ueberweisung" provider: the citizen transfers the money with a structured RF reference.

There is no external party to ask: settlement comes from the authority's bank statement (camt.053
import, see amtsweg.payments.camt). Refunds of transfers are made by a person (the entry is listed).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from amtsweg.payments.providers.base import PaymentProvider, ProviderError, StartResult, register
from amtsweg.payments.references import new_rf


@register("ueberweisung")
class TransferProvider(PaymentProvider):
    label = _("Überweisung")
    description = _(
        "Sie überweisen den Betrag mit der angegebenen Referenz, z. B. per GiroCode in Ihrer Banking-App."
    )
    supports_status_query = False
    supports_refund = False

    @property
    def pending_expiry(self):
        return timedelta(days=getattr(settings, "PAYMENTS_TRANSFER_EXPIRY_DAYS", 60))

    def is_available(self) -> bool:
        return True

    def start(self, payment, return_url: str) -> StartResult:
        from amtsweg.payments.models import PayeeAccount

        if not PayeeAccount.objects.filter(authority_id=payment.request.authority_id).exists():
            raise ProviderError(_("Für diese Behörde ist kein Empfängerkonto hinterlegt."))
        return StartResult(
            redirect_url=reverse("payments:request", args=[payment.request.public_id]),
            provider_reference=new_rf(),
            method="transfer",
        )
