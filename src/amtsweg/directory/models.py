"""Authorities (the tenants), their offices and opening hours.

Opening hours are rules, not a timetable: weekly rules per office (optionally limited to a period, e.g.
summer hours), special days (closures or special hours, for one office or the whole authority) and
Saxony's public holidays, computed per year (`directory.holidays`). `directory.hours` combines them.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

AGS_VALIDATOR = RegexValidator(
    r"^14(\d{3}(\d{3})?)?$",
    _(
        "Der Schlüssel muss „14“ (Land), fünfstellig (Kreis) oder achtstellig (Gemeinde) sein "
        "und mit 14 beginnen."
    ),
)


class Authority(models.Model):
    """An authority (Behörde): the tenant that owns cases, staff, keys and fees."""

    class Kind(models.TextChoices):
        GEMEINDEVERWALTUNG = "gemeindeverwaltung", _("Gemeinde- oder Stadtverwaltung")
        STADTVERWALTUNG = "stadtverwaltung", _("Stadtverwaltung (kreisfreie Stadt)")
        LANDRATSAMT = "landratsamt", _("Landratsamt")
        LANDESBEHOERDE = "landesbehoerde", _("Landesbehörde")
        VERWALTUNGSGEMEINSCHAFT = "verwaltungsgemeinschaft", _("Verwaltungsgemeinschaft")
        VERWALTUNGSVERBAND = "verwaltungsverband", _("Verwaltungsverband")

    class Level(models.TextChoices):
        GEMEINDE = "gemeinde", _("Gemeinde")
        KREIS = "kreis", _("Landkreis / kreisfreie Stadt")
        LAND = "land", _("Freistaat Sachsen")

    key = models.SlugField(_("Schlüssel"), max_length=100, unique=True)
    name = models.CharField(_("amtliche Bezeichnung"), max_length=300)
    short_name = models.CharField(
        _("Kurzname"), max_length=120, blank=True, help_text=_("Für die A–Z-Liste, z. B. „Erzgebirgskreis“.")
    )
    kind = models.CharField(_("Art"), max_length=30, choices=Kind.choices, default=Kind.GEMEINDEVERWALTUNG)
    level = models.CharField(_("Ebene"), max_length=10, choices=Level.choices, default=Level.GEMEINDE)
    # NULL, not "": "unknown" must stay distinguishable in the API (null), and NULLs may repeat.
    ags = models.CharField(  # noqa: DJ001
        _("Gebietsschlüssel"),
        max_length=8,
        null=True,
        blank=True,
        validators=[AGS_VALIDATOR],
        help_text=_(
            "Schlüssel des betreuten Gebiets: 14 (Land), 5 Ziffern (Kreis), 8 Ziffern (Gemeinde, nur aus "
            "amtlicher Quelle); leer, wenn unbekannt."
        ),
    )
    district = models.ForeignKey(
        "regions.District",
        verbose_name=_("Landkreis / kreisfreie Stadt"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="authorities",
    )
    municipality = models.ForeignKey(
        "regions.Place",
        verbose_name=_("Gemeinde"),
        # SET_NULL: a municipality that disappears from the regions data (merger) must not block the
        # regions import; `load_authorities` reports generated authorities that lost their municipality.
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="authorities",
    )
    website = models.URLField(_("Internetseite"), blank=True)
    email = models.EmailField(_("E-Mail"), blank=True)
    phone = models.CharField(_("Telefon"), max_length=50, blank=True)
    is_generated = models.BooleanField(
        _("automatisch erzeugt"),
        default=False,
        help_text=_("Aus den Regionsdaten erzeugt; Anschrift und Kontakt sind nicht bekannt."),
    )
    address_verified = models.BooleanField(_("Anschrift geprüft"), default=False)
    updated_at = models.DateTimeField(_("geändert"), auto_now=True)

    class Meta:
        verbose_name = _("Behörde")
        verbose_name_plural = _("Behörden")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ags__isnull=True) | Q(ags__regex=r"^14([0-9]{3}([0-9]{3})?)?$"),
                name="directory_authority_ags_format",
            ),
            models.CheckConstraint(
                condition=~Q(level="land") | Q(district__isnull=True),
                name="directory_authority_state_without_district",
            ),
        ]
        indexes = [models.Index(fields=["level", "ags"]), models.Index(fields=["kind"])]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("directory:detail", kwargs={"key": self.key})

    @property
    def sort_name(self) -> str:
        return self.short_name or self.name

    def clean(self):
        super().clean()
        if self.level == self.Level.LAND and self.district_id:
            raise ValidationError({"district": _("Eine Landesbehörde gehört zu keinem Kreis.")})
        if self.ags:
            expected = {self.Level.LAND: (2,), self.Level.KREIS: (5, 8), self.Level.GEMEINDE: (8,)}
            if len(self.ags) not in expected.get(self.level, (2, 5, 8)):
                raise ValidationError({"ags": _("Die Länge des Gebietsschlüssels passt nicht zur Ebene.")})


class Office(models.Model):
    """A place where an authority receives visitors (Dienstsitz, Außenstelle, Bürgerbüro)."""

    class HoursSource(models.TextChoices):
        EXAMPLE = "beispiel", _("Beispielzeiten (von der Behörde zu pflegen)")
        AUTHORITY = "behoerde", _("von der Behörde gepflegt")
        UNKNOWN = "unbekannt", _("unbekannt")

    class CoordinatesSource(models.TextChoices):
        EXACT = "exakt", _("Gebäude")
        PLACE = "ort", _("Ortsmitte")
        DISTRICT_SEAT = "kreissitz", _("Kreissitz")
        NONE = "", _("keine")

    authority = models.ForeignKey(
        Authority, verbose_name=_("Behörde"), on_delete=models.CASCADE, related_name="offices"
    )
    name = models.CharField(_("Bezeichnung"), max_length=200)
    street = models.CharField(_("Straße und Hausnummer"), max_length=200, blank=True)
    postal_code = models.CharField(_("Postleitzahl"), max_length=5, blank=True)
    city = models.CharField(_("Ort"), max_length=120, blank=True)
    place = models.ForeignKey(
        "regions.Place",
        verbose_name=_("Gemeinde des Standorts"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="offices",
        help_text=_("Für die örtlichen Feiertage (Fronleichnam) und die Karte."),
    )
    lat = models.FloatField(_("Breite"), null=True, blank=True)
    lon = models.FloatField(_("Länge"), null=True, blank=True)
    coordinates_source = models.CharField(
        _("Herkunft der Koordinaten"),
        max_length=10,
        choices=CoordinatesSource.choices,
        blank=True,
        default="",
    )
    accessibility = models.TextField(_("Barrierefreiheit"), blank=True)
    phone = models.CharField(_("Telefon"), max_length=50, blank=True)
    email = models.EmailField(_("E-Mail"), blank=True)
    is_main = models.BooleanField(_("Hauptsitz"), default=False)
    address_verified = models.BooleanField(_("Anschrift geprüft"), default=False)
    hours_source = models.CharField(
        _("Herkunft der Öffnungszeiten"),
        max_length=10,
        choices=HoursSource.choices,
        default=HoursSource.UNKNOWN,
    )

    class Meta:
        verbose_name = _("Dienststelle")
        verbose_name_plural = _("Dienststellen")
        ordering = ["-is_main", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["authority"],
                condition=Q(is_main=True),
                name="directory_office_one_main_per_authority",
            ),
            models.UniqueConstraint(fields=["authority", "name"], name="directory_office_unique_name"),
            models.CheckConstraint(
                condition=(Q(lat__isnull=True) & Q(lon__isnull=True))
                | (Q(lat__gte=-90) & Q(lat__lte=90) & Q(lon__gte=-180) & Q(lon__lte=180)),
                name="directory_office_coordinates",
            ),
        ]

    def __str__(self):
        return f"{self.authority.name} – {self.name}"

    @property
    def has_address(self) -> bool:
        return bool(self.street and self.postal_code and self.city)

    @property
    def has_coordinates(self) -> bool:
        return self.lat is not None and self.lon is not None


class WeeklyHours(models.Model):
    """One opening interval on a weekday, e.g. Tuesday 13:00–18:00.

    Rules with a validity period (valid_from/valid_until) replace the unlimited rules on every day of that
    period (e.g. summer hours); an office may have several intervals per day. Overnight intervals are not
    supported (no office opens across midnight).
    """

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Montag")
        TUESDAY = 1, _("Dienstag")
        WEDNESDAY = 2, _("Mittwoch")
        THURSDAY = 3, _("Donnerstag")
        FRIDAY = 4, _("Freitag")
        SATURDAY = 5, _("Samstag")
        SUNDAY = 6, _("Sonntag")

    office = models.ForeignKey(
        Office, verbose_name=_("Dienststelle"), on_delete=models.CASCADE, related_name="weekly_hours"
    )
    weekday = models.PositiveSmallIntegerField(_("Wochentag"), choices=Weekday.choices)
    opens = models.TimeField(_("öffnet"))
    closes = models.TimeField(_("schließt"))
    valid_from = models.DateField(_("gültig ab"), null=True, blank=True)
    valid_until = models.DateField(_("gültig bis"), null=True, blank=True)
    note = models.CharField(_("Hinweis"), max_length=200, blank=True, help_text=_("z. B. „nur mit Termin“"))

    class Meta:
        verbose_name = _("Öffnungszeit")
        verbose_name_plural = _("Öffnungszeiten")
        ordering = ["office", "weekday", "opens"]
        constraints = [
            models.CheckConstraint(
                condition=Q(opens__lt=F("closes")), name="directory_weeklyhours_opens_before_closes"
            ),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="directory_weeklyhours_weekday"),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_until__isnull=True)
                | Q(valid_from__lte=F("valid_until")),
                name="directory_weeklyhours_valid_period",
            ),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"

    @property
    def is_limited(self) -> bool:
        return self.valid_from is not None or self.valid_until is not None

    def covers(self, day) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day <= self.valid_until
        )

    def clean(self):
        super().clean()
        if self.opens and self.closes and self.opens >= self.closes:
            raise ValidationError({"closes": _("Die Schließzeit muss nach der Öffnungszeit liegen.")})
        if self.valid_from and self.valid_until and self.valid_from > self.valid_until:
            raise ValidationError({"valid_until": _("„Gültig bis“ darf nicht vor „gültig ab“ liegen.")})


class SpecialDay(models.Model):
    """A closure or special hours on one date, for one office or (office empty) the whole authority.

    Several rows for the same date and office give several intervals; any closed row closes the day.
    Office-specific rows take precedence over authority-wide rows on the same date.
    """

    authority = models.ForeignKey(
        Authority, verbose_name=_("Behörde"), on_delete=models.CASCADE, related_name="special_days"
    )
    office = models.ForeignKey(
        Office,
        verbose_name=_("Dienststelle"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="special_days",
        help_text=_("Leer: gilt für alle Dienststellen der Behörde."),
    )
    date = models.DateField(_("Datum"))
    closed = models.BooleanField(_("geschlossen"), default=True)
    opens = models.TimeField(_("öffnet"), null=True, blank=True)
    closes = models.TimeField(_("schließt"), null=True, blank=True)
    reason = models.CharField(_("Anlass"), max_length=200, blank=True, help_text=_("z. B. „Brückentag“"))

    class Meta:
        verbose_name = _("Sondertag")
        verbose_name_plural = _("Sondertage")
        ordering = ["date", "opens"]
        indexes = [models.Index(fields=["authority", "date"])]
        constraints = [
            models.CheckConstraint(
                condition=(Q(closed=True) & Q(opens__isnull=True) & Q(closes__isnull=True))
                | (
                    Q(closed=False)
                    & Q(opens__isnull=False)
                    & Q(closes__isnull=False)
                    & Q(opens__lt=F("closes"))
                ),
                name="directory_specialday_closed_or_hours",
            ),
        ]

    def __str__(self):
        if self.closed:
            return f"{self.date:%d.%m.%Y} geschlossen"
        return f"{self.date:%d.%m.%Y} {self.opens:%H:%M}–{self.closes:%H:%M}"

    def clean(self):
        super().clean()
        if self.office_id and self.authority_id and self.office.authority_id != self.authority_id:
            raise ValidationError({"office": _("Die Dienststelle gehört zu einer anderen Behörde.")})
        if self.closed and (self.opens or self.closes):
            raise ValidationError({"opens": _("Ein geschlossener Tag hat keine Öffnungszeiten.")})
        if not self.closed and not (self.opens and self.closes and self.opens < self.closes):
            raise ValidationError(
                {"closes": _("Bitte Öffnungs- und Schließzeit angeben (öffnet vor schließt).")}
            )
