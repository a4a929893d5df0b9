"""Client side of the SANDBOX eID that ships with the platform (demo and tests only; see amtsweg.sandbox_eid).

It is the generic OIDC client with a built-in configuration: real HTTP to the sandbox's endpoints, real JWKS,
real signature checks. Enabled only together with the sandbox itself.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from amtsweg.accounts.providers.oidc import OIDCProvider
from amtsweg.accounts.providers.registry import register
from amtsweg.accounts.trust import TrustLevel
from amtsweg.sandbox_eid import conf as sandbox_conf


@register("sandbox")
class SandboxEIDProvider(OIDCProvider):
    standalone = True
    is_sandbox = True
    label = _("Sandbox-eID – kein echter Ausweis")
    description = _(
        "Simulierte Anmeldung mit erfundenen Personen und Firmen, Vertrauensniveau frei wählbar. "
        "Nur Demo und Tests."
    )

    def __init__(self, key="sandbox", config=None):
        base = {
            "client_id": sandbox_conf.CLIENT_ID,
            "scopes": "openid profile email address organisation",
            "token_auth": "client_secret_basic",
            "algorithms": ["RS256"],
            "allow_http": True,
            "use_env_proxy": False,
            "use_userinfo": True,
            "max_trust_level": "hoch",
            "claims": {
                "organisation_id": "org_id",
                "organisation_name": "org_name",
                "organisation_kind": "org_kind",
            },
            "trust": {"claim": "acr"},
        }
        super().__init__(key, {**base, **(config or {})})
        self.label = SandboxEIDProvider.label
        self.max_trust_level = TrustLevel.HOCH

    def is_enabled(self) -> bool:
        return sandbox_conf.sandbox_enabled()

    @property
    def client_secret(self) -> str:
        return sandbox_conf.client_secret()

    def issuer(self, request) -> str:
        return sandbox_conf.issuer_for(request)
