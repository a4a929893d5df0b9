"""Staff login helpers: client address and allowed networks, the pending login between password and second
factor,
TOTP enrolment and recovery codes (django-otp), idle timeout."""

from __future__ import annotations

import ipaddress
import logging
import time
from base64 import b32encode

import segno
from django.conf import settings
from django.db import transaction
from django_otp import verify_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

logger = logging.getLogger("amtsweg.accounts.security")

PENDING_KEY = "amtsweg.staff_pending"
PENDING_TTL_SECONDS = 300
MAX_CODE_ATTEMPTS = 5
LAST_SEEN_KEY = "amtsweg.staff_last_seen"
LAST_SEEN_WRITE_INTERVAL = 30
RECOVERY_DEVICE_NAME = "Wiederherstellungscodes"
DEMO_RECOVERY_DEVICE_NAME = "Demo-Wiederherstellungscode (nur Demo-Modus)"
RECOVERY_CODE_COUNT = 10


# --- where the request comes from
# ------------------------------------------------------------------------------------
def client_ip(request) -> str:
    """REMOTE_ADDR, or behind a trusted proxy (AMTSWEG_TRUST_PROXY_HEADERS) the address the proxy saw."""
    if getattr(settings, "TRUST_PROXY_HEADERS", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1]
    return request.META.get("REMOTE_ADDR", "")


def parse_networks(values) -> list:
    return [ipaddress.ip_network(value.strip(), strict=False) for value in values if value.strip()]


def network_allowed(request) -> bool:
    networks = getattr(settings, "STAFF_NETWORKS", [])
    if not networks:
        return True
    try:
        address = ipaddress.ip_address(client_ip(request))
    except ValueError:
        return False
    return any(address in network for network in parse_networks(networks))


# --- the half-finished login (password checked, second factor missing): nothing is logged in yet
# --------------------
def begin_pending_login(request, user) -> None:
    request.session.cycle_key()
    request.session[PENDING_KEY] = {"user": user.pk, "at": time.time(), "attempts": 0}


def pending_user(request):
    from amtsweg.accounts.models import User

    data = request.session.get(PENDING_KEY)
    if not isinstance(data, dict) or time.time() - data.get("at", 0) > PENDING_TTL_SECONDS:
        request.session.pop(PENDING_KEY, None)
        return None
    return User.objects.filter(pk=data.get("user"), is_active=True, deleted_at__isnull=True).first()


def count_failed_code(request) -> int:
    data = request.session.get(PENDING_KEY) or {}
    data["attempts"] = data.get("attempts", 0) + 1
    if data["attempts"] >= MAX_CODE_ATTEMPTS:
        request.session.pop(PENDING_KEY, None)
    else:
        request.session[PENDING_KEY] = data
    return data["attempts"]


def clear_pending(request) -> None:
    request.session.pop(PENDING_KEY, None)


# --- second factor
# ---------------------------------------------------------------------------------------------------
def normalise_code(token: str) -> str:
    return "".join((token or "").split()).lower()[:32]


def has_confirmed_totp(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def second_factor_throttled(user) -> bool:
    """django-otp waits longer after each wrong code (1 s, 2 s, 4 s, …); true while the user must wait."""
    return any(
        not device.verify_is_allowed()[0] for device in TOTPDevice.objects.filter(user=user, confirmed=True)
    )


def verify_second_factor(user, token: str):
    """The device (TOTP or recovery codes) that accepts the code, or None. Each code works once."""
    code = normalise_code(token)
    if not code:
        return None
    devices = list(TOTPDevice.objects.filter(user=user, confirmed=True)) if code.isdigit() else []
    devices += list(StaticDevice.objects.filter(user=user, confirmed=True))
    for device in devices:
        verified = verify_token(user, device.persistent_id, code)
        if verified is not None:
            if settings.DEMO and verified.name == DEMO_RECOVERY_DEVICE_NAME:
                # Demo mode only: the fixed demo recovery code stays usable, so every tester can log in.
                StaticToken.objects.get_or_create(device=verified, token=code)
            return verified
    return None


def pending_totp_device(user) -> TOTPDevice:
    """The unconfirmed device of an enrolment in progress (one per user)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator-App", confirmed=False)
    return device


def totp_secret_base32(device: TOTPDevice) -> str:
    return b32encode(device.bin_key).decode().rstrip("=")


def qr_code_data_uri(text: str) -> str:
    return segno.make(text, error="m").svg_data_uri(scale=5, border=2, dark="#000000", light="#ffffff")


@transaction.atomic
def confirm_totp_enrolment(user, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm the device with a first code; returns fresh recovery codes, or None when the code is wrong."""
    code = normalise_code(token)
    if not code.isdigit() or device.user_id != user.pk or device.confirmed:
        return None
    if not device.verify_token(code):
        return None
    device.confirmed = True
    device.save()
    return new_recovery_codes(user)


@transaction.atomic
def new_recovery_codes(user) -> list[str]:
    """Replace the user's recovery codes with ten new ones (shown once, stored as django-otp static
    tokens)."""
    device, _created = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_DEVICE_NAME)
    device.confirmed = True
    device.save()
    device.token_set.all().delete()
    codes = []
    for _index in range(RECOVERY_CODE_COUNT):
        code = StaticToken.random_token()
        device.token_set.create(token=code)
        codes.append(code)
    return codes


# --- idle timeout
# ----------------------------------------------------------------------------------------------------
def idle_timeout_seconds() -> int:
    return int(getattr(settings, "STAFF_IDLE_SECONDS", 900))


def touch(request, now: float | None = None) -> None:
    now = now or time.time()
    last = request.session.get(LAST_SEEN_KEY)
    if not isinstance(last, (int, float)) or now - last >= LAST_SEEN_WRITE_INTERVAL:
        request.session[LAST_SEEN_KEY] = int(now)


def is_idle_expired(request, now: float | None = None) -> bool:
    timeout = idle_timeout_seconds()
    last = request.session.get(LAST_SEEN_KEY)
    if timeout <= 0 or not isinstance(last, (int, float)):
        return False
    return (now or time.time()) - last > timeout
