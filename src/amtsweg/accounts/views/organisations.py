"""Organisations (members and roles) and mandates (Vollmachten)."""

from __future__ import annotations

import logging
from datetime import datetime, time

from django.contrib import messages
from django.db import transaction
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from amtsweg.accounts.forms import MandateForm, MemberAddForm, MemberRoleForm, OrganisationForm
from amtsweg.accounts.models import Mandate, OrganisationMembership, User
from amtsweg.accounts.tenancy import citizen_required, forbidden, organisations_for
from amtsweg.accounts.trust import TrustLevel

logger = logging.getLogger("amtsweg.accounts")
Role = OrganisationMembership.Role


def _membership_or_404(user, organisation_id) -> OrganisationMembership:
    return get_object_or_404(
        OrganisationMembership.objects.select_related("organisation"),
        organisation_id=organisation_id,
        user=user,
    )


def _find_account(email: str):
    candidates = list(
        User.objects.filter(email__iexact=email, is_active=True, deleted_at__isnull=True).order_by("pk")[:2]
    )
    return candidates[0] if len(candidates) == 1 else None


@citizen_required
@require_http_methods(["GET", "POST"])
def organisations(request):
    memberships = (
        OrganisationMembership.objects.filter(user=request.user)
        .select_related("organisation")
        .order_by("organisation__name")
    )
    form = OrganisationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        from amtsweg.accounts.trust import require_trust_level

        step_up = require_trust_level(request, TrustLevel.SUBSTANZIELL)
        if step_up is not None:
            return step_up
        if form.is_valid():
            with transaction.atomic():
                organisation = form.save()
                OrganisationMembership.objects.create(
                    organisation=organisation, user=request.user, role=Role.OWNER
                )
            messages.success(request, _("Die Organisation wurde angelegt. Sie sind Inhaber/in."))
            return HttpResponseRedirect(reverse("accounts:organisation", args=[organisation.pk]))
    return render(
        request,
        "accounts/organisations.html",
        {"memberships": memberships, "form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


@citizen_required
@require_GET
def organisation_detail(request, pk: int):
    membership = _membership_or_404(request.user, pk)
    organisation = membership.organisation
    return render(
        request,
        "accounts/organisation_detail.html",
        {
            "organisation": organisation,
            "membership": membership,
            "members": organisation.memberships.select_related("user").order_by("role", "user__last_name"),
            "add_form": MemberAddForm() if membership.can_manage else None,
            "roles": Role.choices,
        },
    )


@citizen_required
@require_POST
def organisation_add_member(request, pk: int):
    membership = _membership_or_404(request.user, pk)
    if not membership.can_manage:
        return forbidden(request, _("Nur Inhaber/innen und Verwalter/innen können Mitglieder hinzufügen."))
    form = MemberAddForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Bitte geben Sie eine gültige E-Mail-Adresse und eine Rolle an."))
        return HttpResponseRedirect(reverse("accounts:organisation", args=[pk]))
    role = form.cleaned_data["role"]
    if role == Role.OWNER and membership.role != Role.OWNER:
        return forbidden(request, _("Nur Inhaber/innen können weitere Inhaber/innen ernennen."))
    account = _find_account(form.cleaned_data["email"])
    if account is None:
        messages.error(request, _("Zu dieser E-Mail-Adresse gibt es kein eindeutiges Konto."))
    else:
        _obj, created = OrganisationMembership.objects.get_or_create(
            organisation_id=pk, user=account, defaults={"role": role}
        )
        if created:
            messages.success(request, _("%(name)s ist jetzt Mitglied.") % {"name": account.display_name})
        else:
            messages.info(request, _("Diese Person ist bereits Mitglied."))
    return HttpResponseRedirect(reverse("accounts:organisation", args=[pk]))


@citizen_required
@require_POST
def organisation_member(request, pk: int, member_id: int):
    membership = _membership_or_404(request.user, pk)
    target = get_object_or_404(OrganisationMembership, pk=member_id, organisation_id=pk)
    if not membership.can_manage:
        return forbidden(request, _("Nur Inhaber/innen und Verwalter/innen können Mitglieder verwalten."))
    touches_owner = target.role == Role.OWNER or request.POST.get("role") == Role.OWNER
    if touches_owner and membership.role != Role.OWNER:
        return forbidden(request, _("Nur Inhaber/innen können Inhaber/innen ändern."))
    with transaction.atomic():
        owners = OrganisationMembership.objects.select_for_update().filter(
            organisation_id=pk, role=Role.OWNER
        )
        last_owner = target.role == Role.OWNER and owners.count() == 1
        if request.POST.get("action") == "remove":
            if last_owner:
                messages.error(
                    request, _("Die letzte Inhaberin oder der letzte Inhaber kann nicht entfernt werden.")
                )
            else:
                target.delete()
                messages.success(request, _("Das Mitglied wurde entfernt."))
        else:
            form = MemberRoleForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Diese Rolle gibt es nicht."))
            elif last_owner and form.cleaned_data["role"] != Role.OWNER:
                messages.error(
                    request, _("Die Organisation braucht mindestens eine Inhaberin oder einen Inhaber.")
                )
            else:
                target.role = form.cleaned_data["role"]
                target.save(update_fields=["role"])
                messages.success(request, _("Die Rolle wurde geändert."))
    if not OrganisationMembership.objects.filter(organisation_id=pk, user=request.user).exists():
        return HttpResponseRedirect(reverse("accounts:organisations"))
    return HttpResponseRedirect(reverse("accounts:organisation", args=[pk]))


# --- mandates
# --------------------------------------------------------------------------------------------------------
def mandates_visible_to(user):
    """Mandates the user granted, received, or administers for an organisation."""
    return Mandate.objects.filter(
        Q(principal_user=user)
        | Q(agent=user)
        | Q(principal_organisation__in=organisations_for(user, manage=True))
    ).select_related("principal_user", "principal_organisation", "agent")


def _manageable_mandates(user):
    return Mandate.objects.filter(
        Q(principal_user=user) | Q(principal_organisation__in=organisations_for(user, manage=True))
    )


def _principal_choices(user):
    choices = [("self", _("ich selbst (%(name)s)") % {"name": user.display_name})]
    for organisation in organisations_for(user, manage=True).order_by("name"):
        choices.append((f"org:{organisation.pk}", organisation.name))
    return choices


@citizen_required
@require_GET
def mandates(request):
    visible = mandates_visible_to(request.user).order_by("-created_at")
    return render(
        request,
        "accounts/mandates.html",
        {
            "granted": [m for m in visible if m.agent_id != request.user.pk],
            "received": [m for m in visible if m.agent_id == request.user.pk],
        },
    )


@citizen_required(level=TrustLevel.SUBSTANZIELL)
@require_http_methods(["GET", "POST"])
def mandate_new(request):
    choices = _principal_choices(request.user)
    form = MandateForm(request.POST if request.method == "POST" else None, principal_choices=choices)
    if request.method == "POST" and form.is_valid():
        agent = _find_account(form.cleaned_data["agent_email"])
        principal = form.cleaned_data["principal"]
        if agent is None:
            form.add_error("agent_email", _("Zu dieser E-Mail-Adresse gibt es kein eindeutiges Konto."))
        elif agent.pk == request.user.pk and principal == "self":
            form.add_error("agent_email", _("Sie können sich nicht selbst bevollmächtigen."))
        else:
            valid_until = form.cleaned_data.get("valid_until")
            mandate = Mandate(
                agent=agent,
                all_procedures=form.cleaned_data["all_procedures"],
                procedure_keys=[]
                if form.cleaned_data["all_procedures"]
                else form.cleaned_data["procedure_keys"],
                valid_until=timezone.make_aware(datetime.combine(valid_until, time.max))
                if valid_until
                else None,
                note=form.cleaned_data.get("note", ""),
                created_by=request.user,
            )
            if principal == "self":
                mandate.principal_user = request.user
            else:
                mandate.principal_organisation = organisations_for(request.user, manage=True).get(
                    pk=int(principal.split(":", 1)[1])
                )
            mandate.save()
            logger.info("mandate granted", extra={"mandate_id": mandate.pk, "user_id": request.user.pk})
            messages.success(request, _("Die Vollmacht wurde erteilt."))
            return HttpResponseRedirect(reverse("accounts:mandate", args=[mandate.pk]))
    return render(request, "accounts/mandate_new.html", {"form": form}, status=400 if form.is_bound else 200)


@citizen_required
@require_GET
def mandate_detail(request, pk: int):
    mandate = get_object_or_404(mandates_visible_to(request.user), pk=pk)
    can_revoke = mandate.revoked_at is None and (
        mandate.agent_id == request.user.pk or _manageable_mandates(request.user).filter(pk=pk).exists()
    )
    return render(request, "accounts/mandate_detail.html", {"mandate": mandate, "can_revoke": can_revoke})


@citizen_required
@require_POST
def mandate_revoke(request, pk: int):
    mandate = get_object_or_404(mandates_visible_to(request.user), pk=pk)
    allowed = mandate.agent_id == request.user.pk or _manageable_mandates(request.user).filter(pk=pk).exists()
    if not allowed:
        return forbidden(request, _("Diese Vollmacht können Sie nicht widerrufen."))
    if mandate.revoked_at is None:
        mandate.revoked_at = timezone.now()
        mandate.save(update_fields=["revoked_at"])
        logger.info("mandate revoked", extra={"mandate_id": mandate.pk, "user_id": request.user.pk})
        messages.success(request, _("Die Vollmacht wurde widerrufen."))
    return HttpResponseRedirect(reverse("accounts:mandate", args=[pk]))
