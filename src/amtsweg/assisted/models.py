"""Bürgerterminal and Bürgerkoffer: sites, tours with stops, home visits, kits, staff teams, appointments.

* A `Site` is a fixed place: a self-service Bürgerterminal (town hall, bank, library, senior residence) or a
  Bürgerbüro that takes appointments. Its appointment pattern is a set of weekly `SlotRule`s, minus
  `Closure`s and Saxony's public holidays.
* A `Tour` is one day out with the mobile office kit (`Kit`) and a two-person `StaffTeam`; its `TourStop`s
  are bookable once the tour is published.
* A `Slot` row exists for every slot someone has booked: `booked` is the per-slot counter that a conditional
  UPDATE raises (`booked < capacity`), and a CHECK constraint backs it up, so no race can overbook.
* An `Appointment` is held while the citizen confirms the e-mail link (double opt-in), then confirmed.
* `HomeVisitRequest`: someone who cannot travel asks for a visit; staff accept (with a time) or decline (with
  a reason).
* `Event` is the audit trail of every state change.

Coordinates are WGS 84; every coordinate is checked to lie in Saxony (`assisted.geo`). Times are stored in
UTC.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amtsweg.accounts.tenancy import TenantQuerySet
from amtsweg.assisted import geo
from amtsweg.directory.models import WeeklyHours

postal_code_validator = RegexValidator(r"^[0-9]{5}\Z", _("Die Postleitzahl besteht aus fünf Ziffern."))


def new_nonce() -> str:
    return secrets.token_urlsafe(12)


def new_reference() -> str:
    # No 0/O/1/I: the code is read out on the phone.
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "T-" + "".join(secrets.choice(alphabet) for _ in range(7))


class AuthorityQuerySet(TenantQuerySet):
    tenant_field = "authority"


class CoordinatesMixin(models.Model):
    lat = models.FloatField(_("Breitengrad"), validators=[MinValueValidator(-90), MaxValueValidator(90)])
    lon = models.FloatField(_("Längengrad"), validators=[MinValueValidator(-180), MaxValueValidator(180)])

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        if self.lat is not None and self.lon is not None:
            error = geo.saxony_error(self.lat, self.lon)
            if error:
                raise ValidationError({"lat": error})


WEEKDAYS = WeeklyHours.Weekday.choices


class LocationKind(models.TextChoices):
    TERMINAL = "terminal", _("Bürgerterminal")
    OFFICE = "buergerbuero", _("Bürgerbüro")
    STOP = "buergerkoffer", _("Bürgerkoffer")


class Site(CoordinatesMixin):
    class Kind(models.TextChoices):
        TERMINAL = LocationKind.TERMINAL.value, LocationKind.TERMINAL.label
        OFFICE = LocationKind.OFFICE.value, LocationKind.OFFICE.label

    class Host(models.TextChoices):
        TOWN_HALL = "rathaus", _("Rathaus oder Gemeindeamt")
        BANK = "bank", _("Bank oder Sparkasse")
        LIBRARY = "bibliothek", _("Bibliothek")
        SENIOR_RESIDENCE = "seniorenresidenz", _("Seniorenresidenz")
        OFFICE = "dienststelle", _("Dienststelle")
        OTHER = "sonstiges", _("sonstiger Ort")

    authority = models.ForeignKey(
        "directory.Authority",
        on_delete=models.PROTECT,
        related_name="assisted_sites",
        verbose_name=_("Behörde"),
    )
    kind = models.CharField(_("Art"), max_length=20, choices=Kind.choices)
    host = models.CharField(_("Aufstellort"), max_length=20, choices=Host.choices, default=Host.TOWN_HALL)
    name = models.CharField(_("Bezeichnung"), max_length=200)
    slug = models.SlugField(_("Kurzname für Adressen"), max_length=120, unique=True)
    street = models.CharField(_("Straße und Hausnummer"), max_length=200)
    postal_code = models.CharField(_("Postleitzahl"), max_length=5, validators=[postal_code_validator])
    city = models.CharField(_("Ort"), max_length=120)
    district = models.ForeignKey(
        "regions.District", on_delete=models.PROTECT, related_name="assisted_sites", verbose_name=_("Kreis")
    )
    place = models.ForeignKey(
        "regions.Place",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assisted_sites",
        verbose_name=_("Gemeinde"),
    )
    accessibility = models.TextField(_("Barrierefreiheit"), blank=True)
    step_free = models.BooleanField(_("stufenlos erreichbar"), default=False)
    video_consultation = models.BooleanField(
        _("Videoberatung"),
        default=False,
        help_text=_("Das Terminal verbindet per Video mit einer Sachbearbeiterin."),
    )
    hours_note = models.CharField(_("Hinweis zu den Zeiten"), max_length=300, blank=True)
    services = models.ManyToManyField(
        "catalog.Service", blank=True, related_name="assisted_sites", verbose_name=_("Leistungen")
    )
    lead_time_hours = models.PositiveIntegerField(
        _("Vorlauf (Stunden)"), default=2, help_text=_("So lange vorher muss spätestens gebucht werden.")
    )
    booking_window_days = models.PositiveIntegerField(
        _("Buchungszeitraum (Tage)"),
        default=60,
        validators=[MinValueValidator(1), MaxValueValidator(366)],
        help_text=_("So weit im Voraus kann gebucht werden."),
    )
    is_public = models.BooleanField(_("öffentlich"), default=True)
    is_demo = models.BooleanField(_("Demo-Daten"), default=False)
    created_at = models.DateTimeField(_("angelegt"), default=timezone.now, editable=False)

    objects = AuthorityQuerySet.as_manager()

    class Meta:
        verbose_name = _("Standort")
        verbose_name_plural = _("Standorte")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("assisted:site", kwargs={"slug": self.slug})

    @property
    def address(self) -> str:
        return f"{self.street}, {self.postal_code} {self.city}"


class SiteHours(models.Model):
    """When a terminal can be used (or a Bürgerbüro is open), one interval per weekday."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="hours", verbose_name=_("Standort"))
    weekday = models.PositiveSmallIntegerField(
        _("Wochentag"), choices=WEEKDAYS, validators=[MaxValueValidator(6)]
    )
    opens = models.TimeField(_("öffnet"))
    closes = models.TimeField(_("schließt"))

    class Meta:
        verbose_name = _("Öffnungszeit")
        verbose_name_plural = _("Öffnungszeiten")
        ordering = ["weekday", "opens"]
        constraints = [
            models.CheckConstraint(condition=Q(opens__lt=F("closes")), name="assisted_sitehours_order"),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="assisted_sitehours_weekday"),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class SlotRule(models.Model):
    """A weekly appointment pattern: on `weekday` from `starts` to `ends`, slots of `slot_minutes` for
    `capacity` people each."""

    site = models.ForeignKey(
        Site, on_delete=models.CASCADE, related_name="slot_rules", verbose_name=_("Standort")
    )
    weekday = models.PositiveSmallIntegerField(
        _("Wochentag"), choices=WEEKDAYS, validators=[MaxValueValidator(6)]
    )
    starts = models.TimeField(_("von"))
    ends = models.TimeField(_("bis"))
    slot_minutes = models.PositiveSmallIntegerField(
        _("Dauer eines Termins (Minuten)"),
        default=15,
        validators=[MinValueValidator(5), MaxValueValidator(240)],
    )
    capacity = models.PositiveSmallIntegerField(
        _("Plätze je Termin"), default=1, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    valid_from = models.DateField(_("gültig ab"), null=True, blank=True)
    valid_until = models.DateField(_("gültig bis"), null=True, blank=True)
    label = models.CharField(
        _("Bezeichnung"), max_length=100, blank=True, help_text=_("z. B. „Videoberatung“")
    )

    class Meta:
        verbose_name = _("Terminregel")
        verbose_name_plural = _("Terminregeln")
        ordering = ["weekday", "starts"]
        constraints = [
            models.CheckConstraint(condition=Q(starts__lt=F("ends")), name="assisted_slotrule_order"),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="assisted_slotrule_weekday"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="assisted_slotrule_capacity"),
            models.CheckConstraint(condition=Q(slot_minutes__gte=5), name="assisted_slotrule_minutes"),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.starts:%H:%M}–{self.ends:%H:%M}"

    def covers(self, day) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day <= self.valid_until
        )


class Closure(models.Model):
    """Days without appointments: for one site, or (site empty) for all sites of the authority."""

    authority = models.ForeignKey(
        "directory.Authority",
        on_delete=models.CASCADE,
        related_name="assisted_closures",
        verbose_name=_("Behörde"),
    )
    site = models.ForeignKey(
        Site,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="closures",
        verbose_name=_("Standort"),
    )
    starts_on = models.DateField(_("von"))
    ends_on = models.DateField(_("bis"))
    reason = models.CharField(_("Grund"), max_length=200)

    objects = AuthorityQuerySet.as_manager()

    class Meta:
        verbose_name = _("Schließtag")
        verbose_name_plural = _("Schließtage")
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(condition=Q(starts_on__lte=F("ends_on")), name="assisted_closure_order"),
        ]

    def __str__(self):
        return f"{self.starts_on:%d.%m.%Y}–{self.ends_on:%d.%m.%Y}: {self.reason}"


class StaffTeam(models.Model):
    """Usually two people who go out together with a kit."""

    authority = models.ForeignKey(
        "directory.Authority",
        on_delete=models.CASCADE,
        related_name="assisted_teams",
        verbose_name=_("Behörde"),
    )
    name = models.CharField(_("Name"), max_length=120)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="assisted_teams", blank=True, verbose_name=_("Mitglieder")
    )
    is_demo = models.BooleanField(_("Demo-Daten"), default=False)

    objects = AuthorityQuerySet.as_manager()

    class Meta:
        verbose_name = _("Team")
        verbose_name_plural = _("Teams")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "name"], name="assisted_team_unique_name")
        ]

    def __str__(self):
        return self.name


class Kit(models.Model):
    """A Mobiler Bürgerkoffer: laptop, scanner, printer, ID reader; for ID work also camera, fingerprint
    scanner and signature pad."""

    authority = models.ForeignKey(
        "directory.Authority",
        on_delete=models.CASCADE,
        related_name="assisted_kits",
        verbose_name=_("Behörde"),
    )
    name = models.CharField(_("Bezeichnung"), max_length=120)
    inventory_number = models.CharField(_("Inventarnummer"), max_length=60, blank=True)
    equipment = models.TextField(_("Ausstattung"), blank=True)
    is_active = models.BooleanField(_("einsatzbereit"), default=True)
    is_demo = models.BooleanField(_("Demo-Daten"), default=False)

    objects = AuthorityQuerySet.as_manager()

    class Meta:
        verbose_name = _("Bürgerkoffer")
        verbose_name_plural = _("Bürgerkoffer")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["authority", "name"], name="assisted_kit_unique_name")]

    def __str__(self):
        return self.name


class Tour(models.Model):
    """One day out with a kit: from the depot through the stops and back."""

    class Status(models.TextChoices):
        DRAFT = "entwurf", _("Entwurf")
        PUBLISHED = "veroeffentlicht", _("veröffentlicht")
        CANCELLED = "abgesagt", _("abgesagt")

    authority = models.ForeignKey(
        "directory.Authority",
        on_delete=models.PROTECT,
        related_name="assisted_tours",
        verbose_name=_("Behörde"),
    )
    title = models.CharField(_("Titel"), max_length=200)
    date = models.DateField(_("Datum"))
    start_time = models.TimeField(_("Abfahrt"))
    end_time = models.TimeField(_("Rückkehr spätestens"))
    depot_name = models.CharField(_("Startort"), max_length=200)
    depot_lat = models.FloatField(_("Breitengrad des Startorts"))
    depot_lon = models.FloatField(_("Längengrad des Startorts"))
    team = models.ForeignKey(
        StaffTeam,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tours",
        verbose_name=_("Team"),
    )
    kit = models.ForeignKey(
        Kit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tours",
        verbose_name=_("Bürgerkoffer"),
    )
    status = models.CharField(_("Status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    slot_minutes = models.PositiveSmallIntegerField(
        _("Dauer eines Termins (Minuten)"),
        default=15,
        validators=[MinValueValidator(5), MaxValueValidator(120)],
    )
    capacity_per_slot = models.PositiveSmallIntegerField(
        _("Plätze je Termin"), default=1, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    lead_time_hours = models.PositiveIntegerField(_("Vorlauf (Stunden)"), default=12)
    booking_window_days = models.PositiveIntegerField(
        _("Buchungszeitraum (Tage)"), default=90, validators=[MinValueValidator(1), MaxValueValidator(366)]
    )
    notes = models.TextField(_("Hinweise"), blank=True)
    is_demo = models.BooleanField(_("Demo-Daten"), default=False)
    published_at = models.DateTimeField(_("veröffentlicht am"), null=True, blank=True)
    created_at = models.DateTimeField(_("angelegt"), default=timezone.now, editable=False)

    objects = AuthorityQuerySet.as_manager()

    class Meta:
        verbose_name = _("Tour")
        verbose_name_plural = _("Touren")
        ordering = ["date", "start_time"]
        constraints = [
            models.CheckConstraint(condition=Q(start_time__lt=F("end_time")), name="assisted_tour_order"),
        ]

    def __str__(self):
        return f"{self.title} ({self.date:%d.%m.%Y})"

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class StopQuerySet(TenantQuerySet):
    tenant_field = "tour__authority"

    def bookable(self, now=None):
        now = now or timezone.now()
        return self.filter(
            tour__status=Tour.Status.PUBLISHED,
            status=TourStop.Status.PLANNED,
            is_public=True,
            ends_at__gt=now,
        )


class TourStop(CoordinatesMixin):
    class Status(models.TextChoices):
        PLANNED = "geplant", _("geplant")
        CANCELLED = "abgesagt", _("abgesagt")

    class Kind(models.TextChoices):
        PUBLIC = "oeffentlich", _("öffentliche Sprechstunde")
        CARE_HOME = "pflegeheim", _("Sammeltermin in einer Pflegeeinrichtung")

    tour = models.ForeignKey(Tour, on_delete=models.CASCADE, related_name="stops", verbose_name=_("Tour"))
    position = models.PositiveSmallIntegerField(_("Reihenfolge"), default=0)
    kind = models.CharField(_("Art"), max_length=20, choices=Kind.choices, default=Kind.PUBLIC)
    name = models.CharField(_("Ort der Sprechstunde"), max_length=200)
    street = models.CharField(_("Straße und Hausnummer"), max_length=200, blank=True)
    postal_code = models.CharField(
        _("Postleitzahl"), max_length=5, blank=True, validators=[postal_code_validator]
    )
    city = models.CharField(_("Ort"), max_length=120)
    district = models.ForeignKey(
        "regions.District", on_delete=models.PROTECT, related_name="assisted_stops", verbose_name=_("Kreis")
    )
    place = models.ForeignKey(
        "regions.Place",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assisted_stops",
        verbose_name=_("Gemeinde"),
    )
    duration_minutes = models.PositiveSmallIntegerField(
        _("Dauer des Halts (Minuten)"),
        default=90,
        validators=[MinValueValidator(15), MaxValueValidator(600)],
    )
    starts_at = models.DateTimeField(_("Beginn"))
    ends_at = models.DateTimeField(_("Ende"))
    is_public = models.BooleanField(_("öffentlich buchbar"), default=True)
    services = models.ManyToManyField(
        "catalog.Service", blank=True, related_name="assisted_stops", verbose_name=_("Leistungen")
    )
    accessibility = models.TextField(_("Barrierefreiheit"), blank=True)
    status = models.CharField(_("Status"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    cancel_reason = models.CharField(_("Grund der Absage"), max_length=500, blank=True)
    cancelled_at = models.DateTimeField(_("abgesagt am"), null=True, blank=True)

    objects = StopQuerySet.as_manager()

    class Meta:
        verbose_name = _("Halt")
        verbose_name_plural = _("Halte")
        ordering = ["starts_at", "position"]
        constraints = [
            models.CheckConstraint(condition=Q(starts_at__lt=F("ends_at")), name="assisted_stop_order"),
        ]

    def __str__(self):
        return f"{self.name}, {self.city}"

    def get_absolute_url(self):
        return reverse("assisted:stop", kwargs={"pk": self.pk})

    @property
    def address(self) -> str:
        parts = [self.street, f"{self.postal_code} {self.city}".strip()]
        return ", ".join(p for p in parts if p)

    @property
    def is_demo(self) -> bool:
        return self.tour.is_demo


class Slot(models.Model):
    """A booked-into slot with its counter; exactly one of `site` and `stop` is set."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, null=True, blank=True, related_name="slots")
    stop = models.ForeignKey(TourStop, on_delete=models.CASCADE, null=True, blank=True, related_name="slots")
    starts_at = models.DateTimeField(_("Beginn"))
    ends_at = models.DateTimeField(_("Ende"))
    capacity = models.PositiveSmallIntegerField(_("Plätze"))
    booked = models.PositiveSmallIntegerField(_("belegt"), default=0)

    class Meta:
        verbose_name = _("Zeitfenster")
        verbose_name_plural = _("Zeitfenster")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(site__isnull=False) & Q(stop__isnull=True))
                | (Q(site__isnull=True) & Q(stop__isnull=False)),
                name="assisted_slot_one_target",
            ),
            # The last line of defence against overbooking: the counter can never pass the capacity.
            models.CheckConstraint(
                condition=Q(booked__gte=0) & Q(booked__lte=F("capacity")), name="assisted_slot_not_overbooked"
            ),
            models.UniqueConstraint(
                fields=["site", "starts_at"],
                condition=Q(site__isnull=False),
                name="assisted_slot_unique_site",
            ),
            models.UniqueConstraint(
                fields=["stop", "starts_at"],
                condition=Q(stop__isnull=False),
                name="assisted_slot_unique_stop",
            ),
        ]

    def __str__(self):
        return f"{self.target} {self.starts_at:%Y-%m-%d %H:%M} ({self.booked}/{self.capacity})"

    @property
    def target(self):
        return self.site if self.site_id else self.stop

    @property
    def free(self) -> int:
        return self.capacity - self.booked


class AppointmentQuerySet(TenantQuerySet):
    owner_fields = ("user",)

    def for_staff(self, user, role=None):
        from amtsweg.accounts.tenancy import authorities_for

        authorities = authorities_for(user, role)
        return self.filter(
            Q(slot__site__authority__in=authorities) | Q(slot__stop__tour__authority__in=authorities)
        )

    def active(self):
        return self.filter(status__in=[Appointment.Status.PENDING, Appointment.Status.CONFIRMED])


class Appointment(models.Model):
    class Status(models.TextChoices):
        PENDING = "unbestaetigt", _("wartet auf Bestätigung")
        CONFIRMED = "bestaetigt", _("bestätigt")
        CANCELLED = "storniert", _("storniert")
        EXPIRED = "verfallen", _("verfallen")

    class Kind(models.TextChoices):
        OFFICE = "buergerbuero", _("Termin im Bürgerbüro")
        VIDEO = "video", _("Videoberatung am Bürgerterminal")
        TERMINAL = "terminal", _("Termin am Bürgerterminal")
        STOP = "buergerkoffer", _("Sprechstunde mit dem Bürgerkoffer")

    reference = models.CharField(_("Terminnummer"), max_length=12, unique=True, default=new_reference)
    slot = models.ForeignKey(
        Slot, on_delete=models.PROTECT, related_name="appointments", verbose_name=_("Zeitfenster")
    )
    kind = models.CharField(_("Art"), max_length=20, choices=Kind.choices)
    service = models.ForeignKey(
        "catalog.Service",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Anliegen"),
    )
    name = models.CharField(_("Name"), max_length=200)
    email = models.EmailField(_("E-Mail"), max_length=254, db_index=True)
    phone = models.CharField(_("Telefon"), max_length=40, blank=True)
    note = models.CharField(_("Hinweis"), max_length=500, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assisted_appointments",
        verbose_name=_("Konto"),
    )
    language = models.CharField(_("Sprache"), max_length=8, default="de")
    status = models.CharField(_("Status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    hold_until = models.DateTimeField(_("reserviert bis"), null=True, blank=True)
    nonce = models.CharField(max_length=32, default=new_nonce, editable=False)
    created_at = models.DateTimeField(_("angelegt"), default=timezone.now, editable=False)
    confirmed_at = models.DateTimeField(_("bestätigt am"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("storniert am"), null=True, blank=True)
    cancelled_by_staff = models.BooleanField(_("von der Behörde abgesagt"), default=False)
    cancel_reason = models.CharField(_("Grund der Absage"), max_length=500, blank=True)
    optin_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    reminder_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    cancellation_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("Termin")
        verbose_name_plural = _("Termine")
        ordering = ["slot__starts_at"]
        indexes = [models.Index(fields=["status", "hold_until"], name="assisted_appt_status_hold")]

    def __str__(self):
        return self.reference

    @property
    def starts_at(self):
        return self.slot.starts_at

    @property
    def ends_at(self):
        return self.slot.ends_at

    @property
    def target(self):
        return self.slot.target

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.CONFIRMED)


class HomeVisitQuerySet(TenantQuerySet):
    tenant_field = "authority"
    owner_fields = ("user",)


class HomeVisitRequest(models.Model):
    class Status(models.TextChoices):
        UNCONFIRMED = "unbestaetigt", _("E-Mail noch nicht bestätigt")
        REQUESTED = "angefragt", _("angefragt")
        ACCEPTED = "zugesagt", _("zugesagt")
        DECLINED = "abgelehnt", _("abgelehnt")

    reference = models.CharField(_("Vorgangsnummer"), max_length=12, unique=True, default=new_reference)
    authority = models.ForeignKey(
        "directory.Authority",
        on_delete=models.PROTECT,
        related_name="assisted_home_visits",
        verbose_name=_("Behörde"),
    )
    district = models.ForeignKey(
        "regions.District", on_delete=models.PROTECT, related_name="+", verbose_name=_("Kreis")
    )
    name = models.CharField(_("Name"), max_length=200)
    email = models.EmailField(_("E-Mail"), max_length=254)
    phone = models.CharField(_("Telefon"), max_length=40, blank=True)
    street = models.CharField(_("Straße und Hausnummer"), max_length=200)
    postal_code = models.CharField(_("Postleitzahl"), max_length=5, validators=[postal_code_validator])
    city = models.CharField(_("Ort"), max_length=120)
    reason = models.TextField(_("Warum ist ein Besuch nötig?"), max_length=1000)
    services = models.ManyToManyField(
        "catalog.Service", blank=True, related_name="+", verbose_name=_("Anliegen")
    )
    preferred_times = models.CharField(_("Wunschtermine"), max_length=500, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assisted_home_visits",
        verbose_name=_("Konto"),
    )
    language = models.CharField(_("Sprache"), max_length=8, default="de")
    status = models.CharField(_("Status"), max_length=20, choices=Status.choices, default=Status.UNCONFIRMED)
    visit_starts_at = models.DateTimeField(_("Besuch ab"), null=True, blank=True)
    visit_ends_at = models.DateTimeField(_("Besuch bis"), null=True, blank=True)
    decision_reason = models.TextField(_("Begründung"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("entschieden am"), null=True, blank=True)
    nonce = models.CharField(max_length=32, default=new_nonce, editable=False)
    created_at = models.DateTimeField(_("angelegt"), default=timezone.now, editable=False)
    confirmed_at = models.DateTimeField(_("bestätigt am"), null=True, blank=True)
    optin_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    decision_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    is_demo = models.BooleanField(_("Demo-Daten"), default=False)

    objects = HomeVisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("Hausbesuch")
        verbose_name_plural = _("Hausbesuche")
        ordering = ["-created_at"]

    def __str__(self):
        return self.reference


class EventQuerySet(TenantQuerySet):
    tenant_field = "authority"


class Event(models.Model):
    """Audit trail: who changed what, when (never updated, never deleted by the app)."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    authority = models.ForeignKey(
        "directory.Authority", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=100, blank=True)
    action = models.CharField(max_length=60)
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=40)
    detail = models.JSONField(default=dict, blank=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("Protokolleintrag")
        verbose_name_plural = _("Protokoll")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="assisted_event_object")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}:{self.object_id}"


class AssistedFilingQuerySet(TenantQuerySet):
    tenant_field = "operator_authority"
    owner_fields = ("case__applicant",)


class AssistedFiling(models.Model):
    """An application filed by staff on behalf of a citizen (at a Bürgerterminal or with the Bürgerkoffer).

    Written by `assisted.filing.file_for_citizen` in the transaction that creates the case. The citizen's
    signature (a PNG drawn on screen) is stored only as a JWE for the case's lead authority."""

    class Channel(models.TextChoices):
        TERMINAL = "terminal", _("Bürgerterminal")
        BUERGERKOFFER = "buergerkoffer", _("Bürgerkoffer")

    class Identification(models.TextChoices):
        ID_SEEN = "ausweis_gesehen", _("Ausweis von Beschäftigten gesehen")
        EID = "eid", _("Online-Ausweisfunktion (eID)")

    class Receipt(models.TextChoices):
        PAPER = "papier", _("auf Papier")
        POSTBOX = "postfach", _("ins Postfach")

    case = models.OneToOneField(
        "cases.Case", on_delete=models.PROTECT, related_name="assisted_filing", verbose_name=_("Vorgang")
    )
    idempotency_key = models.UUIDField(_("Einreichungsschlüssel"), unique=True)
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="assisted_filings",
        verbose_name=_("eingereicht durch"),
    )
    operator_authority = models.ForeignKey(
        "directory.Authority", on_delete=models.PROTECT, related_name="+", verbose_name=_("Behörde der Hilfe")
    )
    site = models.ForeignKey(
        Site, on_delete=models.SET_NULL, null=True, blank=True, related_name="filings", verbose_name=_("Ort")
    )
    channel = models.CharField(_("Weg"), max_length=20, choices=Channel.choices)
    identification = models.CharField(_("Identifizierung"), max_length=20, choices=Identification.choices)
    consent_given = models.BooleanField(_("Einwilligung erteilt"), default=False)
    consent_at = models.DateTimeField(_("Einwilligung am"))
    signature_jwe = models.TextField(_("Unterschrift (verschlüsselt)"), blank=True)
    signature_sha256 = models.CharField(_("Prüfsumme der Unterschrift"), max_length=64, blank=True)
    receipt = models.CharField(_("Eingangsbestätigung"), max_length=10, choices=Receipt.choices)
    citizen_has_account = models.BooleanField(_("mit Bürgerkonto"), default=False)
    filed_at = models.DateTimeField(_("eingereicht am"), default=timezone.now)

    objects = AssistedFilingQuerySet.as_manager()

    class Meta:
        verbose_name = _("assistierte Antragstellung")
        verbose_name_plural = _("assistierte Antragstellungen")
        ordering = ["-filed_at"]

    def __str__(self):
        return f"{self.case_id} ({self.channel})"
