"""The drilling registry: one row per notified drilling, without personal data.

Names, addresses, the borehole names and every water and results detail stay in the case engine's encrypted
payloads. Here lie only the facts the LfULG's registry, map and exports need: where (EPSG:25833 canonical
plus the
input system), what (purpose, depth, count), when (planned dates) and how far the case is.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from amtsweg.accounts.tenancy import tenant_queryset
from amtsweg.procedures.bohrung.geo import CRS_CHOICES
from amtsweg.procedures.bohrung.procedure import PURPOSES


class Bohrung(models.Model):
    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="bohrung")
    purpose = models.CharField(_("Zweck"), max_length=20, choices=PURPOSES, db_index=True)
    count = models.PositiveIntegerField(_("Anzahl der Bohrungen"), default=1)
    depth_m = models.DecimalField(_("geplante Endtiefe (m)"), max_digits=8, decimal_places=2)
    inclined = models.BooleanField(_("schräg"), default=False)
    easting = models.DecimalField(_("Ostwert ETRS89/UTM 33N"), max_digits=10, decimal_places=2)
    northing = models.DecimalField(_("Nordwert ETRS89/UTM 33N"), max_digits=10, decimal_places=2)
    epsg = models.PositiveIntegerField(_("EPSG-Code der kanonischen Lage"), default=25833)
    input_crs = models.CharField(_("eingegebenes Koordinatensystem"), max_length=10, choices=CRS_CHOICES)
    lat = models.FloatField(_("Breite (WGS 84)"))
    lon = models.FloatField(_("Länge (WGS 84)"))
    collar_m = models.DecimalField(_("Ansatzhöhe (m NHN)"), max_digits=7, decimal_places=2, null=True)
    district_ags = models.CharField(_("Kreisschlüssel"), max_length=5, db_index=True)
    district_name = models.CharField(_("Kreis"), max_length=100)
    municipality = models.CharField(_("Gemeinde (nächstgelegener Ort)"), max_length=100)
    cavity_area = models.CharField(_("Hohlraumgebiet"), max_length=200, blank=True)
    planned_start = models.DateField(_("geplanter Beginn"))
    planned_end = models.DateField(_("geplantes Ende"))
    objection_until = models.DateField(_("Einspruchsfrist der Wasserbehörde bis"))
    # Set by the periodic job when the water authority let its month pass without a decision.
    no_objection_at = models.DateTimeField(
        _("keine Einwände (Frist verstrichen) seit"), null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # Staff see the drillings their authority received (LfULG: all of them).
    objects = tenant_queryset(
        tenant_field="case__parts__authority",
        owner_fields=("case__applicant", "case__on_behalf_of"),
        organisation_fields=("case__organisation",),
    ).as_manager()

    class Meta:
        verbose_name = _("Bohrung")
        verbose_name_plural = _("Bohrungen")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.case_id}: {self.purpose} {self.depth_m} m"
