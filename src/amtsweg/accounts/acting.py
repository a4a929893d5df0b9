"""Who acts for whom: the acting context stored with every submission.

A person acts for themselves, for an organisation they are a member of (or hold a mandate for), or for another
person who granted them a mandate. The choice is kept in the session and re-checked on every read, so a
revoked
mandate or a removed membership takes effect at once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.utils.translation import gettext as _

from amtsweg.accounts.trust import TrustLevel, current_trust_level

SESSION_KEY = "amtsweg.acting_for"
logger = logging.getLogger("amtsweg.accounts")


class ActingChoiceError(Exception):
    """The requested acting context is not allowed; the message is shown to the user."""


@dataclass(frozen=True)
class ActingContext:
    user: object  # accounts.User
    organisation: object | None  # accounts.Organisation
    on_behalf_of: object | None  # accounts.User
    mandate: object | None  # accounts.Mandate
    trust_level: TrustLevel | None

    @property
    def principal_label(self) -> str:
        if self.organisation is not None:
            return self.organisation.name
        if self.on_behalf_of is not None:
            return self.on_behalf_of.display_name
        return self.user.display_name if self.user is not None else ""

    @property
    def acts_for_someone_else(self) -> bool:
        return self.organisation is not None or self.on_behalf_of is not None

    def may_submit(self, procedure_key: str | None) -> bool:
        """Whether the mandate (if any) covers the procedure. Members act for their organisation without
        one."""
        if self.mandate is None:
            return self.user is not None
        return self.mandate.is_valid() and self.mandate.covers(procedure_key)

    def as_record(self) -> dict:
        """JSON-serialisable snapshot the case engine stores with a submission."""
        return {
            "user_id": self.user.pk if self.user is not None else None,
            "user_name": self.user.display_name if self.user is not None else "",
            "organisation_id": self.organisation.pk if self.organisation is not None else None,
            "organisation_name": self.organisation.name if self.organisation is not None else "",
            "on_behalf_of_id": self.on_behalf_of.pk if self.on_behalf_of is not None else None,
            "on_behalf_of_name": self.on_behalf_of.display_name if self.on_behalf_of is not None else "",
            "mandate_id": self.mandate.pk if self.mandate is not None else None,
            "trust_level": self.trust_level.key if self.trust_level is not None else None,
        }


def acting_choices(user) -> list[tuple[str, str]]:
    """(value, label) pairs for the "acting for" switch."""
    from amtsweg.accounts.models import Mandate, Organisation

    choices = [("self", _("mich selbst"))]
    for organisation in Organisation.objects.filter(memberships__user=user).order_by("name"):
        choices.append((f"org:{organisation.pk}", organisation.name))
    mandates = (
        Mandate.objects.valid()
        .filter(agent=user)
        .select_related("principal_user", "principal_organisation")
        .order_by("pk")
    )
    for mandate in mandates:
        choices.append(
            (f"mandate:{mandate.pk}", _("%(name)s (Vollmacht)") % {"name": mandate.principal_label})
        )
    return choices


def set_acting_for(request, value: str) -> ActingContext:
    """Switch the acting context; `value` is one of the `acting_choices` values. Raises ActingChoiceError."""
    from amtsweg.accounts.models import Mandate, OrganisationMembership

    user = request.user
    if value == "self":
        request.session.pop(SESSION_KEY, None)
        return acting_context(request)
    kind, _sep, raw_id = (value or "").partition(":")
    if not raw_id.isdigit() or len(raw_id) > 18:
        raise ActingChoiceError(_("Diese Auswahl ist nicht möglich."))
    if kind == "org":
        if not OrganisationMembership.objects.filter(user=user, organisation_id=int(raw_id)).exists():
            raise ActingChoiceError(_("Sie sind nicht Mitglied dieser Organisation."))
        request.session[SESSION_KEY] = {"organisation": int(raw_id)}
    elif kind == "mandate":
        if not Mandate.objects.valid().filter(agent=user, pk=int(raw_id)).exists():
            raise ActingChoiceError(_("Diese Vollmacht gilt nicht (mehr)."))
        request.session[SESSION_KEY] = {"mandate": int(raw_id)}
    else:
        raise ActingChoiceError(_("Diese Auswahl ist nicht möglich."))
    return acting_context(request)


def acting_context(request) -> ActingContext:
    """The user, the organisation or person they act for (re-checked now), the mandate and the session's
    level."""
    from amtsweg.accounts.models import Mandate, Organisation

    user = request.user if request.user.is_authenticated else None
    level = current_trust_level(request)
    choice = request.session.get(SESSION_KEY) if user is not None else None
    if isinstance(choice, dict):
        if isinstance(choice.get("organisation"), int):
            organisation = Organisation.objects.filter(
                pk=choice["organisation"], memberships__user=user
            ).first()
            if organisation is not None:
                return ActingContext(user, organisation, None, None, level)
        elif isinstance(choice.get("mandate"), int):
            mandate = (
                Mandate.objects.valid()
                .filter(pk=choice["mandate"], agent=user)
                .select_related("principal_user", "principal_organisation")
                .first()
            )
            if mandate is not None:
                return ActingContext(
                    user, mandate.principal_organisation, mandate.principal_user, mandate, level
                )
        # The membership or mandate is gone: fall back to acting for oneself.
        logger.info("acting context no longer valid, reset", extra={"user_id": user.pk})
        request.session.pop(SESSION_KEY, None)
    return ActingContext(user, None, None, None, level)
