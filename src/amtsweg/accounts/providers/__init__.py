"""Identity-provider plugins: a base class, a registry (`@register("key")`) and the built-in plugins.

Built in: `oidc` (generic OpenID Connect client, configured via AMTSWEG_OIDC_PROVIDERS), `sandbox` (the
sandbox eID
that ships with the platform, demo and tests only) and `local` (e-mail and password, trust level niedrig).
"""

from amtsweg.accounts.providers.base import Identity, IdentityProvider, LoginError
from amtsweg.accounts.providers.registry import (
    UnknownProvider,
    enabled_providers,
    get_provider,
    register,
)

__all__ = [
    "Identity",
    "IdentityProvider",
    "LoginError",
    "UnknownProvider",
    "enabled_providers",
    "get_provider",
    "register",
]
