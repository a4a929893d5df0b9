"""The back office's public surface.

Settings per authority (contract with the authority administration; keep the names):
`processing_target`, `requires_second_approval`, `substitute_for`, `letter_settings`.
Case work (worklists, drafts, approval, notes) follows below and builds on `amtsweg.cases.services`.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from amtsweg.backoffice.models import Absence, LetterSettings, ProcedureSetting

# --- settings per authority (contract) ----------------------------------------------------------------------


def procedure_setting(authority, procedure_key: str) -> ProcedureSetting | None:
    return ProcedureSetting.objects.filter(authority=authority, procedure_key=procedure_key).first()


def processing_target(authority, procedure_key: str) -> int | None:
    """The processing target in working days for new cases of this procedure at this authority: the
    authority's configured value, else the procedure's own target (None: no target)."""
    setting = procedure_setting(authority, procedure_key)
    if setting is not None and setting.processing_days is not None:
        return setting.processing_days
    from amtsweg.procedures import registry

    try:
        return registry.get(procedure_key).processing_days
    except registry.UnknownProcedure:
        return None


def requires_second_approval(authority, procedure_key: str) -> bool:
    """Whether decisions of this procedure at this authority need a second person's release (four eyes)."""
    setting = procedure_setting(authority, procedure_key)
    return bool(setting and setting.second_approval)


def absence_of(user, authority, on_date: dt.date | None = None) -> Absence | None:
    on_date = on_date or timezone.localdate()
    if user is None:
        return None
    return (
        Absence.objects.filter(authority=authority, user=user, starts_on__lte=on_date, ends_on__gte=on_date)
        .select_related("substitute")
        .order_by("-starts_on", "-pk")
        .first()
    )


def substitute_for(user, authority, on_date: dt.date | None = None):
    """Who takes new work meant for `user` at `authority` on `on_date`: the user when present, else their
    substitute (followed along a chain of absences; a cycle ends with the last present person or the
    user)."""
    seen = set()
    current = user
    while current is not None and current.pk not in seen:
        seen.add(current.pk)
        absence = absence_of(current, authority, on_date)
        if absence is None:
            return current
        current = absence.substitute
    return user


def letter_settings(authority) -> LetterSettings:
    """The authority's letter settings; an unsaved default (authority name as letterhead) when none are
    stored."""
    found = LetterSettings.objects.filter(authority=authority).first()
    if found is not None:
        return found
    lines = [authority.name]
    for value in (getattr(authority, "phone", ""), getattr(authority, "email", "")):
        if value:
            lines.append(value)
    return LetterSettings(authority=authority, letterhead="\n".join(lines))


def configured_processing_days(authority, procedure_key: str) -> int | None:
    """Only the authority's own setting (the case engine's hook; None lets the procedure's target apply)."""
    setting = procedure_setting(authority, procedure_key)
    return setting.processing_days if setting is not None else None
