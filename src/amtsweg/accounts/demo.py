"""Demo data of the accounts app (order 40): fictional citizens, a local demo login, staff with TOTP enrolled.

Demo mode only. All people and companies are invented. The demo staff share one password and one fixed
recovery
code; both are printed at start and work only because this is a demo.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from amtsweg.accounts.models import (
    STAFF_ROLES,
    DataAccessRecord,
    ExternalIdentity,
    Mandate,
    StaffMembership,
    User,
)
from amtsweg.accounts.staff import DEMO_RECOVERY_DEVICE_NAME
from amtsweg.accounts.trust import TrustLevel
from amtsweg.core.demo import demo_loader
from amtsweg.sandbox_eid.identities import BY_KEY, IDENTITIES

DEMO_PASSWORD = "amtsweg-demo"  # noqa: S105 (demo mode only, printed at start)
DEMO_RECOVERY_CODE = "demo-2fa-code"
LOCAL_CITIZEN_EMAIL = "dora.demo@example.org"

# (username, first name, last name, authority slot, roles)
DEMO_STAFF = [
    ("demo-stadt-sb", "Sabine", "Sachbearbeiterin-Demo", "stadt", ["case_worker"]),
    ("demo-stadt-leitung", "Lutz", "Leiter-Demo", "stadt", ["approver", "authority_admin"]),
    ("demo-lra-sb", "Karl", "Kreisbeispiel", "landkreis", ["case_worker", "approver"]),
    ("demo-lra-pruefung", "Petra", "Prüferin-Demo", "landkreis", ["auditor"]),
    ("demo-buergerkoffer", "Bea", "Bürgerkoffer-Demo", "landkreis", ["assisted_operator"]),
    ("demo-lfulg-sb", "Gerd", "Geologe-Demo", "lfulg", ["case_worker", "approver"]),
]


_hash_cache: dict[str, str] = {}


def _demo_password_hash() -> str:
    """One argon2 hash for all demo accounts: hashing takes about a second here, on purpose."""
    if "demo" not in _hash_cache:
        _hash_cache["demo"] = make_password(DEMO_PASSWORD)
    return _hash_cache["demo"]


def _authorities() -> dict:
    from amtsweg.directory.models import Authority

    town = (
        Authority.objects.filter(name__icontains="Annaberg-Buchholz")
        .exclude(key__startswith="landratsamt")
        .order_by("is_generated", "key")
        .first()
    )
    if town is None:
        town, _created = Authority.objects.get_or_create(
            key="demo-stadt-annaberg-buchholz", defaults={"name": "Stadtverwaltung Annaberg-Buchholz (Demo)"}
        )
    district, _created = Authority.objects.get_or_create(
        key="landratsamt-erzgebirgskreis", defaults={"name": "Landratsamt Erzgebirgskreis"}
    )
    lfulg, _created = Authority.objects.get_or_create(
        key="lfulg", defaults={"name": "Sächsisches Landesamt für Umwelt, Landwirtschaft und Geologie"}
    )
    return {"stadt": town, "landkreis": district, "lfulg": lfulg}


def _local_citizen() -> User:
    user, _created = User.objects.get_or_create(
        username="demo-dora",
        defaults={"email": LOCAL_CITIZEN_EMAIL, "first_name": "Dora", "last_name": "Demo-Lokal"},
    )
    if _created or not user.has_usable_password():
        user.password = _demo_password_hash()
    user.email_verified_at = user.email_verified_at or timezone.now()
    user.save()
    return user


def _sandbox_citizen(key: str) -> User:
    """Pre-create the account a sandbox identity gets at its first login, so the demo has history to show."""
    identity = BY_KEY[key]
    link = (
        ExternalIdentity.objects.filter(provider="sandbox", subject=identity.subject)
        .select_related("user")
        .first()
    )
    if link is not None:
        return link.user
    user = User(
        username=f"demo-sandbox-{key}",
        first_name=identity.given_name,
        last_name=identity.family_name,
        email=identity.email,
        street_address=identity.street_address,
        postal_code=identity.postal_code,
        locality=identity.locality,
        identity_verified_level=int(TrustLevel.HOCH),
    )
    user.set_unusable_password()
    user.save()
    ExternalIdentity.objects.create(
        user=user, provider="sandbox", subject=identity.subject, trust_level=int(TrustLevel.HOCH)
    )
    return user


def _staff(username, first_name, last_name, authority, roles) -> tuple[User, str]:
    user, _created = User.objects.get_or_create(
        username=username,
        defaults={"first_name": first_name, "last_name": last_name, "email": f"{username}@example.org"},
    )
    if _created or not user.has_usable_password():
        user.password = _demo_password_hash()
        user.save()
    membership, _created = StaffMembership.objects.get_or_create(user=user, authority=authority)
    for role in roles:
        setattr(membership, role, True)
    membership.is_active = True
    membership.save()
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Demo-Authenticator", confirmed=True)
    recovery, _created = StaticDevice.objects.get_or_create(
        user=user, name=DEMO_RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
    )
    recovery.token_set.get_or_create(token=DEMO_RECOVERY_CODE)
    return user, device.config_url


@demo_loader(order=40)
def load_accounts() -> list[str]:
    if not (settings.DEMO or settings.TESTING):
        return ["Konten: keine Demo-Zugänge angelegt (nur im Demo-Modus)."]
    authorities = _authorities()
    _local_citizen()
    erika = _sandbox_citizen("erika")
    max_testmann = _sandbox_citizen("max")
    Mandate.objects.get_or_create(
        principal_user=erika,
        agent=max_testmann,
        note="Demo: Max Testmann darf für Erika Beispiel-Musterfrau Bohranzeigen einreichen.",
        defaults={"procedure_keys": ["bohranzeige"], "created_by": erika},
    )
    lines = [
        "Bürgerinnen und Bürger (Sandbox-eID, /anmelden/ → „Weiter mit Sandbox-eID“, "
        "Vertrauensniveau frei wählbar): "
        + ", ".join(f"{i.given_name} {i.family_name}" for i in IDENTITIES if not i.is_organisation),
        "Firmen (Sandbox-eID, Unternehmenskonto): "
        + ", ".join(
            f"{i.organisation_name} – {i.given_name} {i.family_name}" for i in IDENTITIES if i.is_organisation
        ),
        "Bürgerin mit E-Mail und Passwort (Vertrauensniveau niedrig): "
        f"{LOCAL_CITIZEN_EMAIL} / {DEMO_PASSWORD}",
        f"Verwaltung (/verwaltung/anmelden/), Passwort für alle: {DEMO_PASSWORD}; zweiter Faktor: "
        "Code aus der Authenticator-App (otpauth-URI unten) "
        f"oder der Demo-Wiederherstellungscode {DEMO_RECOVERY_CODE}",
    ]
    staff_users = {}
    for username, first, last, slot, roles in DEMO_STAFF:
        user, uri = _staff(username, first, last, authorities[slot], roles)
        staff_users[username] = user
        labels = ", ".join(str(STAFF_ROLES[role]) for role in roles)
        lines.append(f"  {username} – {authorities[slot].name}: {labels} – TOTP: {uri}")
    if not DataAccessRecord.objects.filter(subject_user=erika).exists():
        DataAccessRecord.objects.create(
            subject_user=erika,
            authority=authorities["landkreis"],
            actor=staff_users["demo-lra-sb"],
            purpose="Prüfung einer Bohranzeige (Demo)",
            reference="DEMO-BOHR-0001",
            at=timezone.now() - timedelta(days=2),
        )
    return lines
