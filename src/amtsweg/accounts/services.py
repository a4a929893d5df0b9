"""Public surface of the accounts app for other apps (the case engine, procedures, the API).

from amtsweg.accounts.services import (
    acting_context, current_trust_level, require_trust_level, record_data_access, authorities_for,
)
"""

from __future__ import annotations

import logging

from django.utils import timezone

from amtsweg.accounts.acting import ActingContext, acting_context
from amtsweg.accounts.privacy import export_personal_data, on_account_deletion, personal_data_section
from amtsweg.accounts.tenancy import (
    TenantQuerySet,
    authorities_for,
    citizen_required,
    organisations_for,
    staff_required,
    tenant_queryset,
)
from amtsweg.accounts.trust import TrustLevel, current_trust_level, require_trust_level, trust_level_required

logger = logging.getLogger("amtsweg.accounts")

__all__ = [
    "ActingContext",
    "TenantQuerySet",
    "TrustLevel",
    "acting_context",
    "authorities_for",
    "citizen_required",
    "current_trust_level",
    "export_personal_data",
    "on_account_deletion",
    "organisations_for",
    "personal_data_section",
    "record_data_access",
    "require_trust_level",
    "staff_required",
    "tenant_queryset",
    "trust_level_required",
]


class DataAccessNotAllowed(PermissionError):
    """The actor does not work for the authority in whose name the access was to be recorded."""


def record_data_access(subject, authority, actor, purpose: str, reference: str = ""):
    """Record that `actor` (staff) of `authority` read or decrypted `subject`'s data for `purpose`.

    Call it in the same transaction as the access itself. The citizen sees the entry at /konto/transparenz/.
    Raises DataAccessNotAllowed when the actor is not an active member of the authority.
    """
    from amtsweg.accounts.models import DataAccessRecord

    if subject is None or authority is None:
        raise ValueError("subject and authority are required")
    purpose = (purpose or "").strip()
    if not purpose:
        raise ValueError("a purpose is required")
    if actor is not None and not authorities_for(actor).filter(pk=authority.pk).exists():
        logger.warning(
            "data access by a non-member refused", extra={"actor_id": actor.pk, "authority_id": authority.pk}
        )
        raise DataAccessNotAllowed("actor is not a staff member of this authority")
    return DataAccessRecord.objects.create(
        subject_user=subject,
        authority=authority,
        actor=actor,
        purpose=purpose[:300],
        reference=(reference or "")[:200],
        at=timezone.now(),
    )
