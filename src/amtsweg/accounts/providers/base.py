"""The plugin interface every identity provider implements."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.http import HttpResponse

from amtsweg.accounts.trust import TrustLevel


class LoginError(Exception):
    """A login was rejected. `message` is shown to the user (German, no internals); `reason` goes to the
    log."""

    def __init__(self, message, reason: str):
        super().__init__(reason)
        self.message = message
        self.reason = reason


@dataclass
class Identity:
    """What a provider vouches for, mapped from its claims."""

    provider: str
    subject: str
    trust_level: TrustLevel
    given_name: str = ""
    family_name: str = ""
    email: str = ""
    email_verified: bool = False
    birthdate: date | None = None
    street_address: str = ""
    postal_code: str = ""
    locality: str = ""
    organisation_id: str = ""
    organisation_name: str = ""
    organisation_kind: str = ""
    raw_claims: dict = field(default_factory=dict, repr=False)

    @property
    def is_organisation_login(self) -> bool:
        return bool(self.organisation_id)


class IdentityProvider:
    """Base class. Override `start` and `complete` (redirect-based) or handle the login form yourself
    (local)."""

    key: str = ""
    label = ""
    description = ""
    max_trust_level: TrustLevel = TrustLevel.NIEDRIG
    is_sandbox: bool = False
    redirect_based: bool = True
    # Providers that exist only when configured (generic OIDC) are not usable without configuration.
    standalone: bool = True

    def __init__(self, key: str, config: dict | None = None):
        self.key = key
        self.config = dict(config or {})
        if self.config.get("label"):
            self.label = self.config["label"]

    def is_enabled(self) -> bool:
        return True

    def can_deliver(self, level: TrustLevel | None) -> bool:
        return level is None or self.max_trust_level >= level

    def start(self, request, *, next_url: str, min_level: TrustLevel | None) -> HttpResponse:
        raise NotImplementedError

    def complete(self, request) -> tuple[Identity, dict]:
        """Verify the provider's answer; returns the identity and the login flow data (next URL, level
        wanted)."""
        raise NotImplementedError
