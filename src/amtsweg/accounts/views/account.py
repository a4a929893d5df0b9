"""The citizen's account: profile, acting context, data export, deletion, transparency log."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from amtsweg.accounts import acting, privacy
from amtsweg.accounts.forms import DeleteAccountForm, ProfileForm
from amtsweg.accounts.models import DataAccessRecord
from amtsweg.accounts.tenancy import citizen_required, is_staff_member
from amtsweg.accounts.trust import TrustLevel, current_trust_level
from amtsweg.accounts.views.common import safe_next


def _profile_locked(user) -> bool:
    """Names and address confirmed by an eID (substanziell or higher) are not edited by hand."""
    return (user.identity_verified_level or 0) >= TrustLevel.SUBSTANZIELL


@never_cache
@citizen_required
@require_http_methods(["GET", "POST"])
def profile(request):
    user = request.user
    locked = _profile_locked(user)
    form = None if locked else ProfileForm(request.POST if request.method == "POST" else None, instance=user)
    if request.method == "POST":
        if locked or form is None:
            messages.error(
                request, _("Diese Angaben stammen aus Ihrem Ausweis und können hier nicht geändert werden.")
            )
            return HttpResponseRedirect(reverse("accounts:profile"))
        if form.is_valid():
            form.save()
            messages.success(request, _("Ihre Angaben wurden gespeichert."))
            return HttpResponseRedirect(reverse("accounts:profile"))
    context = acting.acting_context(request)
    return render(
        request,
        "accounts/profile.html",
        {
            "profile_user": user,
            "form": form,
            "locked": locked,
            "trust_level": current_trust_level(request),
            "verified_level": TrustLevel(user.identity_verified_level)
            if user.identity_verified_level
            else None,
            "acting": context,
            "acting_choices": acting.acting_choices(user),
            "current_choice": _current_choice(context),
            "external_identities": user.external_identities.order_by("first_login_at"),
            "is_staff_account": is_staff_member(user),
        },
        status=400 if form is not None and form.is_bound and form.errors else 200,
    )


def _current_choice(context) -> str:
    if context.mandate is not None:
        return f"mandate:{context.mandate.pk}"
    if context.organisation is not None:
        return f"org:{context.organisation.pk}"
    return "self"


@citizen_required
@require_POST
def switch_acting(request):
    try:
        context = acting.set_acting_for(request, request.POST.get("acting_for", ""))
    except acting.ActingChoiceError as error:
        messages.error(request, str(error))
        return HttpResponseRedirect(reverse("accounts:profile"))
    messages.success(request, _("Sie handeln jetzt für: %(name)s") % {"name": context.principal_label})
    return HttpResponseRedirect(safe_next(request, request.POST.get("next")))


@never_cache
@citizen_required
@require_GET
def export_page(request):
    data = privacy.export_personal_data(request.user)
    sections = [{"title": s["titel"], "rows": privacy.rows(s["daten"])} for s in data["abschnitte"]]
    return render(request, "accounts/export.html", {"sections": sections, "created": timezone.localtime()})


@never_cache
@citizen_required
@require_GET
def export_json(request):
    data = privacy.export_personal_data(request.user)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    filename = f"amtsweg-meine-daten-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@citizen_required
@require_http_methods(["GET", "POST"])
def delete_account(request):
    if is_staff_member(request.user):
        return render(request, "accounts/delete_staff.html", status=403)
    form = DeleteAccountForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        kept = privacy.delete_own_account(request)
        return render(
            request, "accounts/deleted.html", {"kept": kept, "explanation": privacy.RETENTION_EXPLANATION}
        )
    return render(
        request,
        "accounts/delete.html",
        {"form": form, "explanation": privacy.RETENTION_EXPLANATION},
        status=400 if form.is_bound else 200,
    )


@never_cache
@citizen_required
@require_GET
def transparency(request):
    records = DataAccessRecord.objects.for_citizen(request.user).select_related("authority")
    page = Paginator(records, 50).get_page(request.GET.get("seite"))
    return render(request, "accounts/transparency.html", {"page": page})
