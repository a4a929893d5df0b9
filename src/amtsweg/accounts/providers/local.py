"""Local accounts: e-mail address and password (argon2), verified e-mail, trust level niedrig.

The login form is part of the login page (views.auth), so this plugin does not redirect anywhere.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from amtsweg.accounts.providers.base import IdentityProvider
from amtsweg.accounts.providers.registry import register
from amtsweg.accounts.trust import TrustLevel


@register("local")
class LocalPasswordProvider(IdentityProvider):
    label = _("E-Mail-Adresse und Passwort")
    description = _("Für Leistungen mit dem Vertrauensniveau „niedrig“.")
    max_trust_level = TrustLevel.NIEDRIG
    redirect_based = False
