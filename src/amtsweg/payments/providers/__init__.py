"""Payment provider plugins. See `base.py` for the interface and `docs/payments.md`."""

from amtsweg.payments.providers.base import (  # noqa: F401
    InvalidNotification,
    PaymentProvider,
    ProviderError,
    ProviderStatus,
    ProviderUnavailable,
    RefundNotSupported,
    StartResult,
    VerifiedNotification,
    available_providers,
    get_provider,
    register,
)
