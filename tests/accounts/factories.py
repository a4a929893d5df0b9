"""Test data for accounts: plain functions, no fixture files."""

from __future__ import annotations

import itertools
import time

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from amtsweg.accounts.models import (
    DataAccessRecord,
    Mandate,
    Organisation,
    OrganisationMembership,
    StaffMembership,
    User,
)
from amtsweg.accounts.trust import TrustLevel, set_session_trust_level

PASSWORD = "Kein-Passwort-2026!"
_counter = itertools.count(1)
_hash_cache: dict[str, str] = {}


def _password_hash() -> str:
    from django.contrib.auth.hashers import make_password

    if PASSWORD not in _hash_cache:
        _hash_cache[PASSWORD] = make_password(PASSWORD)
    return _hash_cache[PASSWORD]


def make_user(
    email: str | None = None, *, password: str | None = PASSWORD, verified: bool = True, **fields
) -> User:
    n = next(_counter)
    user = User(
        username=fields.pop("username", f"test-{n}"),
        email=email if email is not None else f"person{n}@example.org",
        first_name=fields.pop("first_name", "Testa"),
        last_name=fields.pop("last_name", f"Person{n}"),
        **fields,
    )
    if password == PASSWORD:
        user.password = _password_hash()  # one argon2 hash for all test users: hashing is slow on purpose
    elif password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    if verified:
        from django.utils import timezone

        user.email_verified_at = timezone.now()
    user.save()
    return user


def make_authority(name: str | None = None, key: str | None = None):
    from amtsweg.directory.models import Authority

    n = next(_counter)
    return Authority.objects.create(key=key or f"testbehoerde-{n}", name=name or f"Testbehörde {n}")


def make_staff(authority, roles=("case_worker",), *, username: str | None = None, totp: bool = True):
    user = make_user(username=username or f"staff-{next(_counter)}")
    membership = StaffMembership.objects.create(user=user, authority=authority, **{r: True for r in roles})
    device = TOTPDevice.objects.create(user=user, name="Test-App", confirmed=True) if totp else None
    return user, device, membership


def totp_code(device: TOTPDevice, at: float | None = None) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = at if at is not None else time.time()
    return f"{totp.token():0{device.digits}d}"


def static_codes(user, codes=("rettung-1234",)) -> StaticDevice:
    device = StaticDevice.objects.create(user=user, name="Wiederherstellungscodes", confirmed=True)
    for code in codes:
        device.token_set.create(token=code)
    return device


def make_organisation(owner=None, name: str | None = None, role="owner", **fields) -> Organisation:
    organisation = Organisation.objects.create(name=name or f"Testfirma {next(_counter)} GmbH", **fields)
    if owner is not None:
        OrganisationMembership.objects.create(organisation=organisation, user=owner, role=role)
    return organisation


def make_mandate(principal, agent, **fields) -> Mandate:
    kwargs = (
        {"principal_organisation": principal}
        if isinstance(principal, Organisation)
        else {"principal_user": principal}
    )
    fields.setdefault("all_procedures", True)
    return Mandate.objects.create(agent=agent, **kwargs, **fields)


def make_access_record(subject, authority, actor=None, purpose="Prüfung des Antrags", reference="TEST-1"):
    return DataAccessRecord.objects.create(
        subject_user=subject, authority=authority, actor=actor, purpose=purpose, reference=reference
    )


def login_citizen(client, user, level=TrustLevel.NIEDRIG, provider="test"):
    """Log in as if through a provider with `level` (the level lives in the server-side session)."""
    client.force_login(user, backend="amtsweg.accounts.backends.EmailOrUsernameBackend")
    session = client.session

    class _Request:
        pass

    request = _Request()
    request.session = session
    set_session_trust_level(request, TrustLevel(level), provider)
    session.save()
    return client


def login_staff(client, user, device):
    """A staff session with a verified second factor, as after the two-step login."""
    client.force_login(user, backend="amtsweg.accounts.backends.EmailOrUsernameBackend")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session["amtsweg.staff_last_seen"] = int(time.time())
    session.save()
    return client


# --- makers for tests/isolation_registry.py: make(owner) -> URL kwargs or a marker text
# ----------------------------
def organisation_of(user) -> dict:
    return {"pk": make_organisation(owner=user).pk}


def organisation_member_of(user) -> dict:
    organisation = make_organisation(owner=user)
    other = OrganisationMembership.objects.create(organisation=organisation, user=make_user(), role="member")
    return {"pk": organisation.pk, "member_id": other.pk}


def members_unchanged(kwargs) -> bool:
    memberships = OrganisationMembership.objects.filter(organisation_id=kwargs["pk"])
    return memberships.count() == (2 if "member_id" in kwargs else 1)


def mandate_of(user) -> dict:
    return {"pk": make_mandate(user, make_user()).pk}


def mandate_not_revoked(kwargs) -> bool:
    return Mandate.objects.get(pk=kwargs["pk"]).revoked_at is None


def name_marker_of(user) -> str:
    user.first_name = f"Marker{user.pk}x"
    user.save(update_fields=["first_name"])
    return user.first_name


def access_record_marker_of(user) -> str:
    purpose = f"Zweck-Marker-{user.pk}"
    make_access_record(user, make_authority(), purpose=purpose)
    return purpose


def organisation_marker_of(user) -> str:
    return make_organisation(owner=user, name=f"Firma-Marker-{user.pk} GmbH").name


def mandate_marker_of(user) -> str:
    agent = make_user(first_name=f"Agent-Marker-{user.pk}")
    make_mandate(user, agent)
    return agent.first_name


def authority_kwargs(authority) -> dict:
    return {"authority_id": authority.pk}


def authority_name(authority) -> str:
    return authority.name


def colleague_name_at(authority) -> str:
    user, _device, _membership = make_staff(authority, ("case_worker",))
    user.last_name = f"Kollegin-Marker-{authority.pk}"
    user.save(update_fields=["last_name"])
    return user.last_name


def access_purpose_at(authority) -> str:
    purpose = f"Zugriff-Marker-{authority.pk}"
    make_access_record(make_user(), authority, purpose=purpose)
    return purpose
