"""SANDBOX vehicle register tables: fictional vehicles, insurance confirmations, tax arrears, plate
reservations.

These tables stand in for the Kraftfahrt-Bundesamt's central register (ZFZR), the insurers' eVB service and
customs' vehicle-tax data. Other apps never read them: they use
`amtsweg.vehicle_register.services.get_register()`
(the interface in `interface.py`). Security codes are stored **only** as keyed hashes (`codes.code_hash`).
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Vehicle(models.Model):
    class Status(models.TextChoices):
        REGISTERED = "registered", _("zugelassen")
        DEREGISTERED = "deregistered", _("außer Betrieb gesetzt")
        NEW = "new", _("noch nie zugelassen")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    vin = models.CharField(_("Fahrzeug-Identifizierungsnummer"), max_length=17, unique=True)
    plate = models.CharField(_("Kennzeichen"), max_length=12, blank=True, default="")
    district_ags = models.CharField(
        _("Zulassungsbezirk (Kreisschlüssel)"), max_length=5, blank=True, default=""
    )
    status = models.CharField(_("Zulassungsstand"), max_length=20, choices=Status.choices)
    make = models.CharField(_("Hersteller"), max_length=60)
    model = models.CharField(_("Typ"), max_length=60)
    vehicle_class = models.CharField(_("Fahrzeugklasse"), max_length=10, default="M1")
    # Holder (natural person or organisation); empty for a vehicle that was never registered.
    holder_given_name = models.CharField(max_length=100, blank=True)
    holder_family_name = models.CharField(max_length=100, blank=True)
    holder_birth_date = models.DateField(null=True, blank=True)
    holder_organisation = models.CharField(max_length=200, blank=True)
    holder_street = models.CharField(max_length=200, blank=True)
    holder_postal_code = models.CharField(max_length=5, blank=True)
    holder_locality = models.CharField(max_length=100, blank=True)
    zb1_number = models.CharField(_("Nummer der Zulassungsbescheinigung Teil I"), max_length=20, blank=True)
    zb2_number = models.CharField(_("Nummer der Zulassungsbescheinigung Teil II"), max_length=20, blank=True)
    # Keyed hashes ("<kid>$<hex>") of the hidden codes; "" = no valid code (document or seal used up or
    # absent).
    zb1_code_hash = models.CharField(max_length=90, blank=True)
    zb2_code_hash = models.CharField(max_length=90, blank=True)
    seal_front_hash = models.CharField(max_length=90, blank=True)
    seal_rear_hash = models.CharField(max_length=90, blank=True)
    # SANDBOX: which generation of derived demo codes is printed on each document (see codes.sandbox_code).
    code_generations = models.JSONField(default=dict, blank=True)
    next_inspection = models.DateField(_("nächste Hauptuntersuchung"), null=True, blank=True)
    first_registered_on = models.DateField(_("Erstzulassung"), null=True, blank=True)
    deregistered_on = models.DateField(_("außer Betrieb gesetzt am"), null=True, blank=True)
    tax_arrears = models.BooleanField(_("Kfz-Steuerrückstand des Halters"), default=False)
    is_demo = models.BooleanField(_("Demo-Fahrzeug"), default=False)
    version = models.PositiveIntegerField(default=1)  # optimistic concurrency: every change increments it
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("Fahrzeug (SANDBOX)")
        verbose_name_plural = _("Fahrzeuge (SANDBOX)")
        ordering = ["district_ags", "plate", "vin"]
        constraints = [
            models.UniqueConstraint(
                fields=["plate"], condition=~Q(plate=""), name="vehicle_register_plate_uniq"
            ),
            models.CheckConstraint(
                condition=~Q(status="registered") | ~Q(plate=""), name="vehicle_register_registered_has_plate"
            ),
        ]
        indexes = [models.Index(fields=["district_ags", "status"])]

    def __str__(self):
        return f"{self.plate or '–'} ({self.vin})"


class InsuranceConfirmation(models.Model):
    """An insurer's electronic insurance confirmation (eVB): 7 characters, valid for a period, used once."""

    evb = models.CharField(_("eVB-Nummer"), max_length=7, unique=True)
    insurer = models.CharField(_("Versicherer"), max_length=120)
    vin = models.CharField(_("nur für FIN"), max_length=17, blank=True)
    valid_from = models.DateField(_("gültig ab"))
    valid_until = models.DateField(_("gültig bis"))
    used_by = models.ForeignKey(Vehicle, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("Versicherungsbestätigung (SANDBOX)")
        verbose_name_plural = _("Versicherungsbestätigungen (SANDBOX)")

    def __str__(self):
        return self.evb


class TaxDebtor(models.Model):
    """A person or organisation with vehicle-tax arrears at customs (SANDBOX stand-in, § 13 KraftStG)."""

    given_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100, blank=True)
    birth_date = models.DateField(null=True, blank=True)
    organisation = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("Steuerrückstand (SANDBOX)")
        verbose_name_plural = _("Steuerrückstände (SANDBOX)")

    def __str__(self):
        return self.organisation or f"{self.given_name} {self.family_name}"


class PlateReservation(models.Model):
    """A reserved plate (§ 24/25 FZV: at most twelve months after deregistration)."""

    plate = models.CharField(_("Kennzeichen"), max_length=12)
    district_ags = models.CharField(max_length=5)
    vehicle = models.ForeignKey(
        Vehicle, on_delete=models.SET_NULL, null=True, blank=True, related_name="reservations"
    )
    holder_given_name = models.CharField(max_length=100, blank=True)
    holder_family_name = models.CharField(max_length=100, blank=True)
    holder_birth_date = models.DateField(null=True, blank=True)
    holder_organisation = models.CharField(max_length=200, blank=True)
    until = models.DateField(_("reserviert bis"))
    operation_id = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("Kennzeichenreservierung (SANDBOX)")
        verbose_name_plural = _("Kennzeichenreservierungen (SANDBOX)")
        constraints = [
            models.UniqueConstraint(
                fields=["plate"],
                condition=Q(released_at__isnull=True),
                name="vehicle_register_one_active_reservation",
            )
        ]

    def __str__(self):
        return f"{self.plate} bis {self.until:%d.%m.%Y}"


class RegisterOperation(models.Model):
    """Every change of a vehicle, once per operation id (idempotency), with the versions before and after."""

    operation_id = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=30)
    vehicle = models.ForeignKey(Vehicle, on_delete=models.PROTECT, related_name="operations")
    authority_key = models.CharField(max_length=100, blank=True)
    from_version = models.PositiveIntegerField()
    to_version = models.PositiveIntegerField()
    issued_documents = models.JSONField(default=list, blank=True)
    detail = models.JSONField(default=dict, blank=True)  # plates, districts, dates: never codes
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("Registervorgang (SANDBOX)")
        verbose_name_plural = _("Registervorgänge (SANDBOX)")
        ordering = ["-at"]

    def __str__(self):
        return f"{self.kind} {self.operation_id}"


class CodeAttempt(models.Model):
    """One check of security codes against a vehicle (never the codes): counts wrong entries per vehicle and
    day for the lock-out; deleted after six months (`tasks.purge_register_logs`)."""

    vehicle = models.ForeignKey(Vehicle, on_delete=models.CASCADE, related_name="code_attempts")
    ok = models.BooleanField()  # all required codes matched
    failed = models.BooleanField(default=False)  # a wrong code was entered (counts towards the lock-out)
    wrong = models.JSONField(default=list, blank=True)  # kinds, e.g. ["seal_rear"]
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["vehicle", "failed", "at"]), models.Index(fields=["at"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {'ok' if self.ok else 'falsch'}"
