"""Saxony's districts, postal codes and places.

Reference data only: the rows come from the shipped dataset (`load_regions`) and are replaced wholesale by the
next import. Other apps read them through `amtsweg.regions.services` and may point foreign keys at `District`,
never write to these tables.
"""

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

ags5_validator = RegexValidator(r"^[0-9]{5}\Z", _("Der Kreisschlüssel besteht aus fünf Ziffern."))
ags8_validator = RegexValidator(r"^[0-9]{8}\Z", _("Der Gemeindeschlüssel besteht aus acht Ziffern."))
postal_code_validator = RegexValidator(r"^[0-9]{5}\Z", _("Die Postleitzahl besteht aus fünf Ziffern."))
nuts3_validator = RegexValidator(r"^DE[0-9A-Z]{3}\Z", _("Ein deutscher NUTS-3-Code hat die Form DExxx."))


class District(models.Model):
    """A Landkreis or kreisfreie Stadt: the level that runs vehicle registration, trade permits, water law."""

    class Kind(models.TextChoices):
        LANDKREIS = "landkreis", _("Landkreis")
        KREISFREIE_STADT = "kreisfreie_stadt", _("Kreisfreie Stadt")

    ags = models.CharField(
        _("Kreisschlüssel (AGS)"),
        max_length=5,
        unique=True,
        validators=[ags5_validator],
        help_text=_("Amtlicher Gemeindeschlüssel der Kreisebene, z. B. 14521."),
    )
    name = models.CharField(_("Name"), max_length=100)
    kind = models.CharField(_("Art"), max_length=20, choices=Kind.choices)
    nuts3 = models.CharField(_("NUTS-3-Code"), max_length=5, unique=True, validators=[nuts3_validator])
    seat = models.CharField(_("Kreissitz"), max_length=100)
    plate = models.CharField(_("Kfz-Unterscheidungszeichen"), max_length=3)
    lat = models.FloatField(_("Breitengrad des Kreissitzes"))
    lon = models.FloatField(_("Längengrad des Kreissitzes"))

    class Meta:
        verbose_name = _("Kreis")
        verbose_name_plural = _("Kreise")
        ordering = ["ags"]

    def __str__(self):
        return f"{self.full_name} ({self.ags})"

    @property
    def full_name(self) -> str:
        """The name as written on letters: "Landkreis Leipzig", "Erzgebirgskreis", "Stadt Dresden"."""
        if self.kind == self.Kind.KREISFREIE_STADT:
            return f"Stadt {self.name}"
        if self.name.endswith("kreis"):
            return self.name
        return f"Landkreis {self.name}"


class PostalCode(models.Model):
    """A German postal code that the data assigns to Saxony."""

    code = models.CharField(_("Postleitzahl"), max_length=5, unique=True, validators=[postal_code_validator])
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        related_name="postal_codes",
        verbose_name=_("Kreis"),
        help_text=_("Der eine Kreis, dem die Postleitzahl zugeordnet ist (Zuordnung von Eurostat/GISCO)."),
    )
    other_districts = models.ManyToManyField(
        District,
        blank=True,
        related_name="touching_postal_codes",
        verbose_name=_("weitere Kreise"),
        help_text=_("Kreise, in denen Orte dieser Postleitzahl ebenfalls liegen."),
    )
    other_states = models.JSONField(
        _("weitere Länder"),
        default=list,
        blank=True,
        help_text=_(
            "Nachbarländer (ISO 3166-2, z. B. DE-TH), in die das Gebiet der Postleitzahl hineinreicht."
        ),
    )

    class Meta:
        verbose_name = _("Postleitzahl")
        verbose_name_plural = _("Postleitzahlen")
        ordering = ["code"]

    def __str__(self):
        return self.code


class Place(models.Model):
    """A municipality (or, in later imports, a locality) named for one or more postal codes."""

    class Kind(models.TextChoices):
        MUNICIPALITY = "municipality", _("Gemeinde")
        LOCALITY = "locality", _("Ortsteil")

    name = models.CharField(_("Name"), max_length=100)
    name_sorbian = models.CharField(_("sorbischer Name"), max_length=100, blank=True)
    kind = models.CharField(_("Art"), max_length=20, choices=Kind.choices)
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="places", verbose_name=_("Kreis")
    )
    postal_codes = models.ManyToManyField(PostalCode, related_name="places", verbose_name=_("Postleitzahlen"))
    # Only filled where an authoritative source gives the key; an empty key is not an error.
    ags8 = models.CharField(
        _("Gemeindeschlüssel (AGS)"),
        max_length=8,
        null=True,
        blank=True,
        unique=True,
        validators=[ags8_validator],
    )
    lat = models.FloatField(_("Breitengrad"), null=True, blank=True)
    lon = models.FloatField(_("Längengrad"), null=True, blank=True)
    geonames_id = models.PositiveIntegerField(_("GeoNames-ID"), null=True, blank=True)

    class Meta:
        verbose_name = _("Ort")
        verbose_name_plural = _("Orte")
        ordering = ["name", "district__ags"]
        constraints = [
            # Two Saxon municipalities may share a name (Bernsdorf), never within one district.
            models.UniqueConstraint(
                fields=["district", "name"], name="regions_place_unique_name_per_district"
            ),
        ]

    def __str__(self):
        return self.name
