"""Registry of identity-provider plugins.

    @register("sandbox")
    class SandboxEID(OIDCProvider): ...

Configured providers (settings.IDENTITY_PROVIDERS, from the JSON in AMTSWEG_OIDC_PROVIDERS) name a plugin
(default "oidc") and are instantiated with their configuration; standalone plugins are instantiated without
one.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string

from amtsweg.accounts.providers.base import IdentityProvider

_plugins: dict[str, type[IdentityProvider]] = {}
_BUILTIN = (
    "amtsweg.accounts.providers.oidc.OIDCProvider",
    "amtsweg.accounts.providers.sandbox.SandboxEIDProvider",
    "amtsweg.accounts.providers.local.LocalPasswordProvider",
)


class UnknownProvider(LookupError):
    """No enabled identity provider with that key."""


def register(key: str):
    def decorator(cls):
        if not (isinstance(cls, type) and issubclass(cls, IdentityProvider)):
            raise TypeError("@register expects an IdentityProvider subclass")
        if key in _plugins and _plugins[key] is not cls:
            raise ValueError(f"identity provider plugin {key!r} registered twice")
        _plugins[key] = cls
        cls.plugin_key = key
        return cls

    return decorator


def _load_builtin() -> None:
    for path in _BUILTIN:
        import_string(path)


def plugins() -> dict[str, type[IdentityProvider]]:
    _load_builtin()
    return dict(_plugins)


def _configured() -> dict:
    return getattr(settings, "IDENTITY_PROVIDERS", {}) or {}


def get_provider(key: str) -> IdentityProvider:
    """The enabled provider with this key; raises UnknownProvider otherwise."""
    _load_builtin()
    if not isinstance(key, str) or not key or len(key) > 50:
        raise UnknownProvider(key)
    config = _configured().get(key)
    if config is not None:
        cls = _plugins.get(config.get("plugin", "oidc"))
        if cls is None:
            raise UnknownProvider(key)
        provider = cls(key, config)
    else:
        cls = _plugins.get(key)
        if cls is None or not cls.standalone:
            raise UnknownProvider(key)
        provider = cls(key)
    if not provider.is_enabled():
        raise UnknownProvider(key)
    return provider


def enabled_providers(min_level=None) -> list[IdentityProvider]:
    """All enabled providers (configured first, then built-in), optionally only those that reach
    `min_level`."""
    _load_builtin()
    keys = list(_configured())
    keys += [key for key, cls in _plugins.items() if cls.standalone and key not in keys]
    result = []
    for key in keys:
        try:
            provider = get_provider(key)
        except UnknownProvider:
            continue
        if provider.can_deliver(min_level):
            result.append(provider)
    return result
