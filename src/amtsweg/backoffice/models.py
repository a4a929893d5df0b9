"""Back-office settings per authority (processing targets, four eyes, absences, letterhead) and decision
drafts with their second approval.

The settings models are the contract with the authority administration (h6-admin builds its UI on them):
keep their names and the functions in `services.py` stable.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amtsweg.accounts.tenancy import tenant_queryset


class ProcedureSetting(models.Model):
    """An authority's settings for one procedure: its processing-time target and whether decisions need a
    second approval (four eyes) before they are issued."""

    authority = models.ForeignKey(
        "directory.Authority", on_delete=models.CASCADE, related_name="procedure_settings"
    )
    procedure_key = models.SlugField(_("Verfahren"), max_length=100)
    processing_days = models.PositiveIntegerField(
        _("Bearbeitungsziel (Arbeitstage)"),
        null=True,
        blank=True,
        help_text=_("Leer: das Bearbeitungsziel des Verfahrens gilt."),
    )
    second_approval = models.BooleanField(
        _("Freigabe durch eine zweite Person (Vier-Augen-Prinzip)"), default=False
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = tenant_queryset(tenant_field="authority").as_manager()

    class Meta:
        verbose_name = _("Verfahrenseinstellung")
        verbose_name_plural = _("Verfahrenseinstellungen")
        constraints = [
            models.UniqueConstraint(fields=["authority", "procedure_key"], name="backoffice_procsetting_uniq")
        ]

    def __str__(self):
        return f"{self.authority_id}:{self.procedure_key}"


class Absence(models.Model):
    """A staff member's absence in one authority (both days inclusive) and who takes over new cases."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("abwesend"),
        on_delete=models.CASCADE,
        related_name="absences",
    )
    authority = models.ForeignKey("directory.Authority", on_delete=models.CASCADE, related_name="absences")
    starts_on = models.DateField(_("von"))
    ends_on = models.DateField(_("bis"))
    substitute = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Vertretung"),
        on_delete=models.CASCADE,
        related_name="substitutions",
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = tenant_queryset(tenant_field="authority").as_manager()

    class Meta:
        verbose_name = _("Abwesenheit")
        verbose_name_plural = _("Abwesenheiten")
        ordering = ["starts_on", "id"]
        indexes = [models.Index(fields=["authority", "user", "starts_on"], name="backoffice_absence_lookup")]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="backoffice_absence_dates"),
            models.CheckConstraint(condition=~Q(user=F("substitute")), name="backoffice_absence_not_self"),
        ]

    def __str__(self):
        return f"{self.user_id} {self.starts_on:%d.%m.%Y}–{self.ends_on:%d.%m.%Y}"


class LetterSettings(models.Model):
    """An authority's letterhead and signatory for decision letters."""

    authority = models.OneToOneField(
        "directory.Authority", on_delete=models.CASCADE, related_name="letter_settings"
    )
    signatory_name = models.CharField(_("Name der unterzeichnenden Person"), max_length=200, blank=True)
    signatory_title = models.CharField(_("Funktion der unterzeichnenden Person"), max_length=200, blank=True)
    letterhead = models.TextField(_("Briefkopf (eine Zeile je Zeile)"), blank=True)
    footer = models.TextField(_("Fußzeile (eine Zeile je Zeile)"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = tenant_queryset(tenant_field="authority").as_manager()

    class Meta:
        verbose_name = _("Briefeinstellungen")
        verbose_name_plural = _("Briefeinstellungen")

    def __str__(self):
        return str(self.authority_id)

    @property
    def letterhead_lines(self) -> list[str]:
        return [line.strip() for line in self.letterhead.splitlines() if line.strip()]

    @property
    def footer_lines(self) -> list[str]:
        return [line.strip() for line in self.footer.splitlines() if line.strip()]


class DecisionDraft(models.Model):
    """A decision being prepared for one case part: outcome and the free text parts, then (if the authority
    requires it for the procedure) released by a second person, then issued through cases.services.decide.

    The free texts are personal data of the case; they are stored encrypted for the authority (JWE), like
    every other case content."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Entwurf")
        AWAITING_APPROVAL = "awaiting_approval", _("wartet auf Freigabe")
        APPROVED = "approved", _("freigegeben")
        ISSUED = "issued", _("erlassen")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    part = models.ForeignKey("cases.CasePart", on_delete=models.CASCADE, related_name="decision_drafts")
    outcome = models.CharField(_("Ergebnis"), max_length=20)
    kid = models.CharField(max_length=64)
    jwe = models.TextField()  # {"betreff", "entscheidung", "begruendung", ...}
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    needs_approval = models.BooleanField(default=False)
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    decision = models.OneToOneField(
        "cases.Decision", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = tenant_queryset(tenant_field="part__authority").as_manager()

    class Meta:
        verbose_name = _("Bescheidentwurf")
        verbose_name_plural = _("Bescheidentwürfe")
        constraints = [
            models.UniqueConstraint(
                fields=["part"], condition=~Q(status="issued"), name="backoffice_one_open_draft_per_part"
            )
        ]

    def __str__(self):
        return f"{self.part_id}: {self.outcome} ({self.status})"


class Note(models.Model):
    """An internal note on a case part: staff only, never shown to the citizen; encrypted for the
    authority."""

    part = models.ForeignKey("cases.CasePart", on_delete=models.CASCADE, related_name="internal_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kid = models.CharField(max_length=64)
    jwe = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    objects = tenant_queryset(tenant_field="part__authority").as_manager()

    class Meta:
        verbose_name = _("interne Notiz")
        verbose_name_plural = _("interne Notizen")
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"Notiz {self.pk}"
