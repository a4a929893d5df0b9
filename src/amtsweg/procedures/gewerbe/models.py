"""The municipalities' trade register (what § 14 Abs. 5 GewO allows to be public: name, business address,
activity) and one record per notification (Meldung) with the case worker's checklist and the state of its
onward transmission. Personal data of the operator stays encrypted in the case (amtsweg.cases)."""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amtsweg.accounts.services import tenant_queryset

_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_business_number() -> str:
    """A short number for citizens and letters, e.g. "GW-7K4M-Q2XP" (no 0/O/1/I to misread)."""
    code = "".join(secrets.choice(_ALPHABET) for _ in range(8))
    return f"GW-{code[:4]}-{code[4:]}"


BusinessQuerySet = tenant_queryset(
    tenant_field="authority", owner_fields=("owner_user",), organisation_fields=("owner_organisation",)
)


class Gewerbebetrieb(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("angemeldet")
        CLOSED = "closed", _("abgemeldet")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)  # gewerbebetriebID
    number = models.CharField(_("Betriebs-Nr."), max_length=20, unique=True, default=new_business_number)
    authority = models.ForeignKey(
        "directory.Authority",
        on_delete=models.PROTECT,
        related_name="gewerbebetriebe",
        verbose_name=_("Gemeinde"),
    )
    ags = models.CharField(_("Gemeindeschlüssel"), max_length=8, blank=True)
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="gewerbebetriebe",
    )
    owner_organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="gewerbebetriebe",
    )
    name = models.CharField(_("Name des Betriebs"), max_length=300)
    legal_form = models.CharField(_("Rechtsform"), max_length=30)
    register_type = models.CharField(_("Registerart"), max_length=10, blank=True)
    register_court = models.CharField(_("Registergericht"), max_length=200, blank=True)
    register_number = models.CharField(_("Registernummer"), max_length=30, blank=True)
    street = models.CharField(_("Straße und Hausnummer"), max_length=200)
    postal_code = models.CharField(_("Postleitzahl"), max_length=5)
    locality = models.CharField(_("Ort"), max_length=120)
    activity = models.TextField(_("Tätigkeit"))
    wz = models.CharField(_("Wirtschaftszweig (WZ)"), max_length=5, blank=True)
    status = models.CharField(_("Status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    identity_key = models.CharField(_("Kennung für Doppelanmeldungen"), max_length=64, db_index=True)
    opened_on = models.DateField(_("angemeldet zum"))
    closed_on = models.DateField(_("abgemeldet zum"), null=True, blank=True)
    closed_ex_officio = models.BooleanField(_("von Amts wegen abgemeldet"), default=False)
    last_case = models.ForeignKey(
        "cases.Case",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("letzter Vorgang"),
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = BusinessQuerySet.as_manager()

    class Meta:
        verbose_name = _("Gewerbebetrieb")
        verbose_name_plural = _("Gewerbebetriebe")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["identity_key"], condition=Q(status="active"), name="gewerbe_one_active_registration"
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.number})"

    @property
    def address(self) -> str:
        return f"{self.street}, {self.postal_code} {self.locality}"


class Gewerbemeldung(models.Model):
    """One Anmeldung, Ummeldung or Abmeldung (a satz of XGewerbeanzeige), with or without a citizen's case."""

    class Kind(models.TextChoices):
        ANMELDUNG = "anmeldung", _("Gewerbeanmeldung")
        UMMELDUNG = "ummeldung", _("Gewerbeummeldung")
        ABMELDUNG = "abmeldung", _("Gewerbeabmeldung")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)  # satz uuid
    kind = models.CharField(_("Art"), max_length=10, choices=Kind.choices)
    case = models.OneToOneField(
        "cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="gewerbemeldung"
    )
    betrieb = models.ForeignKey(Gewerbebetrieb, on_delete=models.PROTECT, related_name="meldungen")
    authority = models.ForeignKey("directory.Authority", on_delete=models.PROTECT, related_name="+")
    meldung_nr = models.CharField(_("Meldungsnummer der Gemeinde"), max_length=120)
    effective_on = models.DateField(_("gültig ab"))
    ex_officio = models.BooleanField(_("von Amts wegen"), default=False)
    checklist = models.JSONField(_("Prüfliste"), default=dict, blank=True)
    permit_note = models.BooleanField(_("Hinweis auf fehlende Erlaubnis"), default=False)
    issued_at = models.DateTimeField(_("Empfangsbescheinigung ausgestellt"), default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recipients = models.JSONField(_("Empfänger der Weitergabe"), default=list, blank=True)
    statistics_month = models.CharField(_("Berichtsmonat"), max_length=7, db_index=True)
    statistics_satz = models.TextField(_("Statistiksatz (verschlüsselt)"), blank=True)
    statistics_message = models.UUIDField(_("Statistiknachricht"), null=True, blank=True)

    objects = tenant_queryset(tenant_field="authority").as_manager()

    class Meta:
        verbose_name = _("Gewerbemeldung")
        verbose_name_plural = _("Gewerbemeldungen")
        ordering = ["-issued_at"]
        indexes = [models.Index(fields=["authority", "statistics_month"], name="gewerbe_meldung_month")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.meldung_nr}"

    @property
    def reference(self) -> str:
        return f"case:{self.case.public_id}" if self.case_id else f"gewerbe:{self.pk}"


class Verlegung(models.Model):
    """A guided move of a business to another municipality: an Abmeldung at the old and an Anmeldung at the
    new
    one, prepared and submitted together (each becomes its own case at its own municipality)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    betrieb = models.ForeignKey(Gewerbebetrieb, on_delete=models.CASCADE, related_name="verlegungen")
    anmeldung_draft = models.UUIDField()
    abmeldung_draft = models.UUIDField()
    anmeldung_key = models.UUIDField(default=uuid.uuid4)
    abmeldung_key = models.UUIDField(default=uuid.uuid4)
    anmeldung_case = models.ForeignKey(
        "cases.Case", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    abmeldung_case = models.ForeignKey(
        "cases.Case", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    new_authority = models.ForeignKey("directory.Authority", on_delete=models.PROTECT, related_name="+")
    moved_on = models.DateField(_("Umzug zum"))
    created_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)

    objects = tenant_queryset(owner_fields=("user",)).as_manager()

    class Meta:
        verbose_name = _("Betriebsverlegung")
        verbose_name_plural = _("Betriebsverlegungen")

    def __str__(self):
        return f"{self.betrieb} → {self.new_authority}"
