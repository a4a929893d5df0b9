"""Authority administration: what an authority administrator (`authority_admin`) may change for their own
authority, and nothing beyond it.

Every function takes the authority the caller already resolved through `admin_authority(user, id)` (tenancy
in one place: `accounts.tenancy.authorities_for`), checks that the objects it touches belong to that
authority, changes them in one transaction and records the change in the authority's audit chain
(`cases.audit`; ids, roles and amounts only, never personal data). Errors are `AdminError` with a German
message that the page shows as is.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from amtsweg.accounts.models import STAFF_ROLES, StaffMembership, User
from amtsweg.accounts.tenancy import authorities_for
from amtsweg.cases import audit
from amtsweg.directory.models import Office, SpecialDay, WeeklyHours
from amtsweg.payments.fees import FeeError, validate_rule
from amtsweg.payments.models import FeeKind, FeeRule
from amtsweg.payments.money import format_cents

logger = logging.getLogger("amtsweg.administration")
ROLE = "authority_admin"
DATA_DIR = Path(__file__).resolve().parent / "data"


class AdminError(ValueError):
    """A change the administrator asked for is not allowed; the message is German and shown as is."""


def admin_authorities(user):
    """The authorities `user` administers (active membership with the authority_admin role)."""
    return authorities_for(user, ROLE)


def admin_authority(user, authority_id):
    """The authority with `authority_id` if `user` administers it, else 404 (another authority's ID shows
    nothing)."""
    authority = admin_authorities(user).filter(pk=authority_id).first()
    if authority is None:
        raise Http404("no such authority for this administrator")
    return authority


def _audit(kind: str, authority, actor, **detail) -> None:
    audit.append(f"admin.{kind}"[:40], authority=authority, actor=actor, detail=detail)


# --- staff and roles ----------------------------------------------------------------------------------------


def staff_of(authority):
    return (
        StaffMembership.objects.filter(authority=authority)
        .select_related("user")
        .order_by("-is_active", "user__last_name", "user__first_name", "pk")
    )


def membership_at(authority, membership_id) -> StaffMembership:
    membership = staff_of(authority).filter(pk=membership_id).first()
    if membership is None:
        raise Http404("no such staff member at this authority")
    return membership


def _clean_roles(roles) -> list[str]:
    chosen = [role for role in roles or [] if role in STAFF_ROLES]
    unknown = [role for role in roles or [] if role not in STAFF_ROLES]
    if unknown:
        raise AdminError(_("Unbekannte Rolle: %(roles)s.") % {"roles": ", ".join(map(str, unknown))[:100]})
    if not chosen:
        raise AdminError(_("Bitte wählen Sie mindestens eine Rolle."))
    return sorted(set(chosen), key=list(STAFF_ROLES).index)


def invitation_link(user, request=None) -> str:
    """A one-time link to set the password (Django's password-reset token: it stops working once the
    password is set). After that the person logs in at /verwaltung/anmelden/ and enrols the authenticator app
    (the staff login asks for it whenever no confirmed TOTP device exists)."""
    path = reverse(
        "accounts:password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return request.build_absolute_uri(path) if request is not None else path


def _send_invitation(user, authority, link: str) -> None:
    body = _(
        "Guten Tag %(name)s,\n\n"
        "für Sie wurde ein Zugang zur Verwaltung von amtsweg angelegt (%(authority)s).\n"
        "Bitte legen Sie über diesen Link ein Passwort fest (der Link gilt einmal und nur für kurze Zeit):\n"
        "%(link)s\n\n"
        "Danach melden Sie sich unter /verwaltung/anmelden/ an und richten eine Authenticator-App als "
        "zweiten Faktor ein.\n"
    ) % {"name": user.display_name, "authority": authority.name, "link": link}
    send_mail(_("Ihr Zugang zur Verwaltung (amtsweg)"), body, None, [user.email])


@transaction.atomic
def invite_staff(authority, actor, *, username, first_name, last_name, email, roles, request=None):
    """Create a staff account for `authority` and send it an invitation link. Returns the membership.

    The administrator never sees or sets a password, and cannot take over an existing account (another
    authority's staff member or a citizen): an existing username or e-mail address is refused."""
    roles = _clean_roles(roles)
    username = (username or "").strip()
    email = (email or "").strip().lower()
    if not username or not email:
        raise AdminError(_("Benutzername und E-Mail-Adresse sind Pflichtangaben."))
    if User.objects.filter(Q(username__iexact=username) | Q(email__iexact=email)).exists():
        raise AdminError(
            _(
                "Es gibt bereits ein Konto mit diesem Benutzernamen oder dieser E-Mail-Adresse. Ein "
                "bestehendes Konto kann nur der Plattformbetrieb einer weiteren Behörde zuordnen."
            )
        )
    user = User(username=username, first_name=first_name.strip(), last_name=last_name.strip(), email=email)
    user.set_unusable_password()
    user.save()
    membership = StaffMembership.objects.create(user=user, authority=authority, **{r: True for r in roles})
    _audit("staff_invited", authority, actor, membership=membership.pk, user=user.pk, roles=roles)
    link = invitation_link(user, request)
    transaction.on_commit(lambda: _send_invitation(user, authority, link))
    logger.info("staff invited", extra={"authority": authority.key, "membership": membership.pk})
    return membership


@transaction.atomic
def resend_invitation(authority, actor, membership_id, request=None) -> StaffMembership:
    """A fresh invitation link (the first one is valid only for AMTSWEG_PASSWORD_RESET_SECONDS)."""
    membership = membership_at(authority, membership_id)
    user = membership.user
    if user.has_usable_password():
        raise AdminError(
            _("Die Person hat ihr Passwort bereits festgelegt; eine Einladung ist nicht mehr nötig.")
        )
    if not membership.is_active:
        raise AdminError(_("Der Zugang ist deaktiviert. Bitte aktivieren Sie ihn zuerst."))
    link = invitation_link(user, request)
    _audit("staff_reinvited", authority, actor, membership=membership.pk)
    transaction.on_commit(lambda: _send_invitation(user, authority, link))
    return membership


@transaction.atomic
def reset_second_factor(authority, actor, membership_id) -> StaffMembership:
    """Remove the person's authenticator app and recovery codes (e.g. a lost phone): the next login asks for
    a new enrolment, and sessions confirmed with the old device end. Refused when the account also works for
    another authority, whose administrators this would affect."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    membership = membership_at(authority, membership_id)
    if membership.user_id == actor.pk:
        raise AdminError(_("Ihren eigenen zweiten Faktor verwalten Sie unter „Wiederherstellungscodes“."))
    elsewhere = StaffMembership.objects.filter(user_id=membership.user_id, is_active=True).exclude(
        authority=authority
    )
    if elsewhere.exists():
        raise AdminError(
            _(
                "Dieser Zugang gehört auch zu einer anderen Behörde. Den zweiten Faktor setzt in diesem Fall "
                "der Plattformbetrieb zurück."
            )
        )
    TOTPDevice.objects.filter(user_id=membership.user_id).delete()
    StaticDevice.objects.filter(user_id=membership.user_id).delete()
    _audit("staff_2fa_reset", authority, actor, membership=membership.pk)
    return membership


def _active_admins(authority):
    return StaffMembership.objects.filter(authority=authority, is_active=True, authority_admin=True)


@transaction.atomic
def change_roles(authority, actor, membership_id, roles) -> StaffMembership:
    membership = (
        StaffMembership.objects.select_for_update().filter(authority=authority, pk=membership_id).first()
    )
    if membership is None:
        raise Http404("no such staff member at this authority")
    roles = _clean_roles(roles)
    before = membership.roles
    if ROLE in before and ROLE not in roles:
        if membership.user_id == actor.pk:
            raise AdminError(_("Sie können sich die Rolle „Behördenverwaltung“ nicht selbst entziehen."))
        if not _active_admins(authority).exclude(pk=membership.pk).exists():
            raise AdminError(
                _("Die Behörde braucht mindestens eine aktive Person mit der Rolle Behördenverwaltung.")
            )
    for role in STAFF_ROLES:
        setattr(membership, role, role in roles)
    membership.save()
    if before != roles:
        _audit("staff_roles", authority, actor, membership=membership.pk, before=before, after=roles)
    return membership


@transaction.atomic
def set_active(authority, actor, membership_id, active: bool) -> StaffMembership:
    """Deactivate (or reactivate) a membership at this authority only; the account itself and its
    memberships at other authorities stay untouched."""
    membership = (
        StaffMembership.objects.select_for_update().filter(authority=authority, pk=membership_id).first()
    )
    if membership is None:
        raise Http404("no such staff member at this authority")
    if not active and membership.user_id == actor.pk:
        raise AdminError(_("Sie können Ihren eigenen Zugang nicht deaktivieren."))
    if membership.is_active == active:
        return membership
    membership.is_active = active
    membership.save(update_fields=["is_active"])
    _audit("staff_activated" if active else "staff_deactivated", authority, actor, membership=membership.pk)
    return membership


# --- fees within legal ranges ----------------------------------------------------------------------------


@dataclass(frozen=True)
class FeeRange:
    procedure_key: str
    label: str
    min_cents: int
    max_cents: int
    legal_basis: str

    @property
    def display(self) -> str:
        return f"{format_cents(self.min_cents)} – {format_cents(self.max_cents)}"


@lru_cache(maxsize=4)
def _load_ranges(path: str) -> dict[str, FeeRange]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    ranges = {}
    for key, entry in data["ranges"].items():
        low, high = int(entry["min_cents"]), int(entry["max_cents"])
        if not 0 <= low <= high:
            raise ValueError(f"fee range for {key}: minimum above maximum")
        ranges[key] = FeeRange(key, entry["label"], low, high, entry["legal_basis"])
    return ranges


def fee_ranges() -> dict[str, FeeRange]:
    """Legal fee ranges per procedure (data file; AMTSWEG_FEE_RANGES_FILE replaces it, e.g. when the
    Kostenverzeichnis changes). Only procedures listed here can be set by an authority."""
    path = getattr(settings, "ADMINISTRATION_FEE_RANGES_FILE", "") or str(DATA_DIR / "fee_ranges.json")
    return _load_ranges(path)


@dataclass
class FeeRow:
    procedure_key: str
    label: str
    rule: FeeRule | None  # the rule applying now (own or state-wide)
    own: bool
    range: FeeRange | None

    @property
    def editable(self) -> bool:
        return self.range is not None

    @property
    def amount_display(self) -> str:
        if self.rule is None:
            return "–"
        if self.rule.kind == FeeKind.FREE:
            return _("gebührenfrei")
        return format_cents(self.rule.amount_cents)


def fee_rows(authority, on: dt.date | None = None) -> list[FeeRow]:
    """Every fee that applies at the authority (variant-less rules), editable where a legal range exists."""
    from amtsweg.payments.services import find_fee_rule

    ranges = fee_ranges()
    keys = set(ranges) | set(
        FeeRule.objects.filter(Q(authority=authority) | Q(authority__isnull=True), variant="").values_list(
            "procedure_key", flat=True
        )
    )
    rows = []
    for key in sorted(keys):
        rule = find_fee_rule(key, authority, "", on)
        fee_range = ranges.get(key)
        label = rule.label if rule is not None else (fee_range.label if fee_range else key)
        rows.append(FeeRow(key, label, rule, bool(rule and rule.authority_id == authority.pk), fee_range))
    return rows


@transaction.atomic
def set_fee(authority, actor, procedure_key: str, amount_cents: int) -> FeeRule:
    """Set the authority's own fee for a procedure with a legal range; refuses amounts outside it."""
    fee_range = fee_ranges().get(procedure_key)
    if fee_range is None:
        raise AdminError(
            _(
                "Für dieses Verfahren legt die Behörde keine Gebühr fest (bundes- oder landesrechtlich "
                "bestimmt)."
            )
        )
    if not isinstance(amount_cents, int) or isinstance(amount_cents, bool):
        raise AdminError(_("Bitte geben Sie einen Betrag in Euro an, z. B. 30,00."))
    if not fee_range.min_cents <= amount_cents <= fee_range.max_cents:
        raise AdminError(
            _(
                "Der Betrag %(amount)s liegt außerhalb des gesetzlichen Rahmens von %(min)s bis %(max)s "
                "(%(basis)s)."
            )
            % {
                "amount": format_cents(amount_cents),
                "min": format_cents(fee_range.min_cents),
                "max": format_cents(fee_range.max_cents),
                "basis": fee_range.legal_basis,
            }
        )
    rule = (
        FeeRule.objects.select_for_update()
        .filter(procedure_key=procedure_key, authority=authority, variant="")
        .first()
    )
    before = rule.amount_cents if rule is not None else None
    if rule is None:
        rule = FeeRule(procedure_key=procedure_key, authority=authority, variant="", label=fee_range.label)
    rule.kind = FeeKind.RANGE
    rule.amount_cents = amount_cents
    rule.min_cents = fee_range.min_cents
    rule.max_cents = fee_range.max_cents
    rule.legal_basis = fee_range.legal_basis
    try:
        validate_rule(rule)
    except FeeError as exc:
        raise AdminError(str(exc)) from exc
    rule.save()
    _audit(
        "fee_set", authority, actor, procedure=procedure_key, before_cents=before, after_cents=amount_cents
    )
    return rule


# --- opening hours and closures ---------------------------------------------------------------------------


def offices_of(authority):
    return Office.objects.filter(authority=authority).prefetch_related("weekly_hours")


def office_at(authority, office_id) -> Office:
    office = Office.objects.filter(authority=authority, pk=office_id).first()
    if office is None:
        raise AdminError(_("Diese Dienststelle gehört nicht zu Ihrer Behörde."))
    return office


def _mark_maintained(office: Office) -> None:
    if office.hours_source != Office.HoursSource.AUTHORITY:
        office.hours_source = Office.HoursSource.AUTHORITY
        office.save(update_fields=["hours_source"])


@transaction.atomic
def add_weekly_hours(
    authority, actor, *, office_id, weekday, opens, closes, valid_from=None, valid_until=None, note=""
):
    office = office_at(authority, office_id)
    if opens >= closes:
        raise AdminError(_("Die Schließzeit muss nach der Öffnungszeit liegen."))
    if valid_from and valid_until and valid_from > valid_until:
        raise AdminError(_("„Gültig bis“ darf nicht vor „gültig ab“ liegen."))
    overlapping = WeeklyHours.objects.filter(
        office=office,
        weekday=weekday,
        opens__lt=closes,
        closes__gt=opens,
        valid_from=valid_from,
        valid_until=valid_until,
    )
    if overlapping.exists():
        raise AdminError(_("Diese Zeit überschneidet sich mit einer vorhandenen Öffnungszeit am selben Tag."))
    row = WeeklyHours.objects.create(
        office=office,
        weekday=weekday,
        opens=opens,
        closes=closes,
        valid_from=valid_from,
        valid_until=valid_until,
        note=note,
    )
    _mark_maintained(office)
    _audit("hours_added", authority, actor, office=office.pk, hours=row.pk, weekday=weekday)
    return row


@transaction.atomic
def delete_weekly_hours(authority, actor, hours_id) -> None:
    row = WeeklyHours.objects.filter(office__authority=authority, pk=hours_id).first()
    if row is None:
        raise Http404("no such opening hours at this authority")
    office = row.office
    row.delete()
    _mark_maintained(office)
    _audit("hours_deleted", authority, actor, office=office.pk, hours=hours_id)


def closures_of(authority, today: dt.date | None = None):
    today = today or timezone.localdate()
    return SpecialDay.objects.filter(authority=authority, date__gte=today).select_related("office")


@transaction.atomic
def add_special_day(
    authority, actor, *, day, office_id=None, closed=True, opens=None, closes=None, reason="", today=None
):
    today = today or timezone.localdate()
    if day < today:
        raise AdminError(
            _(
                "Das Datum liegt in der Vergangenheit. Schließtage können nur für heute oder später "
                "eingetragen werden."
            )
        )
    office = office_at(authority, office_id) if office_id else None
    if closed:
        opens = closes = None
    elif not (opens and closes and opens < closes):
        raise AdminError(
            _(
                "Bitte geben Sie für geänderte Öffnungszeiten Öffnungs- und Schließzeit an "
                "(öffnet vor schließt)."
            )
        )
    row = SpecialDay.objects.create(
        authority=authority, office=office, date=day, closed=closed, opens=opens, closes=closes, reason=reason
    )
    _audit("special_day_added", authority, actor, special_day=row.pk, date=day.isoformat(), closed=closed)
    return row


@transaction.atomic
def delete_special_day(authority, actor, special_day_id) -> None:
    row = SpecialDay.objects.filter(authority=authority, pk=special_day_id).first()
    if row is None:
        raise Http404("no such special day at this authority")
    row.delete()
    _audit("special_day_deleted", authority, actor, special_day=special_day_id)


# --- encryption keys --------------------------------------------------------------------------------------


def keys_of(authority):
    from amtsweg.cases.crypto import fingerprint
    from amtsweg.cases.models import AuthorityKey

    rows = list(AuthorityKey.objects.filter(authority=authority).order_by("-is_active", "-created_at"))
    for row in rows:
        row.fingerprint = fingerprint(row)
    return rows


def rotate_key(authority, actor):
    """A new active key pair; the old ones stay (retired) so earlier submissions still open."""
    from amtsweg.cases import crypto

    try:
        with transaction.atomic():
            row = crypto.create_key(authority, activate=True)
            _audit("key_rotated", authority, actor, kid=row.kid)
    except crypto.CryptoError as exc:
        raise AdminError(str(exc)) from exc
    return row


# --- workload per person (team lead view) ------------------------------------------------------------------

UNDECIDED_STATES = ("submitted", "payment_pending", "in_review", "information_requested")


@dataclass
class WorkloadRow:
    membership: StaffMembership | None
    open_count: int
    overdue_count: int
    absent_until: dt.date | None = None
    substitute: User | None = None


def workload(authority, today: dt.date | None = None) -> list[WorkloadRow]:
    """Undecided case parts per assignee at this authority (one grouped query), with the overdue count
    (processing target before today). The last row (membership None) counts unassigned parts."""
    from amtsweg.cases.models import CasePart

    today = today or timezone.localdate()
    counts = {
        row["assignee"]: row
        for row in CasePart.objects.filter(authority=authority, state__in=UNDECIDED_STATES)
        .values("assignee")
        .annotate(open_count=Count("pk"), overdue_count=Count("pk", filter=Q(due_on__lt=today)))
    }
    rows = []
    for membership in staff_of(authority).filter(
        Q(is_active=True, case_worker=True) | Q(user__in=[k for k in counts if k])
    ):
        found = counts.get(membership.user_id, {})
        rows.append(WorkloadRow(membership, found.get("open_count", 0), found.get("overdue_count", 0)))
    from amtsweg.backoffice.models import Absence

    current = Absence.objects.filter(authority=authority, starts_on__lte=today, ends_on__gte=today)
    absent = {a.user_id: a for a in current.select_related("substitute").order_by("starts_on", "pk")}
    for row in rows:
        absence = absent.get(row.membership.user_id)
        if absence is not None:
            row.absent_until, row.substitute = absence.ends_on, absence.substitute
    unassigned = counts.get(None, {})
    rows.append(WorkloadRow(None, unassigned.get("open_count", 0), unassigned.get("overdue_count", 0)))
    return rows


# --- processing targets and four eyes per procedure (models of amtsweg.backoffice) ------------------------

MAX_PROCESSING_DAYS = 365


@dataclass
class ProcedureRow:
    key: str
    title: str
    default_days: int | None
    days: int | None  # the authority's own target (None: the procedure's default applies)
    second_approval: bool


def procedure_rows(authority) -> list[ProcedureRow]:
    from amtsweg.backoffice.models import ProcedureSetting
    from amtsweg.procedures import registry

    own = {s.procedure_key: s for s in ProcedureSetting.objects.filter(authority=authority)}
    rows = []
    for procedure in sorted(registry.all_procedures(), key=lambda p: str(p.title)):
        setting = own.get(procedure.key)
        rows.append(
            ProcedureRow(
                procedure.key,
                str(procedure.title),
                procedure.processing_days,
                setting.processing_days if setting else None,
                bool(setting and setting.second_approval),
            )
        )
    return rows


@transaction.atomic
def set_procedure_setting(authority, actor, procedure_key: str, *, processing_days, second_approval: bool):
    from amtsweg.backoffice.models import ProcedureSetting
    from amtsweg.procedures import registry

    if not registry.is_registered(procedure_key):
        raise AdminError(_("Dieses Verfahren ist nicht bekannt."))
    if processing_days is not None and not 1 <= processing_days <= MAX_PROCESSING_DAYS:
        raise AdminError(
            _("Das Bearbeitungsziel muss zwischen 1 und %(max)s Arbeitstagen liegen.")
            % {"max": MAX_PROCESSING_DAYS}
        )
    setting, _created = ProcedureSetting.objects.select_for_update().get_or_create(
        authority=authority, procedure_key=procedure_key
    )
    before = {"processing_days": setting.processing_days, "second_approval": setting.second_approval}
    setting.processing_days = processing_days
    setting.second_approval = bool(second_approval)
    setting.save()
    after = {"processing_days": setting.processing_days, "second_approval": setting.second_approval}
    if before != after or _created:
        _audit("procedure_setting", authority, actor, procedure=procedure_key, before=before, after=after)
    return setting


# --- letterhead and signatory ------------------------------------------------------------------------------

MAX_LETTER_LINES = 6
MAX_LETTER_LINE = 120


def _lines(text: str, label: str) -> str:
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if len(lines) > MAX_LETTER_LINES:
        raise AdminError(
            _("%(label)s: höchstens %(max)s Zeilen.") % {"label": label, "max": MAX_LETTER_LINES}
        )
    if any(len(line) > MAX_LETTER_LINE for line in lines):
        raise AdminError(
            _("%(label)s: jede Zeile höchstens %(max)s Zeichen.") % {"label": label, "max": MAX_LETTER_LINE}
        )
    return "\n".join(lines)


@transaction.atomic
def save_letter_settings(authority, actor, *, signatory_name, signatory_title, letterhead, footer):
    from amtsweg.backoffice.models import LetterSettings

    letterhead = _lines(letterhead, _("Briefkopf"))
    footer = _lines(footer, _("Fußzeile"))
    if not letterhead:
        raise AdminError(_("Der Briefkopf braucht mindestens eine Zeile (die Bezeichnung der Behörde)."))
    if bool(signatory_name.strip()) != bool(signatory_title.strip()):
        raise AdminError(_("Bitte geben Sie Name und Funktion der unterzeichnenden Person gemeinsam an."))
    settings_row, _created = LetterSettings.objects.select_for_update().get_or_create(authority=authority)
    values = {
        "signatory_name": signatory_name.strip(),
        "signatory_title": signatory_title.strip(),
        "letterhead": letterhead,
        "footer": footer,
    }
    changed = sorted(name for name, value in values.items() if getattr(settings_row, name) != value)
    for name, value in values.items():
        setattr(settings_row, name, value)
    settings_row.save()
    if changed:
        _audit("letter_settings", authority, actor, changed=changed)  # field names only, no texts
    return settings_row


# --- absences and substitutes -------------------------------------------------------------------------------


def absences_of(authority, today: dt.date | None = None):
    from amtsweg.backoffice.models import Absence

    today = today or timezone.localdate()
    return Absence.objects.filter(authority=authority, ends_on__gte=today).select_related(
        "user", "substitute"
    )


def _member(authority, user_id, *, label):
    membership = (
        StaffMembership.objects.filter(authority=authority, user_id=user_id, is_active=True)
        .select_related("user")
        .first()
    )
    if membership is None:
        raise AdminError(_("%(label)s muss ein aktiver Beschäftigter Ihrer Behörde sein.") % {"label": label})
    return membership.user


@transaction.atomic
def add_absence(authority, actor, *, user_id, starts_on, ends_on, substitute_id, today=None):
    """Record an absence (both days inclusive) with a named substitute of the same authority. New
    assignments during the absence go to the substitute (`backoffice.services.substitute_for`)."""
    from amtsweg.backoffice.models import Absence

    today = today or timezone.localdate()
    absent = _member(authority, user_id, label=_("Die abwesende Person"))
    if substitute_id == user_id:
        raise AdminError(_("Die Vertretung muss eine andere Person sein."))
    substitute = _member(authority, substitute_id, label=_("Die Vertretung"))
    if not StaffMembership.objects.filter(authority=authority, user=substitute, case_worker=True).exists():
        raise AdminError(_("Die Vertretung braucht die Rolle Sachbearbeitung."))
    if ends_on < starts_on:
        raise AdminError(_("Das Ende der Abwesenheit darf nicht vor ihrem Beginn liegen."))
    if ends_on < today:
        raise AdminError(_("Die Abwesenheit liegt ganz in der Vergangenheit."))
    # lock the person's absences while checking for an overlap, so two administrators cannot race
    existing = Absence.objects.select_for_update().filter(authority=authority, user=absent)
    if existing.filter(starts_on__lte=ends_on, ends_on__gte=starts_on).exists():
        raise AdminError(_("Für diese Person ist in diesem Zeitraum bereits eine Abwesenheit eingetragen."))
    absence = Absence.objects.create(
        authority=authority, user=absent, starts_on=starts_on, ends_on=ends_on, substitute=substitute
    )
    _audit(
        "absence_added", authority, actor, absence=absence.pk, user=absent.pk, substitute=substitute.pk,
        starts_on=starts_on.isoformat(), ends_on=ends_on.isoformat(),
    )  # fmt: skip
    return absence


@transaction.atomic
def delete_absence(authority, actor, absence_id) -> None:
    from amtsweg.backoffice.models import Absence

    absence = Absence.objects.filter(authority=authority, pk=absence_id).first()
    if absence is None:
        raise Http404("no such absence at this authority")
    absence.delete()
    _audit("absence_deleted", authority, actor, absence=absence_id)


def active_staff_choices(authority, *, case_workers_only=False):
    memberships = staff_of(authority).filter(is_active=True)
    if case_workers_only:
        memberships = memberships.filter(case_worker=True)
    return [(m.user_id, m.user.display_name) for m in memberships]
