"""Trust levels (Vertrauensniveaus, eIDAS / BSI TR-03107-1) and the level achieved in a session.

The level is set once at login (`set_session_trust_level`) and read with `current_trust_level(request)`.
A view that needs more calls `require_trust_level(request, level)` (or uses `@trust_level_required`):
instead of an error the user is sent to the login page, which offers only providers that can deliver the
level,
and comes back to the same page afterwards (step-up login).
"""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.db import models
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

SESSION_KEY = "amtsweg.trust_level"
SESSION_PROVIDER_KEY = "amtsweg.identity_provider"


class TrustLevel(models.IntegerChoices):
    NIEDRIG = 1, _("niedrig")
    SUBSTANZIELL = 2, _("substanziell")
    HOCH = 3, _("hoch")

    @classmethod
    def parse(cls, value) -> TrustLevel:
        """'hoch', 'HOCH', 3, '3', TrustLevel.HOCH -> TrustLevel.HOCH; raises ValueError otherwise."""
        if isinstance(value, TrustLevel):
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            return cls(value)
        if isinstance(value, str):
            text = value.strip().lower()
            if text.isdigit():
                return cls(int(text))
            for member in cls:
                if member.name.lower() == text:
                    return member
        raise ValueError(f"unknown trust level: {value!r}")

    @property
    def key(self) -> str:
        return self.name.lower()


def set_session_trust_level(request, level: TrustLevel, provider: str) -> None:
    request.session[SESSION_KEY] = int(level)
    request.session[SESSION_PROVIDER_KEY] = provider


def current_trust_level(request) -> TrustLevel | None:
    """The level achieved at login in this session, or None for anonymous visitors."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    raw = request.session.get(SESSION_KEY)
    try:
        return TrustLevel(int(raw))
    except (TypeError, ValueError):
        # An authenticated session without a recorded level (e.g. created by an operator tool) counts as the
        # lowest.
        return TrustLevel.NIEDRIG


def step_up_url(level: TrustLevel, next_url: str) -> str:
    return reverse("accounts:login") + "?" + urlencode({"stufe": TrustLevel(level).key, "next": next_url})


def require_trust_level(request, level) -> HttpResponse | None:
    """None when the session has at least `level`; otherwise the redirect to a step-up login.

    Usage in a view:  `if (response := require_trust_level(request, "hoch")): return response`
    """
    required = TrustLevel.parse(level)
    achieved = current_trust_level(request)
    if achieved is not None and achieved >= required:
        return None
    url = step_up_url(required, request.get_full_path())
    if getattr(request, "htmx", False):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)


def trust_level_required(level):
    """View decorator: step-up login when the session's trust level is below `level`."""
    required = TrustLevel.parse(level)

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            response = require_trust_level(request, required)
            if response is not None:
                return response
            return view(request, *args, **kwargs)

        wrapper.required_trust_level = required
        return wrapper

    return decorator
