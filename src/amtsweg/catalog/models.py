"""The service catalogue in FIM structure (Leistungsbeschreibungen) and life situations (Lebenslagen).

Pages, the API and the search read the current `Service` row. Every edit also stores a JSON snapshot
in `ServiceVersion` (see `amtsweg.catalog.versioning`), so the history of a description stays readable.
`CatalogState` holds one revision counter that changes with every edit of the catalogue: it drives the
search index rebuild and the ETag/Last-Modified headers of the API.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    """Typisierung: which administrative level executes the service."""

    GEMEINDE = "gemeinde", _("Gemeinde")
    KREIS = "kreis", _("Landkreis oder Kreisfreie Stadt")
    LAND = "land", _("Freistaat Sachsen")
    BUND = "bund", _("Bund")


class FeeKind(models.TextChoices):
    FIXED = "fixed", _("fester Betrag")
    RANGE = "range", _("Rahmengebühr")
    LOCAL = "local", _("nach örtlicher Satzung")
    FREE = "free", _("gebührenfrei")


class TrustLevel(models.TextChoices):
    """Vertrauensniveau of the online procedure (eIDAS / BSI TR-03107-1)."""

    NIEDRIG = "niedrig", _("niedrig")
    SUBSTANZIELL = "substanziell", _("substanziell")
    HOCH = "hoch", _("hoch")


class TargetGroup(models.TextChoices):
    BUERGER = "buerger", _("Bürgerinnen und Bürger")
    UNTERNEHMEN = "unternehmen", _("Unternehmen")
    VERWALTUNG = "verwaltung", _("Verwaltung")


def _localized(german: str, english: str) -> str:
    if english and (get_language() or "de").startswith("en"):
        return english
    return german


class LifeSituation(models.Model):
    """Lebenslage: a situation in life that groups services (moving house, founding a company …)."""

    key = models.SlugField(_("Schlüssel"), max_length=100, unique=True)
    name = models.CharField(_("Bezeichnung"), max_length=200)
    name_en = models.CharField(_("Bezeichnung (englisch)"), max_length=200, blank=True)
    description = models.TextField(_("Beschreibung"), blank=True)
    description_en = models.TextField(_("Beschreibung (englisch)"), blank=True)
    position = models.PositiveIntegerField(_("Reihenfolge"), default=0)

    class Meta:
        ordering = ["position", "key"]
        verbose_name = _("Lebenslage")
        verbose_name_plural = _("Lebenslagen")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("catalog:life_situation", args=[self.key])

    @property
    def display_name(self) -> str:
        return _localized(self.name, self.name_en)

    @property
    def display_description(self) -> str:
        return _localized(self.description, self.description_en)


class Service(models.Model):
    """Leistung: one service description with the FIM text modules.

    Lists (prerequisites, documents, deadlines, steps, synonyms, legal bases) are JSON arrays: they are
    always read and written whole, in order, and never queried by element.
    """

    key = models.SlugField(_("Schlüssel"), max_length=100, unique=True)
    leika = models.CharField(_("Leistungsschlüssel (LeiKa)"), max_length=14, blank=True, default="")
    name = models.CharField(_("Leistungsbezeichnung"), max_length=300)
    name_en = models.CharField(_("Leistungsbezeichnung (englisch)"), max_length=300, blank=True)
    level = models.CharField(_("Typisierung (ausführende Ebene)"), max_length=10, choices=Level.choices)
    responsible_unit = models.CharField(_("zuständige Organisationseinheit"), max_length=300, blank=True)
    short_text = models.TextField(_("Kurztext"))
    short_text_en = models.TextField(_("Kurztext (englisch)"), blank=True)
    full_text = models.TextField(_("Volltext"), blank=True)
    target_groups = models.JSONField(_("Zielgruppen"), default=list, blank=True)
    prerequisites = models.JSONField(_("Voraussetzungen"), default=list, blank=True)
    documents = models.JSONField(_("erforderliche Unterlagen"), default=list, blank=True)
    fee_kind = models.CharField(_("Art der Kosten"), max_length=10, choices=FeeKind.choices)
    fee_min_cents = models.PositiveIntegerField(_("Gebühr ab (Cent)"), null=True, blank=True)
    fee_max_cents = models.PositiveIntegerField(_("Gebühr bis (Cent)"), null=True, blank=True)
    fee_note = models.TextField(_("Hinweis zu den Kosten"), blank=True)
    deadlines = models.JSONField(_("Fristen"), default=list, blank=True)
    processing_time = models.TextField(_("Bearbeitungsdauer"), blank=True)
    steps = models.JSONField(_("Verfahrensablauf"), default=list, blank=True)
    legal_bases = models.JSONField(_("Rechtsgrundlagen"), default=list, blank=True)
    remarks = models.TextField(_("Hinweise"), blank=True)
    synonyms = models.JSONField(_("Synonyme"), default=list, blank=True)
    life_situations = models.ManyToManyField(
        LifeSituation, related_name="services", blank=True, verbose_name=_("Lebenslagen")
    )
    online_procedure = models.SlugField(_("Onlinedienst (Verfahrensschlüssel)"), max_length=100, blank=True)
    online_trust_level = models.CharField(
        _("Vertrauensniveau des Onlinedienstes"), max_length=20, choices=TrustLevel.choices, blank=True
    )
    responsibility = models.JSONField(_("Zuständigkeitsregel"), null=True, blank=True)
    extra = models.JSONField(_("weitere Felder aus dem Import"), default=dict, blank=True)
    created_at = models.DateTimeField(_("angelegt"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("geändert"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["name", "key"]
        verbose_name = _("Leistung")
        verbose_name_plural = _("Leistungen")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.updated_at = timezone.now()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "updated_at"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("catalog:service", args=[self.key])

    @property
    def display_name(self) -> str:
        return _localized(self.name, self.name_en)

    @property
    def display_short_text(self) -> str:
        return _localized(self.short_text, self.short_text_en)

    @property
    def has_online_procedure(self) -> bool:
        return bool(self.online_procedure)


class ServiceVersion(models.Model):
    """A snapshot of a service description after an edit (the export format of that one service)."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("Version"))
    data = models.JSONField(_("Inhalt"))
    created_at = models.DateTimeField(_("gespeichert"), default=timezone.now)
    # The catalogue sits below accounts in the dependency order, so the author is kept as text
    # (user name, or "import:<file>" / "system" for automatic changes), not as a foreign key.
    author = models.CharField(_("geändert von"), max_length=200, blank=True)
    note = models.CharField(_("Anmerkung"), max_length=300, blank=True)

    class Meta:
        ordering = ["service", "-number"]
        constraints = [models.UniqueConstraint(fields=["service", "number"], name="catalog_version_unique")]
        verbose_name = _("Version einer Leistung")
        verbose_name_plural = _("Versionen von Leistungen")

    def __str__(self):
        return f"{self.service.key} v{self.number}"


class CatalogState(models.Model):
    """One row: the catalogue's revision (changes with every edit) and the time of the last change."""

    revision = models.PositiveBigIntegerField(default=0)
    changed_at = models.DateTimeField(default=timezone.now)
    # changed_at in microseconds since the epoch: read on every API request with one plain query, no
    # date parsing (see state.current).
    changed_us = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("Stand des Leistungskatalogs")
        verbose_name_plural = _("Stand des Leistungskatalogs")

    def __str__(self):
        return f"Revision {self.revision} ({self.changed_at:%d.%m.%Y %H:%M})"
