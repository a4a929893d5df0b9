"""People, organisations, mandates, staff memberships and the transparency log.

Other apps read these through `amtsweg.accounts.services` and `amtsweg.accounts.tenancy`; they never write
them.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amtsweg.accounts.tenancy import TenantQuerySet
from amtsweg.accounts.trust import TrustLevel


class User(AbstractUser):
    """Everyone who logs in: citizens, members of organisations, staff of authorities."""

    email = models.EmailField(_("E-Mail-Adresse"), blank=True)
    email_verified_at = models.DateTimeField(_("E-Mail bestätigt am"), null=True, blank=True)
    # Facts asserted by an identity provider (eID): shown read-only, overwritten at the next eID login.
    birth_date = models.DateField(_("Geburtsdatum"), null=True, blank=True)
    street_address = models.CharField(_("Straße und Hausnummer"), max_length=200, blank=True)
    postal_code = models.CharField(_("Postleitzahl"), max_length=10, blank=True)
    locality = models.CharField(_("Ort"), max_length=200, blank=True)
    identity_verified_level = models.PositiveSmallIntegerField(
        _("höchstes nachgewiesenes Vertrauensniveau"), choices=TrustLevel.choices, null=True, blank=True
    )
    deleted_at = models.DateTimeField(_("gelöscht am"), null=True, blank=True)

    class Meta:
        verbose_name = _("Benutzer")
        verbose_name_plural = _("Benutzer")

    @property
    def display_name(self) -> str:
        full = f"{self.first_name} {self.last_name}".strip()
        return full or self.email or self.username

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class ExternalIdentity(models.Model):
    """A login at an identity provider (eID, BundID, organisation account) linked to a user."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="external_identities"
    )
    provider = models.CharField(_("Anmeldedienst"), max_length=50)
    subject = models.CharField(_("Kennung beim Anmeldedienst"), max_length=255)
    trust_level = models.PositiveSmallIntegerField(
        _("zuletzt nachgewiesenes Niveau"), choices=TrustLevel.choices
    )
    first_login_at = models.DateTimeField(_("erste Anmeldung"), default=timezone.now)
    last_login_at = models.DateTimeField(_("letzte Anmeldung"), default=timezone.now)

    class Meta:
        verbose_name = _("externe Identität")
        verbose_name_plural = _("externe Identitäten")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "subject"], name="accounts_extid_provider_subject_uniq"
            )
        ]

    def __str__(self):
        return f"{self.provider}:{self.subject[:12]}…"


class Organisation(models.Model):
    """A company, association, planning office or drilling firm acting through its members."""

    class Kind(models.TextChoices):
        COMPANY = "company", _("Unternehmen")
        ASSOCIATION = "association", _("Verein oder Verband")
        PLANNING_OFFICE = "planning_office", _("Planungsbüro")
        DRILLING_FIRM = "drilling_firm", _("Bohrunternehmen")
        OTHER = "other", _("Sonstige Organisation")

    name = models.CharField(_("Name"), max_length=300)
    kind = models.CharField(_("Art"), max_length=30, choices=Kind.choices, default=Kind.COMPANY)
    register_number = models.CharField(_("Registernummer"), max_length=100, blank=True)
    # Set when an organisation account (e.g. Mein Unternehmenskonto) vouched for the organisation.
    external_provider = models.CharField(_("bestätigt durch"), max_length=50, blank=True)
    external_id = models.CharField(_("Kennung beim Anmeldedienst"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("angelegt am"), default=timezone.now)

    class Meta:
        verbose_name = _("Organisation")
        verbose_name_plural = _("Organisationen")
        constraints = [
            models.UniqueConstraint(
                fields=["external_provider", "external_id"],
                condition=~Q(external_id=""),
                name="accounts_org_external_uniq",
            )
        ]

    def __str__(self):
        return self.name

    @property
    def is_verified(self) -> bool:
        return bool(self.external_id)


class OrganisationMembership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", _("Inhaber/in")
        ADMIN = "admin", _("Verwalter/in")
        MEMBER = "member", _("Mitglied")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("Rolle"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(_("seit"), default=timezone.now)

    class Meta:
        verbose_name = _("Mitgliedschaft")
        verbose_name_plural = _("Mitgliedschaften")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="accounts_membership_uniq")
        ]

    def __str__(self):
        return f"{self.user} @ {self.organisation} ({self.role})"

    @property
    def can_manage(self) -> bool:
        return self.role in (self.Role.OWNER, self.Role.ADMIN)


class MandateQuerySet(models.QuerySet):
    def valid(self, at=None):
        at = at or timezone.now()
        return self.filter(revoked_at__isnull=True, valid_from__lte=at).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gt=at)
        )


class Mandate(models.Model):
    """A Vollmacht: the agent may act for the principal (a person or an organisation) within a scope."""

    principal_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="mandates_granted",
        verbose_name=_("Vollmachtgeber/in (Person)"),
    )
    principal_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="mandates_granted",
        verbose_name=_("Vollmachtgeberin (Organisation)"),
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="mandates_received",
        verbose_name=_("Bevollmächtigte/r"),
    )
    all_procedures = models.BooleanField(_("für alle Leistungen"), default=False)
    procedure_keys = models.JSONField(_("Leistungen"), default=list, blank=True)
    valid_from = models.DateTimeField(_("gültig ab"), default=timezone.now)
    valid_until = models.DateTimeField(_("gültig bis"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("widerrufen am"), null=True, blank=True)
    note = models.CharField(_("Bemerkung"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("erteilt am"), default=timezone.now)

    objects = MandateQuerySet.as_manager()

    class Meta:
        verbose_name = _("Vollmacht")
        verbose_name_plural = _("Vollmachten")
        constraints = [
            models.CheckConstraint(
                condition=(Q(principal_user__isnull=False, principal_organisation__isnull=True))
                | (Q(principal_user__isnull=True, principal_organisation__isnull=False)),
                name="accounts_mandate_one_principal",
            )
        ]

    def __str__(self):
        return f"{self.principal_label} → {self.agent}"

    @property
    def principal_label(self) -> str:
        if self.principal_organisation_id:
            return self.principal_organisation.name
        return self.principal_user.display_name

    def is_valid(self, at=None) -> bool:
        at = at or timezone.now()
        return (
            self.revoked_at is None
            and self.valid_from <= at
            and (self.valid_until is None or self.valid_until > at)
        )

    def covers(self, procedure_key: str | None) -> bool:
        if self.all_procedures:
            return True
        return procedure_key is not None and procedure_key in (self.procedure_keys or [])


STAFF_ROLES = {
    "case_worker": _("Sachbearbeitung"),
    "approver": _("Freigabe (Vier-Augen-Prinzip)"),
    "authority_admin": _("Behördenverwaltung"),
    "auditor": _("Prüfung (nur lesen)"),
    "assisted_operator": _("Assistierte Antragstellung (Bürgerterminal, Bürgerkoffer)"),
}


class StaffMembership(models.Model):
    """A staff account belongs to one or more authorities, with roles in each."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_memberships"
    )
    authority = models.ForeignKey(
        "directory.Authority", on_delete=models.CASCADE, related_name="staff_memberships"
    )
    case_worker = models.BooleanField(STAFF_ROLES["case_worker"], default=False)
    approver = models.BooleanField(STAFF_ROLES["approver"], default=False)
    authority_admin = models.BooleanField(STAFF_ROLES["authority_admin"], default=False)
    auditor = models.BooleanField(STAFF_ROLES["auditor"], default=False)
    assisted_operator = models.BooleanField(STAFF_ROLES["assisted_operator"], default=False)
    is_active = models.BooleanField(_("aktiv"), default=True)
    created_at = models.DateTimeField(_("seit"), default=timezone.now)

    class Meta:
        verbose_name = _("Behördenzugehörigkeit")
        verbose_name_plural = _("Behördenzugehörigkeiten")
        constraints = [models.UniqueConstraint(fields=["user", "authority"], name="accounts_staff_uniq")]

    def __str__(self):
        return f"{self.user} @ {self.authority}: {', '.join(self.roles)}"

    @property
    def roles(self) -> list[str]:
        return [role for role in STAFF_ROLES if getattr(self, role)]

    @property
    def role_labels(self) -> list[str]:
        return [str(STAFF_ROLES[role]) for role in self.roles]


class DataAccessRecordQuerySet(TenantQuerySet):
    tenant_field = "authority"
    owner_fields = ("subject_user",)


class DataAccessRecord(models.Model):
    """Transparency log: an authority's staff member read or decrypted a citizen's data."""

    subject_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="data_access_records",
        verbose_name=_("betroffene Person"),
    )
    authority = models.ForeignKey(
        "directory.Authority", on_delete=models.PROTECT, related_name="+", verbose_name=_("Behörde")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Beschäftigte/r"),
    )
    purpose = models.CharField(_("Zweck"), max_length=300)
    reference = models.CharField(_("Bezug"), max_length=200, blank=True)
    at = models.DateTimeField(_("Zeitpunkt"), default=timezone.now, db_index=True)

    objects = DataAccessRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("Datenzugriff")
        verbose_name_plural = _("Datenzugriffe")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["subject_user", "-at"], name="accounts_dar_subject_at")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.authority}: {self.purpose}"
