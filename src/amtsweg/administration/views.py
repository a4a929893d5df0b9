"""Pages of the authority administration (/verwaltung/behoerde/…): thin views over `services`.

Deny by default: `staff_required(role="authority_admin")` (login, second factor, network, role somewhere),
then `services.admin_authority(user, authority_id)`, which answers 404 for every authority the user does not
administer. Objects below the authority (memberships, hours, closures) are looked up within it, so another
authority's IDs are 404 too.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from amtsweg.accounts.tenancy import staff_required
from amtsweg.administration import forms, services
from amtsweg.administration.services import AdminError

ROLE = services.ROLE


def _page(request, authority, template, context, status=200):
    context = {"authority": authority, "section": template, **context}
    return render(request, f"administration/{template}.html", context, status=status)


def _redirect(name, authority, **kwargs):
    return HttpResponseRedirect(
        reverse(f"administration:{name}", kwargs={"authority_id": authority.pk, **kwargs})
    )


@never_cache
@staff_required(role=ROLE)
@require_GET
def index(request):
    authorities = list(services.admin_authorities(request.user).order_by("name"))
    if len(authorities) == 1:
        return _redirect("overview", authorities[0])
    return render(request, "administration/index.html", {"authorities": authorities})


@never_cache
@staff_required(role=ROLE)
@require_GET
def overview(request, authority_id: int):
    authority = services.admin_authority(request.user, authority_id)
    return _page(request, authority, "overview", {})


# --- staff ------------------------------------------------------------------------------------------------


@never_cache
@staff_required(role=ROLE)
@require_http_methods(["GET", "POST"])
def staff(request, authority_id: int):
    authority = services.admin_authority(request.user, authority_id)
    form = forms.InviteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.invite_staff(authority, request.user, request=request, **form.cleaned_data)
        except AdminError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _(
                    "Der Zugang für %(name)s ist angelegt. Die Einladung mit dem Link zum Festlegen des "
                    "Passworts ist an %(email)s unterwegs."
                )
                % {"name": membership.user.display_name, "email": membership.user.email},
            )
            return _redirect("staff", authority)
    return _page(
        request,
        authority,
        "staff",
        {"memberships": services.staff_of(authority), "form": form, "roles": forms.ROLE_CHOICES},
        status=400 if form.is_bound else 200,
    )


@never_cache
@staff_required(role=ROLE)
@require_http_methods(["GET", "POST"])
def staff_member(request, authority_id: int, membership_id: int):
    authority = services.admin_authority(request.user, authority_id)
    membership = services.membership_at(authority, membership_id)
    form = forms.RolesForm(
        request.POST if request.method == "POST" and request.POST.get("action") == "roles" else None,
        initial={"roles": membership.roles},
    )
    error = None
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "roles":
                if form.is_valid():
                    services.change_roles(authority, request.user, membership.pk, form.cleaned_data["roles"])
                    messages.success(request, _("Die Rollen sind geändert."))
                    return _redirect("staff_member", authority, membership_id=membership.pk)
            elif action == "reinvite":
                services.resend_invitation(authority, request.user, membership.pk, request=request)
                messages.success(request, _("Eine neue Einladung ist unterwegs."))
                return _redirect("staff_member", authority, membership_id=membership.pk)
            elif action == "reset_2fa":
                services.reset_second_factor(authority, request.user, membership.pk)
                messages.success(
                    request,
                    _(
                        "Der zweite Faktor ist zurückgesetzt. Bei der nächsten Anmeldung richtet die Person "
                        "eine Authenticator-App neu ein."
                    ),
                )
                return _redirect("staff_member", authority, membership_id=membership.pk)
            elif action in ("deactivate", "activate"):
                services.set_active(authority, request.user, membership.pk, action == "activate")
                messages.success(
                    request,
                    _("Der Zugang ist wieder aktiv.")
                    if action == "activate"
                    else _("Der Zugang ist deaktiviert."),
                )
                return _redirect("staff_member", authority, membership_id=membership.pk)
            else:
                error = _("Unbekannte Aktion.")
        except AdminError as exc:
            error = str(exc)
    return _page(
        request,
        authority,
        "staff_member",
        {"membership": membership, "form": form, "roles": forms.ROLE_CHOICES, "error": error},
        status=400 if request.method == "POST" else 200,
    )


# --- fees -------------------------------------------------------------------------------------------------


@never_cache
@staff_required(role=ROLE)
@require_http_methods(["GET", "POST"])
def fees(request, authority_id: int):
    authority = services.admin_authority(request.user, authority_id)
    errors: dict[str, str] = {}
    values: dict[str, str] = {}
    if request.method == "POST":
        key = request.POST.get("procedure_key", "")
        form = forms.FeeForm(request.POST)
        values[key] = request.POST.get("amount", "")
        if form.is_valid():
            try:
                rule = services.set_fee(authority, request.user, key, form.cleaned_data["amount"])
            except AdminError as exc:
                errors[key] = str(exc)
            else:
                messages.success(
                    request,
                    _("Die Gebühr „%(label)s“ beträgt jetzt %(amount)s.")
                    % {"label": rule.label, "amount": services.format_cents(rule.amount_cents)},
                )
                return _redirect("fees", authority)
        else:
            errors[key] = " ".join(form.errors.get("amount", [])) or _("Bitte prüfen Sie den Betrag.")
    rows = services.fee_rows(authority)
    for row in rows:
        row.error = errors.get(row.procedure_key, "")
        row.value = values.get(row.procedure_key, "")
    if errors and not any(row.error for row in rows):
        messages.error(request, next(iter(errors.values())))
    return _page(request, authority, "fees", {"rows": rows}, status=400 if errors else 200)


# --- opening hours and closures ---------------------------------------------------------------------------


@never_cache
@staff_required(role=ROLE)
@require_http_methods(["GET", "POST"])
def hours(request, authority_id: int):
    authority = services.admin_authority(request.user, authority_id)
    offices = list(services.offices_of(authority))
    post = request.POST if request.method == "POST" else None
    kind = post.get("kind") if post else None
    hours_form = forms.WeeklyHoursForm(post if kind == "weekly" else None, offices=offices, prefix="weekly")
    day_form = forms.SpecialDayForm(post if kind == "special" else None, offices=offices, prefix="special")
    bound = hours_form if kind == "weekly" else day_form if kind == "special" else None
    if bound is not None and bound.is_valid():
        data = bound.cleaned_data
        try:
            if kind == "weekly":
                services.add_weekly_hours(
                    authority, request.user, office_id=data["office"], weekday=data["weekday"],
                    opens=data["opens"], closes=data["closes"], note=data["note"],
                )  # fmt: skip
                messages.success(request, _("Die Öffnungszeit ist eingetragen."))
            else:
                services.add_special_day(
                    authority, request.user, day=data["date"], office_id=data["office"],
                    closed=data["closed"], opens=data["opens"], closes=data["closes"], reason=data["reason"],
                )  # fmt: skip
                messages.success(request, _("Der Sondertag ist eingetragen."))
            return _redirect("hours", authority)
        except AdminError as exc:
            bound.add_error(None, str(exc))
    return _page(
        request,
        authority,
        "hours",
        {
            "offices": offices,
            "hours_form": hours_form,
            "day_form": day_form,
            "closures": services.closures_of(authority),
        },
        status=400 if bound is not None else 200,
    )


@staff_required(role=ROLE)
@require_POST
def hours_delete(request, authority_id: int, hours_id: int):
    authority = services.admin_authority(request.user, authority_id)
    services.delete_weekly_hours(authority, request.user, hours_id)
    messages.success(request, _("Die Öffnungszeit ist gelöscht."))
    return _redirect("hours", authority)


@staff_required(role=ROLE)
@require_POST
def special_day_delete(request, authority_id: int, special_day_id: int):
    authority = services.admin_authority(request.user, authority_id)
    services.delete_special_day(authority, request.user, special_day_id)
    messages.success(request, _("Der Sondertag ist gelöscht."))
    return _redirect("hours", authority)


# --- keys -------------------------------------------------------------------------------------------------


@never_cache
@staff_required(role=ROLE)
@require_http_methods(["GET", "POST"])
def keys(request, authority_id: int):
    authority = services.admin_authority(request.user, authority_id)
    form = forms.RotateKeyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            row = services.rotate_key(authority, request.user)
        except AdminError as exc:
            form.add_error(None, str(exc))
        else:
            from amtsweg.cases.crypto import fingerprint

            messages.success(
                request, _("Der neue Schlüssel ist aktiv. Fingerabdruck: %(fp)s") % {"fp": fingerprint(row)}
            )
            return _redirect("keys", authority)
    return _page(
        request,
        authority,
        "keys",
        {"keys": services.keys_of(authority), "form": form},
        status=400 if form.is_bound else 200,
    )


# --- workload ---------------------------------------------------------------------------------------------


@never_cache
@staff_required(role=ROLE)
@require_GET
def workload(request, authority_id: int):
    authority = services.admin_authority(request.user, authority_id)
    return _page(request, authority, "workload", {"rows": services.workload(authority)})


# --- processing targets and four eyes ------------------------------------------------------------------


@never_cache
@staff_required(role=ROLE)
@require_http_methods(["GET", "POST"])
def procedures(request, authority_id: int):
    authority = services.admin_authority(request.user, authority_id)
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = forms.ProcedureSettingForm(request.POST)
        key = request.POST.get("procedure_key", "")
        if form.is_valid():
            try:
                services.set_procedure_setting(
                    authority,
                    request.user,
                    form.cleaned_data["procedure_key"],
                    processing_days=form.cleaned_data["processing_days"],
                    second_approval=form.cleaned_data["second_approval"],
                )
            except AdminError as exc:
                errors[key] = str(exc)
            else:
                messages.success(request, _("Die Einstellungen des Verfahrens sind gespeichert."))
                return _redirect("procedures", authority)
        else:
            errors[key] = " ".join(e for field_errors in form.errors.values() for e in field_errors)
    rows = services.procedure_rows(authority)
    for row in rows:
        row.error = errors.get(row.key, "")
    if errors and not any(row.error for row in rows):
        messages.error(request, next(iter(errors.values())))
    return _page(request, authority, "procedures", {"rows": rows}, status=400 if errors else 200)


# --- letterhead and signatory ----------------------------------------------------------------------------


@never_cache
@staff_required(role=ROLE)
@require_http_methods(["GET", "POST"])
def letter(request, authority_id: int):
    from amtsweg.backoffice.services import letter_settings

    authority = services.admin_authority(request.user, authority_id)
    current = letter_settings(authority)
    initial = {
        "letterhead": current.letterhead,
        "signatory_name": current.signatory_name,
        "signatory_title": current.signatory_title,
        "footer": current.footer,
    }
    form = forms.LetterSettingsForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_letter_settings(authority, request.user, **form.cleaned_data)
        except AdminError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Briefkopf und Unterschrift sind gespeichert."))
            return _redirect("letter", authority)
    return _page(
        request, authority, "letter", {"form": form, "current": current}, status=400 if form.is_bound else 200
    )


# --- absences ----------------------------------------------------------------------------------------------


@never_cache
@staff_required(role=ROLE)
@require_http_methods(["GET", "POST"])
def absences(request, authority_id: int):
    authority = services.admin_authority(request.user, authority_id)
    form = forms.AbsenceForm(
        request.POST if request.method == "POST" else None,
        staff=services.active_staff_choices(authority),
        substitutes=services.active_staff_choices(authority, case_workers_only=True),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.add_absence(
                authority, request.user, user_id=data["user"], starts_on=data["starts_on"],
                ends_on=data["ends_on"], substitute_id=data["substitute"],
            )  # fmt: skip
        except AdminError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Die Abwesenheit ist eingetragen."))
            return _redirect("absences", authority)
    return _page(
        request,
        authority,
        "absences",
        {"form": form, "absences": services.absences_of(authority)},
        status=400 if form.is_bound else 200,
    )


@staff_required(role=ROLE)
@require_POST
def absence_delete(request, authority_id: int, absence_id: int):
    authority = services.admin_authority(request.user, authority_id)
    services.delete_absence(authority, request.user, absence_id)
    messages.success(request, _("Die Abwesenheit ist gelöscht."))
    return _redirect("absences", authority)
