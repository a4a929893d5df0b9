"""GDPR self-service: the export of all personal data (Art. 15) and account deletion (Art. 17 with 17 (3)(b)).

Every app that holds personal data contributes a section in its own `privacy.py`:

    from amtsweg.accounts.privacy import personal_data_section, on_account_deletion

    @personal_data_section("cases", title=_("Anträge"), order=50)
    def export_personal_data(user) -> dict:
        return {"Anträge": [...]}                       # JSON-serialisable, German keys shown as headings

    @on_account_deletion("cases", order=50)
    def erase(user) -> list[str]:
        ...                                              # erase what may go, keep what the law requires
        return [_("Anträge bleiben nach § … aufbewahrt.")]  # what was kept and why, shown to the user
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.auth import logout
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

logger = logging.getLogger("amtsweg.accounts")


@dataclass
class _Section:
    key: str
    title: object
    order: int
    func: Callable


_sections: dict[str, _Section] = {}
_deletion_handlers: dict[str, tuple[int, Callable]] = {}


def personal_data_section(key: str, *, title, order: int = 50):
    def decorator(func):
        _sections[key] = _Section(key, title, order, func)
        return func

    return decorator


def on_account_deletion(key: str, *, order: int = 50):
    def decorator(func):
        _deletion_handlers[key] = (order, func)
        return func

    return decorator


def _discover() -> None:
    autodiscover_modules("privacy")


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def export_personal_data(user) -> dict:
    """Everything the platform holds about the user, section by section (JSON-serialisable)."""
    _discover()
    result = {
        "erstellt_am": timezone.localtime().isoformat(timespec="seconds"),
        "plattform": "amtsweg",
        "abschnitte": [],
    }
    for section in sorted(_sections.values(), key=lambda s: (s.order, s.key)):
        result["abschnitte"].append(
            {"schluessel": section.key, "titel": str(section.title), "daten": _jsonable(section.func(user))}
        )
    return result


def rows(data, depth: int = 0) -> list[dict]:
    """Flatten nested export data into rows (label, value, depth) for the readable HTML page."""
    out = []
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(value, (dict, list)) and value:
                out.append({"label": key, "value": "", "depth": depth, "heading": True})
                out.extend(rows(value, depth + 1))
            else:
                out.append({"label": key, "value": _display(value), "depth": depth, "heading": False})
    elif isinstance(data, list):
        for index, value in enumerate(data, start=1):
            if isinstance(value, (dict, list)):
                out.append({"label": f"{index}.", "value": "", "depth": depth, "heading": True})
                out.extend(rows(value, depth + 1))
            else:
                out.append({"label": f"{index}.", "value": _display(value), "depth": depth, "heading": False})
    return out


def _display(value) -> str:
    if value is None or value == "" or value == []:
        return "–"
    if value is True:
        return _("ja")
    if value is False:
        return _("nein")
    return str(value)


RETENTION_EXPLANATION = [
    gettext_lazy(
        "Ihr Profil (Name, Anschrift, Geburtsdatum, E-Mail-Adresse) und Ihre Anmeldewege werden gelöscht; "
        "Sie können sich mit diesem Konto nicht mehr anmelden."
    ),
    gettext_lazy(
        "Anträge, Bescheide und Zahlungen, die Sie bei Behörden eingereicht haben, bleiben bei der "
        "zuständigen Behörde erhalten: sie muss diese Akten nach dem jeweiligen Fachrecht und ihren "
        "Aufbewahrungsfristen führen "
        "(Art. 17 Abs. 3 Buchst. b DSGVO). Die Löschung des Kontos beendet keine laufenden Verfahren."
    ),
    gettext_lazy(
        "Das Protokoll der Datenzugriffe durch Behörden bleibt als Nachweis rechtmäßiger Verarbeitung "
        "erhalten."
    ),
    gettext_lazy(
        "Vollmachten, die Sie erteilt oder erhalten haben, werden widerrufen; Mitgliedschaften enden."
    ),
]


@transaction.atomic
def delete_account(user) -> list[str]:
    """Soft-delete: erase the personal profile and logins, keep what legal duties require. Returns what was
    kept."""
    from amtsweg.accounts.models import ExternalIdentity, Mandate, OrganisationMembership
    from amtsweg.accounts.tenancy import is_staff_member

    if is_staff_member(user):
        raise PermissionError("staff accounts are deactivated by their authority, not deleted by themselves")
    _discover()
    kept: list[str] = []
    for _order, handler in sorted(_deletion_handlers.values(), key=lambda item: item[0]):
        kept.extend(str(line) for line in (handler(user) or []))
    now = timezone.now()
    Mandate.objects.filter(revoked_at__isnull=True, principal_user=user).update(revoked_at=now)
    Mandate.objects.filter(revoked_at__isnull=True, agent=user).update(revoked_at=now)
    OrganisationMembership.objects.filter(user=user).delete()
    ExternalIdentity.objects.filter(user=user).delete()
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    user.username = f"geloescht-{user.pk}"
    user.first_name = user.last_name = ""
    user.email = ""
    user.email_verified_at = None
    user.birth_date = None
    user.street_address = user.postal_code = user.locality = ""
    user.identity_verified_level = None
    user.is_active = False
    user.deleted_at = now
    user.set_unusable_password()
    user.save()
    logger.info("account deleted (soft)", extra={"user_id": user.pk})
    return kept


def delete_own_account(request) -> list[str]:
    kept = delete_account(request.user)
    logout(request)
    return kept


# --- the accounts app's own sections
# ---------------------------------------------------------------------------------
@personal_data_section("konto", title=gettext_lazy("Konto und Profil"), order=10)
def _account_section(user) -> dict:
    from amtsweg.accounts.trust import TrustLevel

    level = TrustLevel(user.identity_verified_level).label if user.identity_verified_level else None
    return {
        "Benutzerkennung": user.username,
        "Vorname": user.first_name,
        "Familienname": user.last_name,
        "E-Mail-Adresse": user.email,
        "E-Mail bestätigt am": user.email_verified_at,
        "Geburtsdatum": user.birth_date,
        "Anschrift": {
            "Straße und Hausnummer": user.street_address,
            "Postleitzahl": user.postal_code,
            "Ort": user.locality,
        },
        "höchstes nachgewiesenes Vertrauensniveau": str(level) if level else None,
        "Konto angelegt am": user.date_joined,
        "letzte Anmeldung": user.last_login,
        "Anmeldewege": [
            {
                "Anmeldedienst": link.provider,
                "Vertrauensniveau": str(TrustLevel(link.trust_level).label),
                "erste Anmeldung": link.first_login_at,
                "letzte Anmeldung": link.last_login_at,
            }
            for link in user.external_identities.order_by("first_login_at")
        ],
    }


@personal_data_section("organisationen", title=gettext_lazy("Organisationen und Vollmachten"), order=20)
def _organisation_section(user) -> dict:
    from amtsweg.accounts.models import Mandate

    def mandate_row(mandate):
        return {
            "Vollmachtgeber/in": mandate.principal_label,
            "Bevollmächtigte/r": mandate.agent.display_name,
            "Umfang": "alle Leistungen" if mandate.all_procedures else ", ".join(mandate.procedure_keys),
            "gültig ab": mandate.valid_from,
            "gültig bis": mandate.valid_until,
            "widerrufen am": mandate.revoked_at,
        }

    related = ("principal_user", "principal_organisation", "agent")
    return {
        "Mitgliedschaften": [
            {"Organisation": m.organisation.name, "Rolle": m.get_role_display(), "seit": m.created_at}
            for m in user.memberships.select_related("organisation")
        ],
        "erteilte Vollmachten": [
            mandate_row(m) for m in Mandate.objects.filter(principal_user=user).select_related(*related)
        ],
        "erhaltene Vollmachten": [
            mandate_row(m) for m in Mandate.objects.filter(agent=user).select_related(*related)
        ],
    }


@personal_data_section("datenzugriffe", title=gettext_lazy("Datenzugriffe durch Behörden"), order=90)
def _access_section(user) -> dict:
    from amtsweg.accounts.models import DataAccessRecord

    return {
        "Zugriffe": [
            {
                "Zeitpunkt": record.at,
                "Behörde": record.authority.name,
                "Zweck": record.purpose,
                "Bezug": record.reference,
            }
            for record in DataAccessRecord.objects.for_citizen(user).select_related("authority")
        ]
    }
