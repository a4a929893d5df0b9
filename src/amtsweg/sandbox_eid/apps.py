from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SandboxEIDConfig(AppConfig):
    """SANDBOX: a fictional eID / organisation-account provider speaking OpenID Connect, for the demo and
    tests only."""

    name = "amtsweg.sandbox_eid"
    label = "sandbox_eid"
    verbose_name = _("Sandbox-eID (kein echter Ausweis)")
