"""The offline Bürgerkoffer: registered staff laptops (`Device`) and what they uploaded (`SyncItem`).

* A `Device` is registered by an authority administrator for one staff member of that authority. Its secret
  is shown once; only an HMAC-SHA-256 of it is stored. A revoked device is refused at its next contact and
  told to wipe its local store (`wipe_confirmed_at` records that it was told).
* A `SyncItem` is one application captured offline and filed as a case: the device's idempotency key (a UUID,
  unique over all devices), the SHA-256 checksum of the canonical payload and the case. A repeated upload
  finds the row and answers with the same case number. Rejected uploads leave no row (the item stays on the
  device); they are written to the audit trail of the assisted services.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amtsweg.accounts.tenancy import TenantQuerySet


class DeviceQuerySet(TenantQuerySet):
    tenant_field = "authority"

    def active(self):
        return self.filter(revoked_at__isnull=True)


class Device(models.Model):
    authority = models.ForeignKey(
        "directory.Authority",
        on_delete=models.PROTECT,
        related_name="koffer_devices",
        verbose_name=_("Behörde"),
    )
    staff_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="koffer_devices",
        verbose_name=_("Mitarbeiterin oder Mitarbeiter"),
    )
    kit = models.ForeignKey(
        "assisted.Kit",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="koffer_devices",
        verbose_name=_("Bürgerkoffer"),
    )
    name = models.CharField(_("Bezeichnung"), max_length=120)
    device_id = models.CharField(_("Geräte-Kennung"), max_length=40, unique=True)
    secret_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(_("registriert am"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_seen_at = models.DateTimeField(_("zuletzt verbunden"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("gesperrt am"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoke_reason = models.CharField(_("Grund der Sperre"), max_length=300, blank=True)
    wipe_sent_at = models.DateTimeField(_("Löschauftrag übermittelt"), null=True, blank=True)
    is_demo = models.BooleanField(_("Demo-Daten"), default=False)

    objects = DeviceQuerySet.as_manager()

    class Meta:
        verbose_name = _("Bürgerkoffer-Gerät")
        verbose_name_plural = _("Bürgerkoffer-Geräte")
        ordering = ["authority", "name"]

    def __str__(self):
        return f"{self.name} ({self.device_id})"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class SyncItemQuerySet(TenantQuerySet):
    tenant_field = "device__authority"


class SyncItem(models.Model):
    device = models.ForeignKey(
        Device, on_delete=models.PROTECT, related_name="items", verbose_name=_("Gerät")
    )
    idempotency_key = models.UUIDField(_("Idempotenzschlüssel"), unique=True)
    checksum = models.CharField(_("Prüfsumme (SHA-256)"), max_length=64)
    procedure_key = models.CharField(_("Verfahren"), max_length=80)
    tour = models.ForeignKey(
        "assisted.Tour", on_delete=models.SET_NULL, null=True, blank=True, related_name="koffer_items"
    )
    captured_at = models.DateTimeField(_("erfasst am"), null=True, blank=True)
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="koffer_items"
    )
    case_number = models.CharField(_("Vorgangsnummer"), max_length=120, blank=True)
    received_at = models.DateTimeField(_("empfangen am"), default=timezone.now)
    uploads = models.PositiveIntegerField(_("Anzahl der Übertragungen"), default=1)

    objects = SyncItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("übertragener Antrag")
        verbose_name_plural = _("übertragene Anträge")
        ordering = ["-received_at"]

    def __str__(self):
        return f"{self.idempotency_key} → {self.case_number}"
