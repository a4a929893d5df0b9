from __future__ import annotations

import logging

logger = logging.getLogger("amtsweg.accounts")


def identity(request):
    """`current_identity` for the header: name, acting for, trust level (or None for visitors)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not hasattr(request, "session"):
        return {"current_identity": None}

    def build():
        from amtsweg.accounts.acting import acting_context

        context = acting_context(request)
        verified_staff = bool(getattr(user, "is_verified", lambda: False)())
        return {
            "name": user.display_name,
            "acting_for": context.principal_label if context.acts_for_someone_else else "",
            "trust_level": context.trust_level,
            "trust_label": context.trust_level.label if context.trust_level is not None else "",
            "trust_key": context.trust_level.key if context.trust_level is not None else "",
            "is_staff_session": verified_staff,
        }

    return {"current_identity": _Lazy(build)}


class _Lazy:
    """Evaluated only when a template reads it, so pages that don't show the header cost no query."""

    def __init__(self, factory):
        self._factory = factory
        self._value = None

    def _get(self):
        if self._value is None:
            self._value = self._factory()
        return self._value

    def __getitem__(self, key):
        return self._get()[key]

    def __bool__(self):
        return True
