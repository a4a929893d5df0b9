"""The payment provider interface and its registry.

A provider plugin is a subclass of `PaymentProvider` registered with ``@register("key")``.
The platform (``amtsweg.payments.services``) owns state, audit and idempotency; a plugin only
translates between our Payment and the provider's API. Shaped after what ePayBL-style platforms
offer: start a payment and get a redirect URL, come back on a return URL, receive signed
server-to-server notifications, query the status, refund. See docs/payments.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:  # pragma: no cover
    from django.http import HttpRequest

    from amtsweg.payments.models import Payment


class ProviderError(Exception):
    """The provider refused or failed; the message is German and safe to show to staff."""


class ProviderUnavailable(ProviderError):
    """The provider could not be reached; try again later (reconciliation will)."""


class RefundNotSupported(ProviderError):
    """This provider cannot pay money back automatically; a person has to (listed for review)."""


class InvalidNotification(Exception):
    """A notification failed verification (signature, timestamp, format). Nothing may change."""

    def __init__(self, reason: str, *, status: int = 403):
        super().__init__(reason)
        self.reason = reason
        self.status = status


@dataclass(frozen=True)
class ProviderStatus:
    """What the provider says about a payment, in our vocabulary (PaymentState values)."""

    state: str
    amount_cents: int | None = None
    refunded_cents: int = 0
    provider_reference: str = ""
    method: str = ""


@dataclass(frozen=True)
class StartResult:
    redirect_url: str
    provider_reference: str
    method: str = ""


@dataclass(frozen=True)
class VerifiedNotification:
    notification_id: str
    provider_reference: str
    status: ProviderStatus
    payload: dict = field(default_factory=dict)


class PaymentProvider:
    """Base class. Override the methods the provider supports; the flags tell the platform what to expect."""

    key: str = ""
    label = _("Zahlungsanbieter")
    description = ""
    is_sandbox = False
    #: the provider can be asked for a payment's status (used by the return page and reconciliation)
    supports_status_query = True
    #: the provider can refund automatically
    supports_refund = True
    #: a pending payment older than this is given up (expired) when the provider still has no result
    pending_expiry = timedelta(hours=24)

    def is_available(self) -> bool:
        return True

    def start(self, payment: Payment, return_url: str) -> StartResult:
        """Register the payment with the provider; return where to send the citizen."""
        raise NotImplementedError

    def handle_return(self, request: HttpRequest, payment: Payment) -> ProviderStatus | None:
        """The citizen came back. Never trust the return URL's parameters: ask the provider."""
        if not self.supports_status_query:
            return None
        return self.query_status(payment)

    def verify_notification(self, request: HttpRequest) -> VerifiedNotification:
        """Verify a server-to-server notification (signature over the raw body, timestamp window)
        and parse it. Raise InvalidNotification for anything that does not verify."""
        raise InvalidNotification("Dieser Anbieter sendet keine Benachrichtigungen.", status=404)

    def query_status(self, payment: Payment) -> ProviderStatus:
        raise NotImplementedError

    def refund(self, payment: Payment, amount_cents: int, refund_id: str) -> ProviderStatus:
        """Refund `amount_cents` (idempotent per refund_id).

        Returns the status including the cumulative refunded amount."""
        raise RefundNotSupported(_("Dieser Anbieter kann nicht automatisch erstatten."))


_registry: dict[str, type[PaymentProvider]] = {}


def register(key: str):
    def decorate(cls: type[PaymentProvider]) -> type[PaymentProvider]:
        if key in _registry and _registry[key] is not cls:
            raise ValueError(f"Zahlungsanbieter {key!r} ist bereits registriert.")
        cls.key = key
        _registry[key] = cls
        return cls

    return decorate


def get_provider(key: str) -> PaymentProvider:
    """The provider plugin for `key`; raises KeyError for unknown keys."""
    return _registry[key]()


def available_providers() -> list[PaymentProvider]:
    return [cls() for cls in _registry.values() if cls().is_available()]
