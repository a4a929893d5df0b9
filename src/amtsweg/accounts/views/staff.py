"""Staff login (password, then TOTP or a recovery code), enrolment, staff home and authority pages."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth import authenticate, logout
from django.contrib.auth import login as auth_login
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticToken

from amtsweg.accounts import staff
from amtsweg.accounts.forms import CodeForm, EnrolForm, StaffLoginForm
from amtsweg.accounts.login import BACKEND
from amtsweg.accounts.models import DataAccessRecord, StaffMembership
from amtsweg.accounts.tenancy import authorities_for, is_staff_member, staff_memberships_for, staff_required
from amtsweg.accounts.trust import TrustLevel, set_session_trust_level
from amtsweg.accounts.views.common import safe_next

logger = logging.getLogger("amtsweg.accounts.security")
NEXT_KEY = "amtsweg.staff_next"


def _staff_home():
    return reverse("accounts:staff_home")


def _finish(request, user, device) -> HttpResponseRedirect:
    next_url = safe_next(request, request.session.get(NEXT_KEY), _staff_home())
    staff.clear_pending(request)
    auth_login(request, user, backend=BACKEND)
    otp_login(request, device)
    set_session_trust_level(request, TrustLevel.NIEDRIG, "staff")
    staff.touch(request)
    logger.info("staff login with second factor", extra={"user_id": user.pk, "device": device.persistent_id})
    return HttpResponseRedirect(next_url)


@never_cache
@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def staff_login(request):
    if request.user.is_authenticated and request.user.is_verified() and is_staff_member(request.user):
        return HttpResponseRedirect(_staff_home())
    form = StaffLoginForm(request.POST if request.method == "POST" else None)
    if request.method == "GET":
        return render(request, "accounts/staff/login.html", {"form": form})
    error = None
    if form.is_valid():
        user = authenticate(
            request, username=form.cleaned_data["username"], password=form.cleaned_data["password"]
        )
        if getattr(request, "axes_locked_out", False):
            return render(request, "accounts/staff/login.html", {"form": StaffLoginForm()}, status=429)
        if user is not None and is_staff_member(user):
            if request.user.is_authenticated:
                logout(request)  # a citizen session in the same browser ends here
            next_url = request.GET.get("next") or request.POST.get("next")
            staff.begin_pending_login(request, user)
            request.session[NEXT_KEY] = safe_next(request, next_url, _staff_home())
            target = "accounts:staff_code" if staff.has_confirmed_totp(user) else "accounts:staff_enrol"
            return HttpResponseRedirect(reverse(target))
        logger.warning(
            "staff login failed", extra={"reason": "not staff" if user is not None else "bad credentials"}
        )
        error = _("Benutzername oder Passwort ist falsch, oder das Konto hat keinen Zugang zur Verwaltung.")
    return render(request, "accounts/staff/login.html", {"form": form, "error": error}, status=400)


@never_cache
@require_http_methods(["GET", "POST"])
def staff_code(request):
    user = staff.pending_user(request)
    if user is None:
        messages.warning(request, _("Bitte melden Sie sich zuerst mit Benutzername und Passwort an."))
        return HttpResponseRedirect(reverse("accounts:staff_login"))
    if not staff.has_confirmed_totp(user):
        return HttpResponseRedirect(reverse("accounts:staff_enrol"))
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid() and staff.second_factor_throttled(user):
        form.add_error("code", _("Zu viele Versuche in kurzer Zeit. Bitte warten Sie einige Sekunden."))
    elif request.method == "POST" and form.is_valid():
        device = staff.verify_second_factor(user, form.cleaned_data["code"])
        if device is not None:
            return _finish(request, user, device)
        attempts = staff.count_failed_code(request)
        logger.warning("staff second factor rejected", extra={"user_id": user.pk, "attempts": attempts})
        if attempts >= staff.MAX_CODE_ATTEMPTS:
            messages.error(request, _("Zu viele falsche Codes. Bitte melden Sie sich erneut an."))
            return HttpResponseRedirect(reverse("accounts:staff_login"))
        form.add_error("code", _("Der Code ist falsch oder abgelaufen. Bitte versuchen Sie es erneut."))
    return render(request, "accounts/staff/code.html", {"form": form}, status=400 if form.is_bound else 200)


@never_cache
@require_http_methods(["GET", "POST"])
def staff_enrol(request):
    user = staff.pending_user(request)
    if user is None:
        messages.warning(request, _("Bitte melden Sie sich zuerst mit Benutzername und Passwort an."))
        return HttpResponseRedirect(reverse("accounts:staff_login"))
    if staff.has_confirmed_totp(user):
        return HttpResponseRedirect(reverse("accounts:staff_code"))
    device = staff.pending_totp_device(user)
    form = EnrolForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        codes = staff.confirm_totp_enrolment(user, device, form.cleaned_data["code"])
        if codes is not None:
            response = _finish(request, user, device)
            logger.info("staff TOTP enrolled", extra={"user_id": user.pk})
            return render(
                request, "accounts/staff/recovery_codes.html", {"codes": codes, "next": response["Location"]}
            )
        attempts = staff.count_failed_code(request)
        if attempts >= staff.MAX_CODE_ATTEMPTS:
            messages.error(request, _("Zu viele falsche Codes. Bitte melden Sie sich erneut an."))
            return HttpResponseRedirect(reverse("accounts:staff_login"))
        form.add_error(
            "code",
            _("Der Code passt nicht. Prüfen Sie die Uhrzeit Ihres Geräts und versuchen Sie es erneut."),
        )
    return render(
        request,
        "accounts/staff/enrol.html",
        {
            "form": form,
            "qr_code": staff.qr_code_data_uri(device.config_url),
            "secret": staff.totp_secret_base32(device),
        },
        status=400 if form.is_bound else 200,
    )


@require_POST
def staff_logout(request):
    logout(request)
    messages.info(request, _("Sie sind abgemeldet."))
    return HttpResponseRedirect(reverse("accounts:staff_login"))


@never_cache
@staff_required
@require_GET
def staff_home(request):
    return render(request, "accounts/staff/home.html", {"memberships": staff_memberships_for(request.user)})


@never_cache
@staff_required
@require_GET
def staff_authority(request, authority_id: int):
    authority = get_object_or_404(authorities_for(request.user), pk=authority_id)
    own = StaffMembership.objects.get(user=request.user, authority=authority)
    colleagues = None
    if own.authority_admin:
        colleagues = (
            StaffMembership.objects.filter(authority=authority)
            .select_related("user")
            .order_by("user__last_name")
        )
    return render(
        request,
        "accounts/staff/authority.html",
        {"authority": authority, "own": own, "colleagues": colleagues},
    )


@never_cache
@staff_required(role="auditor")
@require_GET
def staff_access_log(request, authority_id: int):
    authority = get_object_or_404(authorities_for(request.user, "auditor"), pk=authority_id)
    records = (
        DataAccessRecord.objects.for_staff(request.user, "auditor")
        .filter(authority=authority)
        .select_related("actor")[:500]
    )
    return render(request, "accounts/staff/access_log.html", {"authority": authority, "records": records})


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def staff_recovery_codes(request):
    if request.method == "POST":
        codes = staff.new_recovery_codes(request.user)
        logger.info("staff recovery codes renewed", extra={"user_id": request.user.pk})
        return render(request, "accounts/staff/recovery_codes.html", {"codes": codes, "next": _staff_home()})
    remaining = StaticToken.objects.filter(
        device__user=request.user, device__name=staff.RECOVERY_DEVICE_NAME
    ).count()
    return render(request, "accounts/staff/recovery_status.html", {"remaining": remaining})
