"""Citizen login (identity providers and local accounts), logout, registration, e-mail verification,
lock-out."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, logout
from django.contrib.auth import login as auth_login
from django.core import signing
from django.core.mail import send_mail
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from amtsweg.accounts.backends import UNUSABLE_PREFIX
from amtsweg.accounts.forms import LoginForm, RegistrationForm
from amtsweg.accounts.login import BACKEND, login_with_identity, new_username
from amtsweg.accounts.models import User
from amtsweg.accounts.providers import LoginError, UnknownProvider, enabled_providers, get_provider
from amtsweg.accounts.tenancy import is_staff_member
from amtsweg.accounts.trust import TrustLevel, current_trust_level, set_session_trust_level, step_up_url
from amtsweg.accounts.views.common import safe_next

logger = logging.getLogger("amtsweg.accounts.security")

VERIFY_SALT = "amtsweg.accounts.verify-email"


def _level_from(value) -> TrustLevel | None:
    if not value:
        return None
    try:
        return TrustLevel.parse(value)
    except ValueError:
        return None


def _login_page(request, *, form=None, error=None, status=200, next_url=None, level=None):
    level = level if level is not None else _level_from(request.GET.get("stufe"))
    next_url = next_url or safe_next(request, request.GET.get("next"))
    providers = enabled_providers(level)
    local = next((p for p in providers if p.key == "local"), None)
    return render(
        request,
        "accounts/login.html",
        {
            "form": form or LoginForm(),
            "error": error,
            "next": next_url,
            "required_level": level,
            "achieved_level": current_trust_level(request),
            "redirect_providers": [p for p in providers if p.redirect_based],
            "local_allowed": local is not None,
        },
        status=status,
    )


@never_cache
@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def login_page(request):
    level = _level_from(request.GET.get("stufe") or request.POST.get("stufe"))
    next_url = safe_next(request, request.GET.get("next") or request.POST.get("next"))
    if request.method == "GET":
        if request.user.is_authenticated and level is None and request.GET.get("next") is None:
            return HttpResponseRedirect(reverse("accounts:profile"))
        return _login_page(request, level=level, next_url=next_url)

    # Local login: e-mail address and password, trust level niedrig.
    form = LoginForm(request.POST)
    if level is not None and level > TrustLevel.NIEDRIG:
        return _login_page(
            request,
            form=form,
            level=level,
            next_url=next_url,
            status=400,
            error=_("Mit E-Mail-Adresse und Passwort erreichen Sie nur das Vertrauensniveau „niedrig“."),
        )
    if not form.is_valid():
        return _login_page(request, form=form, level=level, next_url=next_url, status=400)
    user = authenticate(
        request, username=form.cleaned_data["username"], password=form.cleaned_data["password"]
    )
    if getattr(request, "axes_locked_out", False):
        return _login_page(request, form=LoginForm(), level=level, next_url=next_url, status=429)
    if user is None:
        logger.warning("local login failed")
        return _login_page(
            request,
            form=form,
            level=level,
            next_url=next_url,
            status=400,
            error=_("E-Mail-Adresse oder Passwort ist falsch."),
        )
    if is_staff_member(user) or user.is_superuser:
        logger.warning("staff account used the citizen login", extra={"user_id": user.pk})
        return _login_page(
            request,
            form=LoginForm(),
            level=level,
            next_url=next_url,
            status=400,
            error=_("Konten von Beschäftigten melden sich über die Anmeldung für die Verwaltung an."),
        )
    if user.email_verified_at is None:
        return _login_page(
            request,
            form=form,
            level=level,
            next_url=next_url,
            status=400,
            error=_(
                "Bitte bestätigen Sie zuerst Ihre E-Mail-Adresse über den Link in unserer E-Mail. "
                "Sie können den Link unter „Registrieren“ erneut anfordern."
            ),
        )
    auth_login(request, user, backend=BACKEND)
    set_session_trust_level(request, TrustLevel.NIEDRIG, "local")
    logger.info("login", extra={"user_id": user.pk, "provider": "local", "trust_level": "niedrig"})
    return HttpResponseRedirect(next_url)


def _unknown_provider(request):
    logger.warning("login with an unknown or disabled identity provider", extra={"path": request.path[:200]})
    return _login_page(
        request, status=404, error=_("Diesen Anmeldedienst gibt es hier nicht (oder er ist abgeschaltet).")
    )


@never_cache
@require_POST
def oidc_start(request, provider: str):
    try:
        plugin = get_provider(provider)
    except UnknownProvider:
        return _unknown_provider(request)
    if not plugin.redirect_based:
        return _unknown_provider(request)
    level = _level_from(request.POST.get("stufe"))
    next_url = safe_next(request, request.POST.get("next"))
    try:
        return plugin.start(request, next_url=next_url, min_level=level)
    except LoginError as error:
        logger.warning("login start failed", extra={"provider": provider, "reason": error.reason})
        return _login_page(request, status=502, error=error.message, level=level, next_url=next_url)


@never_cache
@require_GET
def oidc_callback(request, provider: str):
    try:
        plugin = get_provider(provider)
    except UnknownProvider:
        return _unknown_provider(request)
    if not plugin.redirect_based:
        return _unknown_provider(request)
    try:
        identity, flow = plugin.complete(request)
        login_with_identity(request, identity, flow)
    except LoginError as error:
        logger.warning("login rejected", extra={"provider": provider, "reason": error.reason})
        return _login_page(request, status=400, error=error.message)
    next_url = safe_next(request, flow.get("next"))
    required = flow.get("min_level")
    if required and identity.trust_level < required:
        messages.warning(
            request,
            _("Die Anmeldung hat nur das Vertrauensniveau „%(achieved)s“ erreicht; nötig ist „%(required)s“.")
            % {"achieved": identity.trust_level.label, "required": TrustLevel(required).label},
        )
        return HttpResponseRedirect(step_up_url(TrustLevel(required), next_url))
    messages.success(
        request,
        _("Sie sind angemeldet (Vertrauensniveau „%(level)s“).") % {"level": identity.trust_level.label},
    )
    return HttpResponseRedirect(next_url)


@require_POST
def logout_view(request):
    logout(request)
    messages.info(request, _("Sie sind abgemeldet."))
    return HttpResponseRedirect(reverse("core:home"))


# --- registration and e-mail verification
# ----------------------------------------------------------------------------
def _verification_link(request, user) -> str:
    token = signing.dumps({"u": user.pk, "e": user.email}, salt=VERIFY_SALT, compress=True)
    return settings.BASE_URL + reverse("accounts:verify_email", args=[token])


def send_verification_mail(request, user) -> None:
    context = {
        "user": user,
        "link": _verification_link(request, user),
        "days": settings.EMAIL_VERIFICATION_DAYS,
    }
    send_mail(
        _("Bitte bestätigen Sie Ihre E-Mail-Adresse"),
        render_to_string("accounts/email/verify_email.txt", context),
        None,
        [user.email],
    )


def _send_already_registered_mail(user) -> None:
    context = {
        "user": user,
        "login": settings.BASE_URL + reverse("accounts:login"),
        "reset": settings.BASE_URL + reverse("accounts:password_reset"),
    }
    send_mail(
        _("Sie haben bereits ein Konto"),
        render_to_string("accounts/email/already_registered.txt", context),
        None,
        [user.email],
    )


@never_cache
@sensitive_post_parameters("password1", "password2")
@require_http_methods(["GET", "POST"])
def register(request):
    form = RegistrationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        existing = (
            User.objects.filter(email__iexact=email).exclude(password__startswith=UNUSABLE_PREFIX).first()
        )
        if existing is not None:
            # Same answer as for a new address, so nobody can find out who has an account here.
            if existing.email_verified_at is None:
                send_verification_mail(request, existing)
            else:
                _send_already_registered_mail(existing)
        else:
            user = User(
                username=new_username("lokal"),
                email=email,
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
            )
            user.set_password(form.cleaned_data["password1"])
            user.save()
            send_verification_mail(request, user)
            logger.info("local account registered", extra={"user_id": user.pk})
        return render(request, "accounts/registration_sent.html", {"email": email})
    return render(request, "accounts/register.html", {"form": form}, status=400 if form.is_bound else 200)


@never_cache
@require_GET
def verify_email(request, token: str):
    try:
        data = signing.loads(token, salt=VERIFY_SALT, max_age=settings.EMAIL_VERIFICATION_DAYS * 86400)
    except signing.SignatureExpired:
        return render(
            request,
            "accounts/verify_failed.html",
            {
                "reason": _(
                    "Der Bestätigungslink ist abgelaufen. Bitte registrieren Sie sich erneut, "
                    "um einen neuen Link zu erhalten."
                )
            },
            status=400,
        )
    except signing.BadSignature:
        logger.warning("e-mail verification with a forged or damaged link")
        return render(
            request,
            "accounts/verify_failed.html",
            {
                "reason": _(
                    "Der Bestätigungslink ist ungültig. Bitte prüfen Sie, ob Sie ihn "
                    "vollständig kopiert haben."
                )
            },
            status=400,
        )
    user = User.objects.filter(pk=data.get("u"), deleted_at__isnull=True, is_active=True).first()
    if user is None or user.email.lower() != str(data.get("e", "")).lower():
        return render(
            request,
            "accounts/verify_failed.html",
            {"reason": _("Zu diesem Link gibt es kein Konto (mehr).")},
            status=400,
        )
    if user.email_verified_at is None:
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])
        logger.info("e-mail verified", extra={"user_id": user.pk})
    messages.success(request, _("Ihre E-Mail-Adresse ist bestätigt. Sie können sich jetzt anmelden."))
    return HttpResponseRedirect(reverse("accounts:login"))


def locked_out(request, original_response=None, credentials=None, *args, **kwargs):
    """django-axes lock-out answer (AXES_LOCKOUT_CALLABLE): German, 429, no hint whether the account
    exists."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60) if settings.AXES_COOLOFF_TIME else None
    logger.warning("login locked out after too many failures", extra={"path": request.path[:200]})
    return render(request, "accounts/locked_out.html", {"minutes": minutes}, status=429)
