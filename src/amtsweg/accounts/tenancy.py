"""Tenant isolation, in one place.

Staff see only the records of the authorities they belong to (with the role a view needs); citizens see only
their
own records and those of the organisations they act for. Views never filter by hand: they take their querysets
from
a model whose queryset derives from `TenantQuerySet` and call `.for_staff(user, role)` or
`.for_citizen(user)`,
and fetch single objects with `get_object_or_404(Model.objects.for_staff(user), pk=...)`, so another tenant's
ID
is a 404, never data.

    class CaseQuerySet(TenantQuerySet):
        tenant_field = "authority"                 # path to directory.Authority
        owner_fields = ("applicant",)              # paths to the owning user
        organisation_fields = ("organisation",)    # paths to the owning organisation

    class Case(models.Model):
        objects = CaseQuerySet.as_manager()

View decorators: `@staff_required(role="case_worker")` (login + second factor + allowed network + role) and
`@citizen_required` (login; optional `level=` for a step-up).
"""

from __future__ import annotations

import logging
from functools import wraps
from urllib.parse import urlencode

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import Q
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

logger = logging.getLogger("amtsweg.accounts.security")


def _staff_roles() -> dict:
    from amtsweg.accounts.models import STAFF_ROLES

    return STAFF_ROLES


def check_role(role: str | None) -> None:
    if role is not None and role not in _staff_roles():
        raise ImproperlyConfigured(f"unknown staff role {role!r}; known: {', '.join(_staff_roles())}")


def authorities_for(user, role: str | None = None):
    """QuerySet[Authority] the user works for (with `role`, if given). Empty for anyone else."""
    check_role(role)
    authority_model = apps.get_model("directory", "Authority")
    if user is None or not user.is_authenticated or not user.is_active:
        return authority_model.objects.none()
    lookup = {"staff_memberships__user": user, "staff_memberships__is_active": True}
    if role:
        lookup[f"staff_memberships__{role}"] = True
    return authority_model.objects.filter(**lookup).distinct()


def staff_memberships_for(user):
    membership_model = apps.get_model("accounts", "StaffMembership")
    if user is None or not user.is_authenticated:
        return membership_model.objects.none()
    return membership_model.objects.filter(user=user, is_active=True).select_related("authority")


def is_staff_member(user) -> bool:
    return bool(user and user.is_authenticated) and staff_memberships_for(user).exists()


def organisations_for(user, *, include_mandates: bool = True, manage: bool = False):
    """QuerySet[Organisation] the user may act for: memberships and (optionally) valid mandates.

    With `manage=True` only organisations the user administers (owner or admin).
    """
    organisation_model = apps.get_model("accounts", "Organisation")
    if user is None or not user.is_authenticated or not user.is_active:
        return organisation_model.objects.none()
    if manage:
        return organisation_model.objects.filter(
            memberships__user=user, memberships__role__in=["owner", "admin"]
        ).distinct()
    condition = Q(memberships__user=user)
    if include_mandates:
        mandate_model = apps.get_model("accounts", "Mandate")
        condition |= Q(
            pk__in=mandate_model.objects.valid()
            .filter(agent=user, principal_organisation__isnull=False)
            .values("principal_organisation")
        )
    return organisation_model.objects.filter(condition).distinct()


class TenantQuerySet(models.QuerySet):
    """Base queryset for every model that belongs to an authority and/or a citizen."""

    tenant_field: str | None = None
    owner_fields: tuple[str, ...] = ()
    organisation_fields: tuple[str, ...] = ()

    def for_staff(self, user, role: str | None = None):
        if not self.tenant_field:
            raise ImproperlyConfigured(f"{type(self).__name__} declares no tenant_field")
        return self.filter(**{f"{self.tenant_field}__in": authorities_for(user, role)})

    def for_citizen(self, user):
        """Own records and those of organisations the user is a member of or holds a valid mandate for."""
        if not (self.owner_fields or self.organisation_fields):
            raise ImproperlyConfigured(f"{type(self).__name__} declares no owner_fields/organisation_fields")
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        condition = Q(pk__in=[])
        for field in self.owner_fields:
            condition |= Q(**{field: user})
        if self.organisation_fields:
            organisations = organisations_for(user)
            for field in self.organisation_fields:
                condition |= Q(**{f"{field}__in": organisations})
        return self.filter(condition)

    def for_acting(self, context):
        """Records of whoever the user acts for right now (an `ActingContext`): self, a person or an
        organisation."""
        if context is None or context.user is None:
            return self.none()
        if context.organisation is not None:
            if not self.organisation_fields:
                return self.none()
            condition = Q(pk__in=[])
            for field in self.organisation_fields:
                condition |= Q(**{field: context.organisation})
            return self.filter(condition)
        person = context.on_behalf_of or context.user
        condition = Q(pk__in=[])
        for field in self.owner_fields:
            condition |= Q(**{field: person})
        return self.filter(condition)


def tenant_queryset(*, tenant_field=None, owner_fields=(), organisation_fields=()):
    """A TenantQuerySet subclass in one line: `objects =
    tenant_queryset(tenant_field="authority").as_manager()`."""
    return type(
        "TenantQuerySet",
        (TenantQuerySet,),
        {
            "tenant_field": tenant_field,
            "owner_fields": tuple(owner_fields),
            "organisation_fields": tuple(organisation_fields),
        },
    )


def forbidden(request, message) -> HttpResponse:
    """403 with a clear German reason (the generic error page does not show one)."""
    return render(request, "accounts/forbidden.html", {"message": message}, status=403)


def _login_redirect(request, url_name: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse(url_name) + "?" + urlencode({"next": request.get_full_path()}))


def staff_required(view=None, *, role: str | None = None):
    """Deny by default: logged in, second factor verified in this session, allowed network, active membership
    (with `role`, if given). Anonymous or unverified sessions go to the staff login; others get 403."""
    check_role(role)

    def decorator(func):
        @wraps(func)
        def wrapper(request, *args, **kwargs):
            from amtsweg.accounts.staff import network_allowed

            if not network_allowed(request):
                logger.warning(
                    "staff page from a network outside AMTSWEG_STAFF_NETWORKS", extra={"path": request.path}
                )
                return forbidden(request, _("Der Zugang für Beschäftigte ist aus diesem Netz nicht erlaubt."))
            user = request.user
            if not user.is_authenticated or not user.is_verified():
                return _login_redirect(request, "accounts:staff_login")
            if not authorities_for(user, role).exists():
                logger.warning(
                    "staff page denied: role missing",
                    extra={"user_id": user.pk, "role": role, "path": request.path},
                )
                return forbidden(request, _("Für diese Seite fehlt Ihnen die nötige Rolle."))
            return func(request, *args, **kwargs)

        wrapper.staff_role = role
        return wrapper

    if view is not None:
        return decorator(view)
    return decorator


def citizen_required(view=None, *, level=None):
    """Logged in with an active, not deleted account; with `level`, a step-up login when the session is below
    it."""

    def decorator(func):
        @wraps(func)
        def wrapper(request, *args, **kwargs):
            from amtsweg.accounts.trust import require_trust_level

            user = request.user
            if not user.is_authenticated or getattr(user, "deleted_at", None) is not None:
                return _login_redirect(request, "accounts:login")
            if level is not None:
                response = require_trust_level(request, level)
                if response is not None:
                    return response
            return func(request, *args, **kwargs)

        return wrapper

    if view is not None:
        return decorator(view)
    return decorator
