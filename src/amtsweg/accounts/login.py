"""Turning a verified identity into a logged-in session (user, trust level, acting context)."""

from __future__ import annotations

import logging
import uuid

from django.contrib.auth import login as auth_login
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amtsweg.accounts import acting
from amtsweg.accounts.models import ExternalIdentity, Organisation, OrganisationMembership, User
from amtsweg.accounts.providers.base import Identity, LoginError
from amtsweg.accounts.tenancy import is_staff_member
from amtsweg.accounts.trust import TrustLevel, set_session_trust_level

logger = logging.getLogger("amtsweg.accounts.security")
BACKEND = "amtsweg.accounts.backends.EmailOrUsernameBackend"

MSG_BLOCKED = _("Dieses Konto ist gesperrt oder wurde gelöscht. Bitte wenden Sie sich an den Support.")
MSG_STAFF = _(
    "Konten von Beschäftigten können sich hier nicht anmelden. "
    "Bitte nutzen Sie die Anmeldung für die Verwaltung."
)


def new_username(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex}"


@transaction.atomic
def user_for_identity(identity: Identity, current_user=None) -> tuple[User, Organisation | None]:
    """Find (or create) the user for a verified identity and update what the provider vouches for.

    A logged-in user who proves a new identity (step-up from a local account) gets it linked to their account.
    """
    link = (
        ExternalIdentity.objects.select_for_update()
        .select_related("user")
        .filter(provider=identity.provider, subject=identity.subject)
        .first()
    )
    now = timezone.now()
    if link is not None:
        user = link.user
    elif current_user is not None and current_user.is_authenticated:
        user = current_user
    else:
        user = User(username=new_username("id"))
        user.set_unusable_password()
    if not user.is_active or user.deleted_at is not None:
        raise LoginError(MSG_BLOCKED, f"login for blocked or deleted user {user.pk}")
    if user.pk and is_staff_member(user):
        raise LoginError(MSG_STAFF, f"staff account {user.pk} tried a citizen identity provider")

    # What the provider vouches for; eID data (substanziell and above) overwrite self-entered data.
    verified = identity.trust_level >= TrustLevel.SUBSTANZIELL
    for field in ("given_name", "family_name"):
        value = getattr(identity, field)
        target = "first_name" if field == "given_name" else "last_name"
        if value and (verified or not getattr(user, target)):
            setattr(user, target, value)
    for field in ("street_address", "postal_code", "locality"):
        value = getattr(identity, field)
        if value and (verified or not getattr(user, field)):
            setattr(user, field, value)
    if identity.birthdate and (verified or not user.birth_date):
        user.birth_date = identity.birthdate
    if identity.email and not user.email:
        user.email = identity.email
    if user.identity_verified_level is None or identity.trust_level > user.identity_verified_level:
        user.identity_verified_level = int(identity.trust_level)
    user.save()

    if link is None:
        link = ExternalIdentity.objects.create(
            user=user,
            provider=identity.provider,
            subject=identity.subject,
            trust_level=int(identity.trust_level),
        )
    else:
        link.trust_level = int(identity.trust_level)
        link.last_login_at = now
        link.save(update_fields=["trust_level", "last_login_at"])

    organisation = None
    if identity.is_organisation_login:
        kind = (
            identity.organisation_kind if identity.organisation_kind in Organisation.Kind.values else "other"
        )
        organisation, created = Organisation.objects.get_or_create(
            external_provider=identity.provider,
            external_id=identity.organisation_id,
            defaults={"name": identity.organisation_name or identity.organisation_id, "kind": kind},
        )
        if not created and identity.organisation_name and organisation.name != identity.organisation_name:
            organisation.name = identity.organisation_name
            organisation.save(update_fields=["name"])
        OrganisationMembership.objects.get_or_create(
            organisation=organisation,
            user=user,
            defaults={
                "role": OrganisationMembership.Role.OWNER if created else OrganisationMembership.Role.MEMBER
            },
        )
    return user, organisation


def login_with_identity(
    request, identity: Identity, flow: dict | None = None
) -> tuple[User, Organisation | None]:
    current = request.user if request.user.is_authenticated else None
    if current is not None and (flow or {}).get("user_id") != current.pk:
        current = None  # the flow was not started by this session's user: never link to their account
    user, organisation = user_for_identity(identity, current)
    auth_login(request, user, backend=BACKEND)
    set_session_trust_level(request, identity.trust_level, identity.provider)
    if organisation is not None:
        request.session[acting.SESSION_KEY] = {"organisation": organisation.pk}
    else:
        request.session.pop(acting.SESSION_KEY, None)
    logger.info(
        "login",
        extra={"user_id": user.pk, "provider": identity.provider, "trust_level": identity.trust_level.key},
    )
    return user, organisation
